import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { EVENTS, ORDER_ITEMS, ORDERS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import { payOrdersInLake } from '../../shared/responses/local/pay-orders.ts';
import {
  DEFAULT_RESPONSE_MODEL,
  type SimulationDeps,
  simulateWaveResponses,
} from '../../shared/responses/simulate-responses.ts';
import { deliveryHarness, type Harness, loadDouble11, sampleShop } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

const simulationDeps = (
  dataDir: string,
  warehouse: DuckDbWarehouse,
): SimulationDeps & { close(): Promise<void> } => {
  const contacts = { apply: async () => [] } as unknown as SimulationDeps['contacts'];
  return {
    contacts,
    warehouse,
    events: new StagedParquetWriter(dataDir, EVENTS),
    suppressions: new StagedParquetWriter(dataDir, SUPPRESSIONS),
    orders: new StagedParquetWriter(dataDir, ORDERS),
    orderItems: new StagedParquetWriter(dataDir, ORDER_ITEMS),
    payOrders: (payments) => payOrdersInLake(dataDir, payments),
    close: async () => {},
  };
};

let d11: Campaign;
beforeAll(async () => {
  d11 = await loadDouble11();
});

describe('the simulated audience on a wave of the sample shop', () => {
  let h: Harness;
  beforeAll(async () => {
    const shop = await sampleShop(6_000);
    const campaign: Campaign = {
      ...d11,
      budget: undefined,
      waves: d11.waves
        .filter((w) => w.id === 'd11-afternoon')
        .map((w) => ({ ...w, start: '2026-11-11T14:00' })),
    };
    h = await deliveryHarness(shop, [campaign]);
    for (const sw of h.waves(campaign)) await h.run(sw);
  });
  afterAll(async () => h?.close());

  it('responds only to what was sent, with the same responses on a re-run, buys more when treated, and says it is simulated', async () => {
    const model = { ...DEFAULT_RESPONSE_MODEL, trueLift: 3, unpaidShare: 0.2 };
    const deps = { ...h.local, ...simulationDeps(h.dataDir, h.warehouse) };
    const report = await simulateWaveResponses(deps, d11, 'd11-afternoon', model);
    // Seeded: the same sends and seed give the same responses.
    const discard = { append: async () => {}, flush: async () => {} };
    expect(
      await simulateWaveResponses(
        { ...deps, events: discard, orders: discard, orderItems: discard },
        d11,
        'd11-afternoon',
        model,
      ),
    ).toEqual(report);
    await Promise.all([deps.events.flush(), deps.suppressions.flush()]);
    await h.warehouse.refreshViews(h.dataDir);

    const q = async (text: Sql) => (await h.warehouse.query(text)).rows;
    const [rates] =
      await q(sql`WITH s AS (SELECT DISTINCT customer_id, status, reason FROM sends WHERE wave_id = 'd11-afternoon'),
      b AS (SELECT DISTINCT customer_id FROM orders WHERE source = 'simulation')
      SELECT avg(CASE WHEN b.customer_id IS NOT NULL THEN 1 ELSE 0 END) FILTER (WHERE s.status = 'sent') AS treated,
        avg(CASE WHEN b.customer_id IS NOT NULL THEN 1 ELSE 0 END) FILTER (WHERE s.reason = 'holdout') AS holdout,
        count(*) FILTER (WHERE s.reason = 'holdout') AS holdouts
      FROM s LEFT JOIN b ON b.customer_id = s.customer_id`);
    expect(Number(rates?.holdouts)).toBeGreaterThan(200);
    // Treated customers buy at about base × 3; with base rates that differ by customer the ratio of the
    // group rates is near 3, not exactly.
    expect(Number(rates?.treated) / Number(rates?.holdout)).toBeGreaterThan(2);
    expect(Number(rates?.treated) / Number(rates?.holdout)).toBeLessThan(4.5);

    // No event for a holdout customer; every simulated row says so; every simulated order has a line.
    const [leak] = await q(
      sql`SELECT count(*) AS n FROM events e JOIN sends s ON s.send_id = e.send_id WHERE s.reason = 'holdout'`,
    );
    expect(Number(leak?.n)).toBe(0);
    const sources = await q(
      sql`SELECT DISTINCT source FROM events UNION ALL SELECT DISTINCT source FROM orders WHERE order_id LIKE 'sim-%'`,
    );
    expect(sources.map((r) => r.source)).toEqual(['simulation', 'simulation']);
    const [orders] =
      await q(sql`SELECT count(*) AS n, count(*) FILTER (WHERE status = 'unpaid' AND paid_at IS NULL) AS unpaid,
      count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM order_items i JOIN products p ON p.sku = i.sku WHERE i.order_id = o.order_id)) AS no_line
      FROM orders o WHERE source = 'simulation'`);
    expect(Number(orders?.n)).toBe(report.orders);
    expect(Number(orders?.unpaid)).toBe(report.unpaid);
    expect(report.unpaid).toBeGreaterThan(0);
    expect(Number(orders?.no_line)).toBe(0);
    const funnel = await q(sql`SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 1`);
    const n = Object.fromEntries(funnel.map((r) => [r.event_type, Number(r.n)]));
    expect(n.delivered).toBeGreaterThan(n.clicked ?? 0);
    expect(n.opened).toBeGreaterThan(0);
  });
});

const PLANNED = '2026-11-11 06:00:00';
const ARMS = [
  { status: 'sent', reason: null, arm: 'treatment' },
  { status: 'suppressed', reason: 'cap', arm: 'treatment' },
  { status: 'suppressed', reason: 'holdout', arm: 'holdout' },
  { status: 'suppressed', reason: 'holdout', arm: 'wave-holdout' },
  { status: 'suppressed', reason: 'opt-out', arm: null },
] as const;

describe('the simulated audience (hand-made customers)', () => {
  it('buys at each customer’s own rate, in every assigned group whether or not a message went out, and nothing for the unassigned', async () => {
    // 2,000 customers: the even ones bought every month of the last year, the odd ones once, two years ago.
    const customers = Array.from({ length: 2_000 }, (_, i) => ({ customer_id: `u${i}` }));
    const monthly = Array.from({ length: 12 }, (_, k) => {
      const d = new Date(Date.UTC(2025, 10 + k, 15, 10));
      return d.toISOString().replace('T', ' ').slice(0, 19);
    });
    const orders = customers.flatMap(({ customer_id }, i) =>
      (i % 2 === 0 ? monthly : ['2024-11-01 10:00:00']).map((created, k) => ({
        order_id: `${customer_id}-${k}`,
        customer_id,
        created_at: created,
        paid_at: created,
        status: 'paid',
        amount: 100,
        source: 'generated',
      })),
    );
    // Each arm, frequent and rare buyers alike (customers 2k and 2k + 1 share one).
    const sends = customers.map(({ customer_id }, i) => {
      const arm = ARMS[Math.floor(i / 2) % ARMS.length] ?? ARMS[0];
      return {
        send_id: `${d11.id}/d11-afternoon/${customer_id}`,
        campaign_id: d11.id,
        wave_id: 'd11-afternoon',
        customer_id,
        category: 'marketing',
        channel: 'sms',
        planned_at: PLANNED,
        sent_at: arm.status === 'sent' ? PLANNED : null,
        ...arm,
      };
    });
    const dataDir = await writeFixtureLake({
      customers,
      orders,
      sends,
      products: [{ sku: 'tee-1', category: 'tshirt' }],
    });
    const wh = await DuckDbWarehouse.open(dataDir);
    const deps = simulationDeps(dataDir, wh);
    await simulateWaveResponses(deps, d11, 'd11-afternoon', { ...DEFAULT_RESPONSE_MODEL, trueLift: 1 });
    await Promise.all([deps.events.flush(), deps.suppressions.flush()]);
    await wh.refreshViews(dataDir);
    const rows = (
      await wh.query(sql`SELECT s.arm, s.status, CAST(substr(s.customer_id, 2) AS INTEGER) % 2 = 0 AS frequent,
        count(*) AS customers, count(o.customer_id) AS buyers
      FROM sends s LEFT JOIN (SELECT DISTINCT customer_id FROM orders WHERE source = 'simulation') o
        ON o.customer_id = s.customer_id
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
    ).rows;
    const buyers = (arm: string | null, frequent: boolean) =>
      rows
        .filter((r) => r.arm === arm && Boolean(r.frequent) === frequent)
        .reduce((n, r) => n + Number(r.buyers), 0);
    const customersOf = (arm: string | null, frequent: boolean) =>
      rows
        .filter((r) => r.arm === arm && Boolean(r.frequent) === frequent)
        .reduce((n, r) => n + Number(r.customers), 0);
    // Unassigned customers (left out before assignment) are not simulated at all.
    expect(buyers(null, true) + buyers(null, false)).toBe(0);
    // Frequent buyers (12 orders a year): a day's rate (12.2 / 365) × 2.5, over 2 days ≈ 15%; the one-off
    // buyers of two years ago (0.2 / 365) × 2.5 ≈ 0.3%. In every assigned group, sent or not.
    for (const arm of ['treatment', 'holdout', 'wave-holdout']) {
      const rate = buyers(arm, true) / customersOf(arm, true);
      expect({ arm, rate: rate > 0.08 && rate < 0.24 }).toEqual({ arm, rate: true });
    }
    const sentNot = rows.find((r) => r.arm === 'treatment' && r.status === 'suppressed' && r.frequent);
    expect(Number(sentNot?.buyers)).toBeGreaterThan(0);
    const rare = ['treatment', 'holdout', 'wave-holdout'].reduce((n, a) => n + buyers(a, false), 0);
    expect(rare).toBeLessThan(15);
    await wh.close();
  });

  it('a reminder gets unpaid orders paid, more often when it went out: the lake records the payment in place', async () => {
    const customers = Array.from({ length: 400 }, (_, i) => ({ customer_id: `p${i}` }));
    const orders = customers.map(({ customer_id }) => ({
      order_id: `${customer_id}-u`,
      customer_id,
      created_at: '2026-11-11 20:00:00',
      paid_at: null,
      status: 'unpaid',
      amount: 88.5,
      source: 'order-events',
    }));
    const items = orders.map((o) => ({
      order_id: o.order_id,
      line_no: 1,
      customer_id: o.customer_id,
      created_at: o.created_at,
      order_status: 'unpaid',
      sku: 'tee-1',
      category: 'tshirt',
      quantity: 1,
      unit_price: 88.5,
    }));
    const planned = '2026-11-12 02:00:00';
    const sends = customers.map(({ customer_id }, i) => ({
      send_id: `${d11.id}/d11-unpaid/${customer_id}`,
      campaign_id: d11.id,
      wave_id: 'd11-unpaid',
      customer_id,
      category: 'transactional',
      channel: 'sms',
      planned_at: planned,
      sent_at: i % 2 === 0 ? planned : null,
      status: i % 2 === 0 ? 'sent' : 'suppressed',
      reason: i % 2 === 0 ? null : 'holdout',
      arm: i % 2 === 0 ? 'treatment' : 'holdout',
    }));
    const dataDir = await writeFixtureLake({
      customers,
      orders,
      order_items: items,
      sends,
      products: [{ sku: 'tee-1', category: 'tshirt' }],
    });
    const wh = await DuckDbWarehouse.open(dataDir);
    const deps = simulationDeps(dataDir, wh);
    const report = await simulateWaveResponses(deps, d11, 'd11-unpaid', {
      ...DEFAULT_RESPONSE_MODEL,
      activity: 0,
      paysUnpaid: 0.3,
      trueLift: 2,
    });
    await wh.refreshViews(dataDir);
    const [paid] = (
      await wh.query(sql`SELECT
        count(*) FILTER (WHERE o.status = 'paid' AND s.status = 'sent') AS treated,
        count(*) FILTER (WHERE o.status = 'paid' AND s.status <> 'sent') AS holdout,
        count(*) FILTER (WHERE o.status = 'paid' AND (o.paid_at < TIMESTAMP ${sqlString(planned)} OR o.amount <> 88.5
          OR o.created_at <> TIMESTAMP '2026-11-11 20:00:00')) AS wrong,
        count(*) AS orders
      FROM orders o JOIN sends s ON s.customer_id = o.customer_id WHERE o.order_id LIKE '%-u'`)
    ).rows;
    // 200 each: about 60% paid when reminded (0.3 × 2), about 30% without.
    expect(Number(paid?.orders)).toBe(400);
    expect(Number(paid?.treated) + Number(paid?.holdout)).toBe(report.paid);
    expect(Number(paid?.treated)).toBeGreaterThan(95);
    expect(Number(paid?.treated)).toBeLessThan(145);
    expect(Number(paid?.holdout)).toBeGreaterThan(40);
    expect(Number(paid?.holdout)).toBeLessThan(80);
    expect(Number(paid?.wrong)).toBe(0);
    // The order's line stayed and took the paid status.
    const [lines] = (
      await wh.query(sql`SELECT count(*) AS n, count(*) FILTER (WHERE i.order_status = o.status) AS in_step
        FROM order_items i JOIN orders o ON o.order_id = i.order_id WHERE o.order_id LIKE '%-u'`)
    ).rows;
    expect(lines).toEqual({ n: 400, in_step: 400 });
    await wh.close();
  });

  it('refuses a ledger row it cannot read, naming the query and the column, rather than simulating nothing for it', async () => {
    const send = (over: Record<string, unknown>) => ({
      send_id: `${d11.id}/d11-afternoon/u1`,
      campaign_id: d11.id,
      wave_id: 'd11-afternoon',
      customer_id: 'u1',
      category: 'marketing',
      planned_at: PLANNED,
      status: 'sent',
      arm: 'treatment',
      ...over,
    });
    const simulate = async (row: Record<string, unknown>) => {
      const dataDir = await writeFixtureLake({ customers: [{ customer_id: 'u1' }], sends: [row] });
      const wh = await DuckDbWarehouse.open(dataDir);
      try {
        return await simulateWaveResponses(simulationDeps(dataDir, wh), d11, 'd11-afternoon');
      } finally {
        await wh.close();
      }
    };
    await expect(simulate(send({ channel: 'fax', sent_at: PLANNED }))).rejects.toThrow(
      'the simulated audience’s recipients: column channel expected one of email, sms, call-list or NULL, got text of 3 characters',
    );
    await expect(simulate(send({ channel: 'sms', sent_at: null }))).rejects.toThrow(
      `send ${d11.id}/d11-afternoon/u1 is sent but has no sent_at`,
    );
  });
});
