import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { shopAnalyses } from '../../shared/lake/shop-analyses.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { ANALYSES_SHOP } from '../helpers/analyses-shop.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/** The shop analyses on the hand-written shop of tests/helpers/analyses-shop.ts, against figures counted by hand. */
let wh: DuckDbWarehouse;
beforeAll(async () => {
  wh = await DuckDbWarehouse.open(await writeFixtureLake(ANALYSES_SHOP), {
    benchmark: { rate: 0.25, windowDays: 365, source: "某行业报告 'clothing'" },
  });
});
afterAll(() => wh.close());

const rows = async (query: Sql) => (await wh.query(query)).rows;

describe('members of a shop with its own tiers (contact-policy.yaml memberTiers)', () => {
  it('counts as members the customers above its first tier, whatever the tiers are called', async () => {
    const chinese: Record<string, string> = { normal: '普通', silver: '高级', gold: 'VIP' };
    const customers = (ANALYSES_SHOP.customers ?? []).map((c) => ({
      ...c,
      member_tier: chinese[String(c.member_tier)],
    }));
    const lake = await writeFixtureLake({ ...ANALYSES_SHOP, customers });
    const query = sql`SELECT * FROM member_repurchase_30d ORDER BY month, member_group`;
    const tiered = await DuckDbWarehouse.open(lake, { baseTier: '普通' });
    const asBefore = await DuckDbWarehouse.open(lake);
    try {
      expect(await tiered.query(query)).toEqual(await wh.query(query));
      // Read with the default base tier (normal), nobody is in it: every buyer would count as a member.
      const groups = (await asBefore.query(query)).rows.map((r) => r.member_group);
      expect(new Set(groups)).toEqual(new Set(['member']));
    } finally {
      await Promise.all([tiered.close(), asBefore.close()]);
    }
  });
});

