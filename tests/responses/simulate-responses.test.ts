import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { EVENTS, ORDERS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import { DEFAULT_RESPONSE_MODEL, simulateWaveResponses } from '../../shared/responses/simulate-responses.ts';
import { deliveryHarness, type Harness, loadDouble11, sampleShop } from '../helpers/delivery-harness.ts';

let h: Harness;
let d11: Campaign;
beforeAll(async () => {
  d11 = await loadDouble11();
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

describe('the simulated audience', () => {
  it('responds only to what was sent, buys at base × true lift when treated and at base in the holdout, and says it is simulated', async () => {
    const model = { ...DEFAULT_RESPONSE_MODEL, baseConversion: 0.1, trueLift: 3, unpaidShare: 0.2 };
    const deps = {
      ...h.local,
      warehouse: h.warehouse,
      events: new StagedParquetWriter(h.dataDir, EVENTS),
      suppressions: new StagedParquetWriter(h.dataDir, SUPPRESSIONS),
      orders: new StagedParquetWriter(h.dataDir, ORDERS),
    };
    const report = await simulateWaveResponses(deps, d11.id, 'd11-afternoon', model);
    // Seeded: the same sends and seed give the same responses.
    expect(
      await simulateWaveResponses(
        {
          ...deps,
          events: { append: async () => {}, flush: async () => {} },
          orders: { append: async () => {}, flush: async () => {} },
        },
        d11.id,
        'd11-afternoon',
        model,
      ),
    ).toEqual(report);
    await Promise.all([deps.events.flush(), deps.suppressions.flush(), deps.orders.flush()]);
    await h.warehouse.refreshViews(h.dataDir);

    const q = async (sql: string) => (await h.warehouse.query(sql)).rows;
    const [counts] = await q(`SELECT
      count(*) FILTER (WHERE status = 'sent') AS treated,
      count(*) FILTER (WHERE reason = 'holdout') AS holdout FROM sends WHERE wave_id = 'd11-afternoon'`);
    const [conv] = await q(`SELECT
      count(DISTINCT o.customer_id) FILTER (WHERE s.status = 'sent') AS treated,
      count(DISTINCT o.customer_id) FILTER (WHERE s.reason = 'holdout') AS holdout
      FROM orders o JOIN sends s ON s.customer_id = o.customer_id AND s.wave_id = 'd11-afternoon' WHERE o.source = 'simulation'`);
    const treatedRate = Number(conv?.treated) / Number(counts?.treated);
    const holdoutRate = Number(conv?.holdout) / Number(counts?.holdout);
    expect(Number(counts?.holdout)).toBeGreaterThan(200);
    expect(treatedRate).toBeGreaterThan(0.27);
    expect(treatedRate).toBeLessThan(0.33);
    expect(holdoutRate).toBeGreaterThan(0.06);
    expect(holdoutRate).toBeLessThan(0.14);

    // No event for a holdout customer; every simulated row says so.
    const [leak] = await q(
      `SELECT count(*) AS n FROM events e JOIN sends s ON s.send_id = e.send_id WHERE s.reason = 'holdout'`,
    );
    expect(Number(leak?.n)).toBe(0);
    const sources = await q(
      `SELECT DISTINCT source FROM events UNION ALL SELECT DISTINCT source FROM orders WHERE order_id LIKE 'sim-%'`,
    );
    expect(sources.map((r) => r.source)).toEqual(['simulation', 'simulation']);
    const [orders] = await q(
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'unpaid' AND paid_at IS NULL) AS unpaid FROM orders WHERE source = 'simulation'`,
    );
    expect(Number(orders?.n)).toBe(report.orders);
    expect(Number(orders?.unpaid)).toBe(report.unpaid);
    expect(report.unpaid).toBeGreaterThan(0);
    const funnel = await q(`SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 1`);
    const n = Object.fromEntries(funnel.map((r) => [r.event_type, Number(r.n)]));
    expect(n.delivered).toBeGreaterThan(n.clicked ?? 0);
    expect(n.opened).toBeGreaterThan(0);
  });
});
