import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ApiCampaignCatalog } from '../../shared/api/api-campaign-catalog.ts';
import type { CampaignStore } from '../../shared/api/campaign-store.ts';
import { JournalCampaignStore } from '../../shared/api/local/journal-campaign-store.ts';
import { ManualClock } from '../../shared/clock.ts';
import { InMemoryCatalog } from '../../shared/delivery/campaign-catalog.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';

describe('the catalog of deployed and API campaigns', () => {
  async function countedStore() {
    const store = new JournalCampaignStore(join(mkdtempSync(join(tmpdir(), 'catalog-')), 'campaigns'));
    const gets: string[] = [];
    const counted: CampaignStore = {
      ...store,
      create: (c) => store.create(c),
      list: (l, c) => store.list(l, c),
      put: (c, v) => store.put(c, v),
      close: () => store.close(),
      get: (id) => {
        gets.push(id);
        return store.get(id);
      },
    };
    const config = parse(readFileSync('campaigns/double-11.yaml', 'utf8'));
    const stored = (id: string, state: 'draft' | 'scheduled') => ({
      id,
      config: { ...config, id },
      state,
      waves: {},
      version: 1,
      createdAt: '',
      updatedAt: '',
    });
    await store.create(stored('launched', 'scheduled'));
    await store.create(stored('drafted', 'draft'));
    const policy = await loadShopPolicy();
    const deployed = Object.assign(new InMemoryCatalog([await loadDouble11()], policy), {
      policy: async () => policy,
    });
    return { store, counted, gets, deployed };
  }

  it('reads a launched API campaign from the store once, a draft every time, and an unknown id once a minute', async () => {
    const { counted, gets, deployed } = await countedStore();
    const catalog = new ApiCampaignCatalog(
      deployed,
      counted,
      new ManualClock(new Date('2026-11-01T00:00:00Z')),
    );
    for (let i = 0; i < 3; i++) {
      expect((await catalog.wave('launched', 'd11-preheat')).campaign.id).toBe('launched');
      expect((await catalog.wave('drafted', 'd11-preheat')).campaign.id).toBe('drafted');
      expect((await catalog.wave('double-11-2026', 'd11-preheat')).campaign.id).toBe('double-11-2026');
    }
    expect(gets.filter((id) => id === 'launched')).toHaveLength(1);
    expect(gets.filter((id) => id === 'drafted')).toHaveLength(3);
    expect(gets.filter((id) => id === 'double-11-2026')).toHaveLength(1);
  });

  it("asks the store again about an id it did not have once a minute has passed on the catalog's clock", async () => {
    const { counted, gets, deployed } = await countedStore();
    const clock = new ManualClock(new Date('2026-11-01T00:00:00Z'));
    const catalog = new ApiCampaignCatalog(deployed, counted, clock);
    await catalog.wave('double-11-2026', 'd11-preheat');
    clock.set(new Date('2026-11-01T00:00:59Z'));
    await catalog.wave('double-11-2026', 'd11-preheat');
    expect(gets.filter((id) => id === 'double-11-2026')).toHaveLength(1);
    clock.set(new Date('2026-11-01T00:01:00.001Z'));
    await catalog.wave('double-11-2026', 'd11-preheat');
    expect(gets.filter((id) => id === 'double-11-2026')).toHaveLength(2);
  });
});
