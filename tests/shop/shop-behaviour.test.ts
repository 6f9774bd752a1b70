import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { CATEGORIES, CLIMATE_ZONES } from '../../shared/shop/local/generate/reference-data.ts';
import { measureShop, type ShopBehaviour } from './shop-behaviour.ts';

// The planted affinities, one direction of each pair (co_purchase lists both).
const PAIRS = CATEGORIES.filter((c) => c.code < c.partner).map((c): [string, string] => [c.code, c.partner]);

let root: string;
let shop: ShopBehaviour;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shop-behaviour-'));
  // The model's own order count (no target), as `campaign data generate` and `npm start` write it.
  await generateShop({ dataDir: root, customers: 10_000, seed: 3, asOf: '2026-10-20' });
  const wh = await DuckDbWarehouse.open(root);
  try {
    shop = await measureShop(wh, CLIMATE_ZONES, PAIRS);
  } finally {
    await wh.close();
  }
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the sample shop behaves like a shop (docs/data-model.md, "The sample shop")', () => {
  it('has no customer with more than a few orders on one day', () => {
    expect(shop.maxOrdersPerCustomerDay).toBeLessThanOrEqual(3);
  });

  it('takes 20–45% of each month’s paid orders from returning buyers (25–40% over the last year)', () => {
    const shares = shop.returningShareByMonth.map((m) => m.share);
    expect(shares).toHaveLength(12);
    for (const m of shop.returningShareByMonth) {
      expect(m.share, m.month).toBeGreaterThan(0.2);
      expect(m.share, m.month).toBeLessThan(0.45);
    }
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    expect(mean).toBeGreaterThan(0.25);
    expect(mean).toBeLessThan(0.4);
  });

  it('sells the summer lines earlier in the south than in the north', () => {
    expect(shop.summerMonth.south).not.toBeNull();
    expect(shop.summerMonth.north).not.toBeNull();
    expect(Number(shop.summerMonth.south)).toBeLessThan(Number(shop.summerMonth.north));
    // The median summer line is sold at least ten days earlier in the year in the south.
    expect(shop.summerMedianDay.north - shop.summerMedianDay.south).toBeGreaterThanOrEqual(10);
  });

  it('plants product affinity: co_purchase finds each partner pair with a lift well above 1', () => {
    expect(PAIRS).toHaveLength(5);
    for (const [a, b] of PAIRS) expect(shop.lift[`${a}+${b}`], `${a}+${b}`).toBeGreaterThan(1.5);
  });

  it('gives members a higher 30-day repurchase than non-members, both within what shops see', () => {
    const { member, nonMember } = shop.repurchase30d;
    expect(member).toBeGreaterThan(0.05);
    expect(member).toBeLessThan(0.3);
    expect(nonMember).toBeGreaterThan(0.01);
    expect(nonMember).toBeLessThan(0.12);
    expect(member / nonMember).toBeGreaterThan(1.5);
    expect(member / nonMember).toBeLessThan(6);
  });
});