describe('shop analyses on a hand-written lake', () => {
  it('buyers_by_region_period: paid orders by 15-day period and province, with the season', async () => {
    expect(await rows(sql`SELECT * FROM buyers_by_region_period ORDER BY period_start, province`)).toEqual([
      {
        period_start: '2025-01-01',
        period_end: '2025-01-15',
        season: 'winter',
        season_year: 2024,
        province: '浙江省',
        buyers: 1,
        orders: 1,
        revenue: 100,
      },
      // b2 (refunded) is not a purchase.
      {
        period_start: '2025-01-16',
        period_end: '2025-01-31',
        season: 'winter',
        season_year: 2024,
        province: '浙江省',
        buyers: 2,
        orders: 2,
        revenue: 130,
      },
      // d1 (never paid) is not a purchase.
      {
        period_start: '2025-02-01',
        period_end: '2025-02-15',
        season: 'winter',
        season_year: 2024,
        province: '广东省',
        buyers: 1,
        orders: 1,
        revenue: 300,
      },
      {
        period_start: '2025-02-16',
        period_end: '2025-02-28',
        season: 'winter',
        season_year: 2024,
        province: '浙江省',
        buyers: 1,
        orders: 1,
        revenue: 30,
      },
      {
        period_start: '2025-03-01',
        period_end: '2025-03-15',
        season: 'spring',
        season_year: 2025,
        province: '北京市',
        buyers: 1,
        orders: 1,
        revenue: 10,
      },
      {
        period_start: '2025-03-01',
        period_end: '2025-03-15',
        season: 'spring',
        season_year: 2025,
        province: '浙江省',
        buyers: 1,
        orders: 2,
        revenue: 220,
      },
      {
        period_start: '2026-02-01',
        period_end: '2026-02-15',
        season: 'winter',
        season_year: 2025,
        province: '广东省',
        buyers: 1,
        orders: 1,
        revenue: 120,
      },
    ]);
  });

  it('repurchase_by_region: next purchase within 30 / 90 days of the first in the period; NULL past the data', async () => {
    const got = await rows(
      sql`SELECT period_start, province, buyers, repurchased_30d, repurchased_90d, repurchase_30d_rate,
         repurchase_90d_rate FROM repurchase_by_region ORDER BY period_start, province`,
    );
    const r = (start: string, province: string, ...v: (number | null)[]) => ({
      period_start: start,
      province,
      buyers: v[0],
      repurchased_30d: v[1],
      repurchased_90d: v[2],
      repurchase_30d_rate: v[3],
      repurchase_90d_rate: v[4],
    });
    expect(got).toEqual([
      r('2025-01-01', '浙江省', 1, 1, 1, 1, 1), // a1 → a2 after 15 days
      r('2025-01-16', '浙江省', 2, 1, 2, 0.5, 1), // a2 → a3 after 49 days; b1 → b3 after 27 days
      r('2025-02-01', '广东省', 1, 0, 0, 0, 0), // c1 → c2 after 367 days
      r('2025-02-16', '浙江省', 1, 0, 0, 0, 0), // b3: none after
      r('2025-03-01', '北京市', 1, 0, 0, 0, 0),
      r('2025-03-01', '浙江省', 1, 1, 1, 1, 1), // a counted once, from a3 → a4 after 2 days
      r('2026-02-01', '广东省', 1, 0, 0, null, null), // the windows end after the data
    ]);
  });

  it('member_figures: members (tier other than normal) by month, with month-over-month and year-over-year change', async () => {
    const got = await rows(sql`SELECT * FROM member_figures ORDER BY month`);
    expect(got.map((m) => m.month)).toEqual(['2025-01-01', '2025-02-01', '2025-03-01', '2026-02-01']);
    const [jan, feb, mar, feb26] = got;
    expect(jan).toMatchObject({
      members: 1,
      new_members: 1,
      new_members_mom: null,
      active_members: 1,
      member_orders: 2,
      member_revenue: 150,
      member_revenue_mom: null,
      member_revenue_yoy: null,
    });
    expect(feb).toMatchObject({
      members: 2,
      new_members: 1,
      new_members_mom: 0,
      active_members: 1,
      active_members_mom: 0,
      member_orders: 1,
      member_orders_mom: -0.5,
      member_revenue: 300,
      member_revenue_mom: 1,
    });
    expect(mar).toMatchObject({ members: 2, new_members: 0, new_members_mom: -1, member_orders_mom: 1 });
    expect(mar?.member_revenue_mom).toBeCloseTo(220 / 300 - 1, 12);
    // No January 2026 row: no month-over-month; the year before is February 2025.
    expect(feb26).toMatchObject({
      members: 2,
      new_members: 0,
      new_members_mom: null,
      new_members_yoy: -1,
      active_members_yoy: 0,
      member_orders_yoy: 0,
      member_revenue: 120,
      member_revenue_yoy: -0.6,
    });
  });

  it('member_repurchase_30d: members against non-members, from the first purchase of each month', async () => {
    expect(await rows(sql`SELECT * FROM member_repurchase_30d ORDER BY month, member_group`)).toEqual([
      { month: '2025-01-01', member_group: 'member', buyers: 1, repurchased_30d: 1, repurchase_30d_rate: 1 },
      {
        month: '2025-01-01',
        member_group: 'non-member',
        buyers: 1,
        repurchased_30d: 1,
        repurchase_30d_rate: 1,
      },
      { month: '2025-02-01', member_group: 'member', buyers: 1, repurchased_30d: 0, repurchase_30d_rate: 0 },
      {
        month: '2025-02-01',
        member_group: 'non-member',
        buyers: 1,
        repurchased_30d: 0,
        repurchase_30d_rate: 0,
      },
      { month: '2025-03-01', member_group: 'member', buyers: 1, repurchased_30d: 1, repurchase_30d_rate: 1 },
      {
        month: '2025-03-01',
        member_group: 'non-member',
        buyers: 1,
        repurchased_30d: 0,
        repurchase_30d_rate: 0,
      },
      {
        month: '2026-02-01',
        member_group: 'member',
        buyers: 1,
        repurchased_30d: 0,
        repurchase_30d_rate: null,
      },
    ]);
  });

  it('old_customer_share_7d: over the 7 days to each day, the share of orders and revenue from returning buyers', async () => {
    const got = await rows(
      sql`SELECT day, window_start, orders_7d, returning_orders_7d, revenue_7d, returning_revenue_7d, returning_order_share, returning_revenue_share FROM old_customer_share_7d ORDER BY day`,
    );
    const d = (day: string, start: string, o: number, ro: number, rev: number, rr: number) => ({
      day,
      window_start: start,
      orders_7d: o,
      returning_orders_7d: ro,
      revenue_7d: rev,
      returning_revenue_7d: rr,
      returning_order_share: ro / o,
      returning_revenue_share: rr / rev,
    });
    expect(got).toEqual([
      d('2025-01-05', '2024-12-30', 1, 0, 100, 0), // a1: a's first
      d('2025-01-20', '2025-01-14', 2, 1, 130, 50), // a2 returning, b1 new
      d('2025-02-03', '2025-01-28', 1, 0, 300, 0),
      d('2025-02-16', '2025-02-10', 1, 1, 30, 30),
      d('2025-03-03', '2025-02-25', 1, 0, 10, 0),
      d('2025-03-10', '2025-03-04', 1, 1, 200, 200), // e1 (03-03) is 7 days back: outside
      d('2025-03-12', '2025-03-06', 2, 2, 220, 220), // a3 and a4
      d('2026-02-05', '2026-01-30', 1, 1, 120, 120),
    ]);
  });

  it("repurchase_vs_industry: the shop's second-purchase rate in the benchmark's window against the figure entered", async () => {
    // Cohort: first purchase at least 365 days before the data's end (2026-02-05): a, b, c (not e).
    // Second purchase within 365 days: a (15 days), b (27); c's came after 367.
    expect(await rows(sql`SELECT * FROM repurchase_vs_industry`)).toEqual([
      {
        window_days: 365,
        cohort_buyers: 3,
        repurchased: 2,
        shop_rate: 2 / 3,
        industry_rate: 0.25,
        difference: 2 / 3 - 0.25,
        industry_source: "某行业报告 'clothing'",
      },
    ]);
  });

  it('repurchase_vs_industry without a figure: the 180-day rate, the industry columns NULL', async () => {
    const plain = await DuckDbWarehouse.open(await writeFixtureLake(ANALYSES_SHOP));
    try {
      // Cohort at 180 days (first purchase by 2025-08-09): a, b, c, e; within 180 days: a, b.
      expect((await plain.query(sql`SELECT * FROM repurchase_vs_industry`)).rows).toEqual([
        {
          window_days: 180,
          cohort_buyers: 4,
          repurchased: 2,
          shop_rate: 0.5,
          industry_rate: null,
          difference: null,
          industry_source: null,
        },
      ]);
    } finally {
      await plain.close();
    }
  });
});

