import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DynamoDbCampaignStore } from '../../shared/api/aws/dynamodb-campaign-store.ts';
import {
  AlreadyExistsError,
  type CampaignStore,
  type StoredCampaign,
  VersionConflictError,
} from '../../shared/api/campaign-store.ts';
import { JournalCampaignStore } from '../../shared/api/local/journal-campaign-store.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const campaign = (id: string, over: Partial<StoredCampaign> = {}): StoredCampaign => ({
  id,
  config: { id, name: `campaign ${id}` },
  state: 'draft',
  waves: {},
  version: 1,
  createdAt: '2026-11-22T00:00:00.000Z',
  updatedAt: '2026-11-22T00:00:00.000Z',
  ...over,
});

const adapters: ContractAdapter<Made<CampaignStore>>[] = [
  {
    name: 'journal (embedded)',
    make: async () => {
      const store = new JournalCampaignStore(join(mkdtempSync(join(tmpdir(), 'campaigns-')), 'campaigns'));
      return { port: store, stop: () => store.close() };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    make: async () => {
      const ddb = await startDynalite('campaigns');
      return {
        port: new DynamoDbCampaignStore({ client: ddb.client, tableName: 'campaigns' }),
        stop: ddb.stop,
      };
    },
  },
];

contractSuite('campaign store', adapters, (made) => {
  const store = () => made().port;

  it('creates at version 1 and refuses a second campaign with the same id', async () => {
    await store().create(campaign('d11', { version: 7 }));
    expect(await store().get('d11')).toMatchObject({ id: 'd11', version: 1, state: 'draft' });
    await expect(store().create(campaign('d11'))).rejects.toThrow(AlreadyExistsError);
    expect(await store().get('nope')).toBeNull();
  });

  it('updates only from the version read; a stale write changes nothing', async () => {
    await store().create(campaign('winback'));
    await store().put(campaign('winback', { state: 'scheduled' }), 1);
    expect(await store().get('winback')).toMatchObject({ version: 2, state: 'scheduled' });
    await expect(store().put(campaign('winback', { state: 'cancelled' }), 1)).rejects.toThrow(
      VersionConflictError,
    );
    expect(await store().get('winback')).toMatchObject({ version: 2, state: 'scheduled' });
  });

  it('lets exactly one of concurrent updates from the same version win', async () => {
    await store().create(campaign('race'));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store().put(campaign('race', { config: { writer: i } }), 1)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x) => x.status === 'rejected'))
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect((await store().get('race'))?.version).toBe(2);
  });

  it('lists every campaign exactly once across pages', async () => {
    for (const id of ['p1', 'p2', 'p3', 'p4']) await store().create(campaign(id));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store().list(3, cursor);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(['d11', 'p1', 'p2', 'p3', 'p4', 'race', 'winback']);
  });
});
