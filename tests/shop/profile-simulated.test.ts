import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { analysesSummary } from '../../shared/shop/analyses-summary.ts';
import { shopProfile } from '../../shared/shop/shop-profile.ts';
import { ANALYSES_SHOP } from '../helpers/analyses-shop.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/**
 * The hand-written shop of tests/helpers/analyses-shop.ts plus what a response simulation writes: an order
 * of its own (sim-…) and a generated order it paid (merged by id, so its row is marked simulated too).
 */
const line = (order: string, who: string, day: string, sku: string) => ({
  order_id: order,
  line_no: 1,
  customer_id: who,
  created_at: `${day} 10:00:00`,
  order_status: 'paid',
  sku,
  category: sku,
  quantity: 1,
  unit_price: 10,
});
const simulated = (id: string, day: string, amount: number) => ({
  order_id: id,
  customer_id: 'e',
  created_at: `${day} 10:00:00`,
  paid_at: `${day} 10:05:00`,
  status: 'paid',
  amount,
  source: 'simulation',
});
const SHOP = {
  ...ANALYSES_SHOP,
  order_items: [line('a1', 'a', '2025-01-05', 'tshirt'), line('a2', 'a', '2025-01-20', 'skirt')],
};
const WITH_SIMULATION = {
  ...SHOP,
  // e came back within 30 days in March (a non-member's repurchase) only in the simulation.
  orders: [...SHOP.orders, simulated('sim-c1-0001', '2025-03-20', 60), simulated('e2', '2025-03-25', 70)],
  order_items: [
    ...SHOP.order_items,
    line('sim-c1-0001', 'e', '2025-03-20', 'socks'),
    line('e2', 'e', '2025-03-25', 'socks'),
  ],
};

let shopDir: string;
let simDir: string;
beforeAll(async () => {
  [shopDir, simDir] = await Promise.all([writeFixtureLake(SHOP), writeFixtureLake(WITH_SIMULATION)]);
});
afterAll(async () => {
  await Promise.all([shopDir, simDir].map((d) => rm(d, { recursive: true, force: true })));
});

async function figures(dir: string, simulated: 'include' | 'exclude') {
  const wh = await DuckDbWarehouse.open(dir, { simulated });
  try {
    const lines = await wh.query(sql`SELECT order_id FROM order_items ORDER BY order_id`);
    return {
      profile: await shopProfile(wh),
      analyses: await analysesSummary(wh),
      lines: lines.rows.map((r) => r.order_id),
    };
  } finally {
    await wh.close();
  }
}

describe('the shop profile leaves out the response simulation’s orders unless asked', () => {
  it('a warehouse opened with simulated: exclude sees the shop as it was before the simulation', async () => {
    const before = await figures(shopDir, 'include');
    const excluded = await figures(simDir, 'exclude');
    expect(excluded).toEqual(before);
    expect(excluded.lines).toEqual(['a1', 'a2']);
  });

  it('with simulated: include (the default) it counts them', async () => {
    const before = await figures(shopDir, 'include');
    const included = await figures(simDir, 'include');
    expect(included.profile.orders).toBe(before.profile.orders + 2);
    expect(included.profile.paidOrders).toBe(before.profile.paidOrders + 2);
    expect(included.lines).toEqual(['a1', 'a2', 'e2', 'sim-c1-0001']);
    expect(before.analyses.memberRepurchase30d).toEqual({ month: '2025-03', member: 1, nonMember: 0 });
    expect(included.analyses.memberRepurchase30d).toEqual({ month: '2025-03', member: 1, nonMember: 1 });
  });

  it('campaign data profile leaves them out by default and counts them with --include-simulated', () => {
    const profile = (...flags: string[]) => {
      const r = campaignCli(['data', 'profile', '--data-dir', simDir, '--json', ...flags]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const orders = ANALYSES_SHOP.orders.length;
    expect(profile()).toMatchObject({ orders, simulated: 'excluded' });
    expect(profile('--include-simulated')).toMatchObject({ orders: orders + 2, simulated: 'included' });
    const text = campaignCli(['data', 'profile', '--data-dir', simDir]);
    expect(text.stdout).toContain('simulated orders left out; --include-simulated counts them');
  });
});