describe('co_purchase on a hand-written lake', () => {
  /**
   * Paid orders (one basket each): p1–p5 A+B (p5 has A on two lines; p1 and p2 by the same buyer),
   * p6–p7 A, p8 B, p9–p10 C, p12–p15 A+C (4 orders: under the minimum). r11 A+B is refunded.
   * Categories: A and C are tshirt, B is socks. 14 baskets; A in 11, B in 6, tshirt in 13, socks in 6.
   */
  const line = (order: string, who: string, n: number, sku: string, status = 'paid') => ({
    order_id: order,
    line_no: n,
    customer_id: who,
    created_at: '2025-05-01 10:00:00',
    order_status: status,
    sku,
    category: sku === 'B' ? 'socks' : 'tshirt',
    quantity: 1,
    unit_price: 10,
  });
  const items = [
    ...['p1', 'p2', 'p3', 'p4', 'p5'].flatMap((o, i) => [
      line(o, i < 2 ? 'x1' : `x${i}`, 1, 'A'),
      line(o, i < 2 ? 'x1' : `x${i}`, 2, 'B'),
    ]),
    line('p5', 'x4', 3, 'A'),
    line('p6', 'y1', 1, 'A'),
    line('p7', 'y2', 1, 'A'),
    line('p8', 'y3', 1, 'B'),
    line('p9', 'y4', 1, 'C'),
    line('p10', 'y5', 1, 'C'),
    line('r11', 'y6', 1, 'A', 'refunded'),
    line('r11', 'y6', 2, 'B', 'refunded'),
    ...['p12', 'p13', 'p14', 'p15'].flatMap((o) => [line(o, `z${o}`, 1, 'A'), line(o, `z${o}`, 2, 'C')]),
  ];

  it('pairs bought in the same paid order, both ways, with support, confidence and lift; rare pairs left out', async () => {
    const w = await DuckDbWarehouse.open(await writeFixtureLake({ order_items: items }));
    try {
      const got = (await w.query(sql`SELECT * FROM co_purchase ORDER BY level, item_a`)).rows;
      const pair = (level: string, a: string, b: string, na: number, nb: number) => ({
        level,
        item_a: a,
        item_b: b,
        orders_with_a: na,
        orders_with_b: nb,
        orders_with_both: 5,
        buyers_with_both: 4,
        support: 5 / 14,
        confidence: 5 / na,
        lift: (5 * 14) / (na * nb),
      });
      expect(got).toEqual([
        pair('category', 'socks', 'tshirt', 6, 13),
        pair('category', 'tshirt', 'socks', 13, 6),
        pair('sku', 'A', 'B', 11, 6),
        pair('sku', 'B', 'A', 6, 11),
      ]);
    } finally {
      await w.close();
    }
  });
});

it('every shop analysis has a hand-checked test above', () => {
  expect(shopAnalyses(null).map((v) => v.name)).toEqual([
    'co_purchase',
    'buyers_by_region_period',
    'repurchase_by_region',
    'member_figures',
    'member_repurchase_30d',
    'old_customer_share_7d',
    'repurchase_vs_industry',
  ]);
});
