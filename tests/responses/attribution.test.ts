import { beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { ManualClock } from '../../shared/clock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { RowShapeError } from '../../shared/lake/row-decoder.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import type { Warehouse } from '../../shared/lake/warehouse.ts';
import { campaignReport } from '../../shared/responses/campaign-report.ts';
import { LocalResponseTables } from '../../shared/responses/local/response-tables.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/**
 * A fixture small enough to attribute by hand. Windows: email open 2 days, SMS delivery 1 day (click 5
 * days, so the lift window is 5 days). Expected figures are worked out in the comments, not by the code.
 */
const send = (id: string, over: Record<string, unknown>) => ({
  send_id: `c/${id}`,
  campaign_id: 'c',
  category: 'marketing',
  variant: null,
  planned_at: '2026-11-11 00:00:00',
  segment: String(over.wave_id) === 'w2' ? 'vip' : 'lapsed',
  ...over,
});
const w1u1 = send('w1/u1', {
  wave_id: 'w1',
  customer_id: 'u1',
  channel: 'email',
  status: 'sent',
  cost: 0.01,
  sent_at: '2026-11-11 00:00:00',
  message_id: 'm1',
});
const sends = [
  w1u1,
  // The ledger is written at least once: the same send again.
  { ...w1u1 },
  send('w1/u2', {
    wave_id: 'w1',
    customer_id: 'u2',
    channel: 'sms',
    status: 'sent',
    cost: 0.09,
    sent_at: '2026-11-11 00:00:00',
    message_id: 'm2',
    sms_segments: 2,
  }),
  send('w1/u3', {
    wave_id: 'w1',
    customer_id: 'u3',
    channel: 'email',
    status: 'suppressed',
    reason: 'holdout',
  }),
  send('w2/u1', {
    wave_id: 'w2',
    customer_id: 'u1',
    channel: 'email',
    status: 'sent',
    cost: 0.01,
    planned_at: '2026-11-12 00:00:00',
    sent_at: '2026-11-12 00:00:00',
    message_id: 'm4',
  }),
];
const event = (id: string, over: Record<string, unknown>) => ({
  event_id: id,
  campaign_id: 'c',
  source: 'ses',
  ...over,
});
const events = [
  event('e1', {
    event_type: 'opened',
    send_id: 'c/w1/u1',
    channel: 'email',
    occurred_at: '2026-11-11 01:00:00',
  }),
  // An SMS receipt knows only the provider's message id.
  event('e2', {
    event_type: 'delivered',
    send_id: null,
    message_id: 'm2',
    campaign_id: null,
    channel: 'sms',
    occurred_at: '2026-11-11 00:00:05',
    source: 'sms-receipt',
  }),
  event('e3', {
    event_type: 'opened',
    send_id: 'c/w2/u1',
    channel: 'email',
    occurred_at: '2026-11-12 01:00:00',
  }),
  event('e3', {
    event_type: 'opened',
    send_id: 'c/w2/u1',
    channel: 'email',
    occurred_at: '2026-11-12 01:00:00',
  }),
  // u1 clicks w2's link an hour after opening it: o2 (06:00) goes to the click, the last touch.
  event('e4', {
    event_type: 'clicked',
    send_id: 'c/w2/u1',
    channel: 'email',
    occurred_at: '2026-11-12 02:00:00',
  }),
];
const order = (id: string, customer: string, created: string, amount: number, status = 'paid') => ({
  order_id: id,
  customer_id: customer,
  created_at: created,
  paid_at: status === 'paid' ? created : null,
  status,
  amount,
  discount: 0,
  source: 'generated',
});
const orders = [
  order('o1', 'u1', '2026-11-11 12:00:00', 100.1), // w1 open (01:00 + 2d) holds it; w2 not yet opened → w1
  order('o2', 'u1', '2026-11-12 06:00:00', 50.05), // both w1 open and w2 open hold it: last touch → w2, first → w1
  order('o3', 'u2', '2026-11-11 12:00:00', 30), // SMS delivered 00:00:05 + 1d holds it → w1 sms
  order('o4', 'u2', '2026-11-12 12:00:00', 20), // after the SMS window: not attributed (but in the 5-day lift window)
  order('o5', 'u3', '2026-11-11 10:00:00', 70), // holdout: never attributed, counts for the holdout's conversion
  order('o6', 'u1', '2026-11-11 13:00:00', 999, 'unpaid'), // never paid: nothing
];

const item = (order_id: string, line_no: number, sku: string, quantity: number, unit_price: number) => ({
  order_id,
  line_no,
  sku,
  category: sku === 'tee-1' ? 'tshirt' : 'socks',
  quantity,
  unit_price,
  created_at: '2026-11-11 00:00:00',
  order_status: 'paid',
});
const orderItems = [
  item('o1', 1, 'tee-1', 2, 40), // o1: 2 tees (80.00) and 1 pair of socks (20.10)
  item('o1', 2, 'socks-1', 1, 20.1),
  item('o2', 1, 'tee-1', 1, 50.05),
  item('o3', 1, 'socks-1', 3, 10),
];

const customers = ['u1', 'u2', 'u3'].map((customer_id) => ({ customer_id }));

let wh: DuckDbWarehouse;
let base: Campaign;
beforeAll(async () => {
  const d11 = await loadDouble11();
  base = {
    ...d11,
    id: 'c',
    attribution: {
      model: 'last-touch',
      windows: { email: { open: '2d', click: '5d' }, sms: { delivered: '1d', click: '5d' }, 'call-list': {} },
    },
  };
  wh = await DuckDbWarehouse.open(await writeFixtureLake({ customers, sends, events, orders }));
});

describe('attribution (hand-computed)', () => {
  it('last touch: each paid order to at most one send, revenue to the cent, duplicates counted once', async () => {
    const r = await campaignReport(wh, [base], base);
    const row = (wave: string, channel: string) =>
      r.funnel.find((f) => f.waveId === wave && f.channel === channel);
    expect(row('w1', 'email')).toMatchObject({
      audience: 2,
      holdout: 1,
      sent: 1,
      opened: 1,
      delivered: 0,
      converted: 1,
      orders: 1,
      revenue: 100.1,
      cost: 0.01,
      attributedRoi: 10010,
    });
    expect(row('w1', 'sms')).toMatchObject({
      audience: 1,
      sent: 1,
      delivered: 1,
      converted: 1,
      orders: 1,
      revenue: 30,
      cost: 0.09,
      attributedRoi: 333.333,
    });
    expect(row('w2', 'email')).toMatchObject({
      audience: 1,
      sent: 1,
      opened: 1,
      orders: 1,
      revenue: 50.05,
      cost: 0.01,
    });
    // 100.10 + 30.00 + 50.05: never more than the 270.15 of paid orders, and each order once.
    expect(r.totals).toEqual({ sent: 3, attributedRevenue: 180.15, cost: 0.11, attributedRoi: 1637.727 });
    expect(r.simulated).toBe(false);
    // Lift window: a day to send (w1 is not in the campaign's file) and the 5-day click window. Treated
    // in w1: u1 (100.10 + 50.05), u2 (30 + 20); holdout: u3 (70).
    const w1 = r.waves.find((w) => w.waveId === 'w1')?.lift;
    expect(w1?.treated).toEqual({ customers: 2, converted: 2, rate: 1, revenuePerCustomer: 100.08 });
    expect(w1?.holdout).toEqual({ customers: 1, converted: 1, rate: 1, revenuePerCustomer: 70 });
    // One holdout customer is too few to read: no interval is claimed, and the report says why.
    expect(w1?.readable).toBe(false);
    expect(w1?.incrementalRevenue).toBeNull();
    expect(w1?.note).toBe('every customer of both groups converted: there is no difference to read');
  });

  it('first touch moves the order both waves could claim to the earlier one', async () => {
    const first: Campaign = { ...base, attribution: { ...base.attribution, model: 'first-touch' } };
    const r = await campaignReport(wh, [first], first);
    expect(r.funnel.find((f) => f.waveId === 'w1' && f.channel === 'email')?.revenue).toBe(150.15);
    expect(r.funnel.find((f) => f.waveId === 'w2')?.revenue).toBe(0);
    expect(r.totals.attributedRevenue).toBe(180.15);
  });

  it('an order is claimed once across campaigns: the other campaign’s later touch wins it', async () => {
    // Another campaign touched u1 after w1 (the second send of the fixture, seen as its own campaign).
    const other: Campaign = { ...base, id: 'other' };
    const withOther = await DuckDbWarehouse.open(
      await writeFixtureLake({
        customers,
        sends: [...sends, { ...sends[4], send_id: 'other/x/u1', campaign_id: 'other', wave_id: 'x' }],
        events: [
          ...events,
          event('e9', {
            event_type: 'opened',
            send_id: 'other/x/u1',
            campaign_id: 'other',
            channel: 'email',
            occurred_at: '2026-11-11 11:00:00',
          }),
        ],
        orders,
      }),
    );
    const r = await campaignReport(withOther, [base, other], base);
    // o1 (12:00) now goes to other's 11:00 open; o2 (next day 06:00) to w2's 01:00 open.
    expect(r.funnel.find((f) => f.waveId === 'w1' && f.channel === 'email')?.revenue).toBe(0);
    expect(r.totals.attributedRevenue).toBe(80.05);
    await withOther.close();
  });

  it('writes the attribution table (each order once) and the analysts’ views agree with the report', async () => {
    const dir = await writeFixtureLake({ customers, sends, events, orders, order_items: orderItems });
    const local = await DuckDbWarehouse.open(dir);
    const rowsOf = async (text: Sql) => (await local.query(text)).rows;
    const tables = await new LocalResponseTables(
      local,
      dir,
      new ManualClock(new Date('2026-11-20T00:00:00Z')),
    ).rewrite([base], 'last-touch');
    expect(tables.map((t) => t.table)).toEqual(['attribution', 'lift']);
    expect(tables[0]?.rows).toBe(3);
    const rows = await rowsOf(
      sql`SELECT order_id, wave_id, channel, touch, amount FROM attribution ORDER BY order_id`,
    );
    expect(rows).toEqual([
      { order_id: 'o1', wave_id: 'w1', channel: 'email', touch: 'opened', amount: 100.1 },
      { order_id: 'o2', wave_id: 'w2', channel: 'email', touch: 'clicked', amount: 50.05 },
      { order_id: 'o3', wave_id: 'w1', channel: 'sms', touch: 'delivered', amount: 30 },
    ]);
    const [roi] = await rowsOf(sql`SELECT * FROM campaign_roi`);
    expect(roi).toMatchObject({
      campaign_id: 'c',
      cost: 0.11,
      attributed_orders: 3,
      attributed_revenue: 180.15,
      lift_readable: false,
    });
    const funnel = await rowsOf(
      sql`SELECT wave_id, channel, audience, holdout, sent, opened, delivered FROM wave_funnel ORDER BY 1, 2`,
    );
    expect(funnel).toEqual([
      { wave_id: 'w1', channel: 'email', audience: 2, holdout: 1, sent: 1, opened: 1, delivered: 0 },
      // The SMS receipt carries only the message id: matched through the ledger, as in the report.
      { wave_id: 'w1', channel: 'sms', audience: 1, holdout: 0, sent: 1, opened: 0, delivered: 1 },
      { wave_id: 'w2', channel: 'email', audience: 1, holdout: 0, sent: 1, opened: 1, delivered: 0 },
    ]);
    expect(await rowsOf(sql`SELECT * FROM channel_cost ORDER BY channel`)).toEqual([
      { campaign_id: 'c', channel: 'email', messages: 2, sms_segments: 0, cost: 0.02 },
      { campaign_id: 'c', channel: 'sms', messages: 1, sms_segments: 2, cost: 0.09 },
    ]);
    // w1 went to the `lapsed` segment (u1 email, u2 SMS, u3 held out), w2 to `vip` (u1).
    const segments = await rowsOf(
      sql`SELECT segment, channel, audience, holdout, sent, converted, orders, revenue, cost, response_rate FROM segment_response ORDER BY 1, 2`,
    );
    expect(segments).toEqual([
      {
        segment: 'lapsed',
        channel: 'email',
        audience: 2,
        holdout: 1,
        sent: 1,
        converted: 1,
        orders: 1,
        revenue: 100.1,
        cost: 0.01,
        response_rate: 1,
      },
      {
        segment: 'lapsed',
        channel: 'sms',
        audience: 1,
        holdout: 0,
        sent: 1,
        converted: 1,
        orders: 1,
        revenue: 30,
        cost: 0.09,
        response_rate: 1,
      },
      {
        segment: 'vip',
        channel: 'email',
        audience: 1,
        holdout: 0,
        sent: 1,
        converted: 1,
        orders: 1,
        revenue: 50.05,
        cost: 0.01,
        response_rate: 1,
      },
    ]);
    // One clicker (u1, on w2). The tee is in o2 (won by the click) and o1 (won by an open); the socks in
    // o1 and o3 (won by the SMS delivery).
    const products = await rowsOf(
      sql`SELECT category, sku, clickers, orders_after_click, orders_other_touch, units, line_revenue, click_conversion FROM product_click_conversion ORDER BY sku`,
    );
    expect(products).toEqual([
      {
        category: 'socks',
        sku: 'socks-1',
        clickers: 1,
        orders_after_click: 0,
        orders_other_touch: 2,
        units: 4,
        line_revenue: 50.1,
        click_conversion: 0,
      },
      {
        category: 'tshirt',
        sku: 'tee-1',
        clickers: 1,
        orders_after_click: 1,
        orders_other_touch: 1,
        units: 3,
        line_revenue: 130.05,
        click_conversion: 1,
      },
    ]);
    await local.close();
  });
});

describe('the report reads its queries’ rows by their columns', () => {
  /** The fixture's warehouse, with one column left out of every result: a query edited apart from the report. */
  const without = (column: string): Warehouse => ({
    query: async (text) => {
      const { columns, rows } = await wh.query(text);
      return {
        columns: columns.filter((c) => c !== column),
        rows: rows.map(({ [column]: _, ...rest }) => rest),
      };
    },
    stream: (text) => wh.stream(text),
    close: async () => {},
  });

  it('fails naming the query and the column, instead of reporting a figure as zero', async () => {
    await expect(campaignReport(without('revenue'), [base], base)).rejects.toThrow(
      new RowShapeError(
        'the campaign funnel (campaignFunnelSql): column revenue expected a number, got no such column',
      ),
    );
    await expect(campaignReport(without('readable'), [base], base)).rejects.toThrow(
      new RowShapeError(
        'the lift estimates (liftEstimatesSql): column readable expected true or false, got no such column',
      ),
    );
  });
});
