import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ApiCampaignCatalog } from '../../shared/api/api-campaign-catalog.ts';
import type { CampaignStore } from '../../shared/api/campaign-store.ts';
import { JournalCampaignStore } from '../../shared/api/local/journal-campaign-store.ts';
import { InMemoryCatalog } from '../../shared/delivery/campaign-catalog.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';

describe('the catalog of deployed and API campaigns', () => {
  it('reads a launched API campaign from the store once, a draft every time, and an unknown id once a minute', async () => {
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
    const catalog = new ApiCampaignCatalog(deployed, counted);
    for (let i = 0; i < 3; i++) {
      expect((await catalog.wave('launched', 'd11-preheat')).campaign.id).toBe('launched');
      expect((await catalog.wave('drafted', 'd11-preheat')).campaign.id).toBe('drafted');
      expect((await catalog.wave('double-11-2026', 'd11-preheat')).campaign.id).toBe('double-11-2026');
    }
    expect(gets.filter((id) => id === 'launched')).toHaveLength(1);
    expect(gets.filter((id) => id === 'drafted')).toHaveLength(3);
    expect(gets.filter((id) => id === 'double-11-2026')).toHaveLength(1);
  });
});
