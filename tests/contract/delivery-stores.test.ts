import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DynamoDbLinkStore } from '../../shared/delivery/links/aws/dynamodb-link-store.ts';
import type { LinkStore } from '../../shared/delivery/links/link-store.ts';
import { JournalLinkStore } from '../../shared/delivery/links/local/journal-link-store.ts';
import { LinkIssuer, resolveLink } from '../../shared/delivery/links/short-links.ts';
import { DynamoDbWaveRunStore } from '../../shared/delivery/wave-runs/aws/dynamodb-wave-run-store.ts';
import { JournalWaveRunStore } from '../../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import type { WaveRun, WaveRunStore } from '../../shared/delivery/wave-runs/wave-run-store.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), `${name}-`)), name);

const runStores: ContractAdapter<Made<WaveRunStore>>[] = [
  {
    name: 'journal (embedded)',
    make: async () => {
      const store = new JournalWaveRunStore(tmp('runs'));
      return { port: store, stop: () => store.close() };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    make: async () => {
      const ddb = await startDynalite('runs', { sortKey: true });
      return { port: new DynamoDbWaveRunStore({ client: ddb.client, tableName: 'runs' }), stop: ddb.stop };
    },
  },
];

const run = (campaignId: string, waveId: string, over: Partial<WaveRun> = {}): WaveRun => ({
  campaignId,
  waveId,
  state: 'planning',
  runAt: '2026-11-10T16:00:00.000Z',
  audience: null,
  batches: 0,
  reservations: 0,
  error: null,
  startedAt: '2026-11-10T16:00:01.000Z',
  drainedAt: null,
  ...over,
});

contractSuite('wave-run store', runStores, (made) => {
  const store = () => made().port;

  it('keeps one run per (campaign, wave), lists a campaign’s runs and clears them', async () => {
    expect(await store().get('d11', 'w1')).toBeNull();
    await store().put(run('d11', 'w1'));
    await store().put(run('d11', 'w1', { state: 'sending', audience: 120, batches: 3 }));
    await store().put(run('d11', 'w2'));
    await store().put(run('other', 'w1'));
    expect(await store().get('d11', 'w1')).toMatchObject({ state: 'sending', audience: 120, batches: 3 });
    expect((await store().list('d11')).map((r) => r.waveId).sort()).toEqual(['w1', 'w2']);
    await store().clear('d11');
    expect(await store().list('d11')).toEqual([]);
    expect(await store().get('other', 'w1')).not.toBeNull();
  });

  it('claims the planning of one audience query once: held while leased, again once the lease ran out, never after it is done', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 11, 0, minute));
    const lease = (minute: number) => ({ now: at(minute), until: at(minute + 15) });
    await store().put(run('p', 'w1'));
    // Two deliveries of the same event at once: one wins.
    const both = await Promise.all([
      store().claimPlanning('p', 'q-1', lease(0)),
      store().claimPlanning('p', 'q-1', lease(0)),
    ]);
    expect(both.sort()).toEqual(['claimed', 'in-progress']);
    expect(await store().claimPlanning('p', 'q-1', lease(14))).toBe('in-progress');
    // The holder died (its invocation timed out) without finishing: the retry may plan.
    expect(await store().claimPlanning('p', 'q-1', lease(16))).toBe('claimed');
    await store().finishPlanning('p', 'q-1');
    expect(await store().claimPlanning('p', 'q-1', lease(60))).toBe('done');
    expect(await store().claimPlanning('p', 'q-1', lease(24 * 60))).toBe('done');
    // Another query execution (the wave launched again) is claimed on its own; claims are not runs.
    expect(await store().claimPlanning('p', 'q-2', lease(60))).toBe('claimed');
    expect((await store().list('p')).map((r) => r.waveId)).toEqual(['w1']);
    await store().clear('p');
    expect(await store().claimPlanning('p', 'q-1', lease(61))).toBe('claimed');
  });
});

const linkStores: ContractAdapter<Made<LinkStore>>[] = [
  {
    name: 'journal (embedded)',
    make: async () => {
      const store = new JournalLinkStore(tmp('links'));
      return { port: store, stop: () => store.close() };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    make: async () => {
      const ddb = await startDynalite('links');
      return { port: new DynamoDbLinkStore({ client: ddb.client, tableName: 'links' }), stop: ddb.stop };
    },
  },
];

contractSuite('link store', linkStores, (made) => {
  const store = () => made().port;
  const SECRET = 'contract-secret-0123456789';
  const NOW = new Date('2026-11-11T00:00:00Z');

  it('stores a wave’s links in batches and resolves each; unknown codes are refused', async () => {
    const issuer = new LinkIssuer(SECRET, 'https://s.example.cn');
    const records = Array.from({ length: 60 }, (_, i) =>
      issuer.issue(`d11/w1/c${i}`, 'https://shop.example/d11', NOW, 'email'),
    ).flatMap((l) => l.records);
    await store().put(records);
    for (const r of [records[0], records[59], records[119]]) {
      if (!r) throw new Error('missing');
      const got = await resolveLink(store(), SECRET, r.code, NOW);
      expect(got).toEqual({ ok: true, link: r });
    }
    expect(await store().get('ZZZZZZZZZZ')).toBeNull();
  });

  it('keeps the sku of a product link (a colon or Chinese in it included) and resolves it to that product', async () => {
    const issuer = new LinkIssuer(SECRET, 'https://s.example.cn');
    const products = [
      { sku: 'coat-2026A-07', url: 'https://shop.example/coat' },
      { sku: '羽绒服:2026W-03', url: 'https://shop.example/item?id=羽绒服&a=1' },
    ];
    const { records } = issuer.issue('d11/w1/c1', 'https://shop.example/d11', NOW, 'sms', products);
    await store().put(records);
    for (const r of records)
      expect(await resolveLink(store(), SECRET, r.code, NOW)).toEqual({ ok: true, link: r });
    expect(records.map((r) => [r.sku, r.target])).toEqual([
      [null, 'https://shop.example/d11'],
      ['coat-2026A-07', 'https://shop.example/coat'],
      ['羽绒服:2026W-03', 'https://shop.example/item?id=羽绒服&a=1'],
    ]);
  });
});
