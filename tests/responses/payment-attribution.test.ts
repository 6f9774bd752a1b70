import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { attributionRowsSql } from '../../shared/responses/attribution-sql.ts';
import { campaignReport } from '../../shared/responses/campaign-report.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';
import { fixtureOrder, writeFixtureLake } from '../helpers/fixture-lake.ts';

/**
 * The unpaid reminder (催付) of the example Double-11 (`d11-unpaid`, audience rule `unpaid`), by hand:
 * SMS at 2026-11-12 02:00 UTC (10:00 Beijing), delivered at once; SMS delivery window 1 day, click 5 days.
 * The orders it is for were created on 11 Nov, before the reminder, and paid after it.
 */
const sms = (customer: string) => ({
  send_id: `d/d11-unpaid/${customer}`,
  campaign_id: 'd',
  wave_id: 'd11-unpaid',
  customer_id: customer,
  category: 'transactional',
  channel: 'sms',
  status: 'sent',
  arm: 'treatment',
  cost: 0.045,
  planned_at: '2026-11-12 02:00:00',
  sent_at: '2026-11-12 02:00:00',
  message_id: `m-${customer}`,
});
const delivered = (customer: string) => ({
  event_id: `e-${customer}`,
  event_type: 'delivered',
  campaign_id: 'd',
  send_id: `d/d11-unpaid/${customer}`,
  channel: 'sms',
  occurred_at: '2026-11-12 02:00:05',
  source: 'sns',
});
const order = (id: string, customer: string, created: string, paid: string | null, amount: number) =>
  fixtureOrder(id, customer, created, paid, amount, { discount: 0, source: 'order-events' });

let wh: DuckDbWarehouse;
let campaign: Campaign;
beforeAll(async () => {
  campaign = { ...(await loadDouble11()), id: 'd' };
  wh = await DuckDbWarehouse.open(
    await writeFixtureLake({
      customers: ['a', 'b', 'c', 'd'].map((customer_id) => ({ customer_id })),
      sends: ['a', 'b', 'c', 'd'].map(sms),
      events: ['a', 'b', 'c', 'd'].map(delivered),
      orders: [
        // Created before the reminder, paid 2 hours after it: the reminder's return.
        order('pa', 'a', '2026-11-11 03:00:00', '2026-11-12 04:00:00', 199),
        // Paid before the reminder went out: not the reminder's.
        order('pb', 'b', '2026-11-11 03:00:00', '2026-11-12 01:00:00', 88),
        // Paid two days after: outside the delivery window (1 day), and no click.
        order('pc', 'c', '2026-11-11 03:00:00', '2026-11-14 03:00:00', 66),
        // Still unpaid: nothing.
        order('pd', 'd', '2026-11-11 03:00:00', null, 300),
        // A new order after the reminder: a reminder is credited with payments of earlier orders only.
        order('nd', 'd', '2026-11-12 05:00:00', '2026-11-12 05:01:00', 45),
      ],
    }),
  );
});
afterAll(async () => {
  await wh.close();
});

describe('payment attribution', () => {
  it('credits the reminder with the unpaid order paid in its window after the touch, once, for the order’s amount', async () => {
    const r = await campaignReport(wh, [campaign], campaign);
    const unpaid = r.waves.find((w) => w.waveId === 'd11-unpaid');
    expect(unpaid?.attributed).toEqual({ orders: 1, revenue: 199, roi: 1105.556 });
    expect(r.totals.attributedRevenue).toBe(199);
    const { rows } = await wh.query(
      sql`WITH a AS (${attributionRowsSql([campaign], 'last-touch', new Date('2026-12-01T00:00:00Z'))})
       SELECT order_id, wave_id, touch, CAST(amount AS DOUBLE) AS amount FROM a`,
    );
    expect(rows).toEqual([{ order_id: 'pa', wave_id: 'd11-unpaid', touch: 'delivered', amount: 199 }]);
  });
});
