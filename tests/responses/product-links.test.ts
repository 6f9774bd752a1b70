import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productLinkRows } from '../../cli/print-product-links.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { JournalLinkStore } from '../../shared/delivery/links/local/journal-link-store.ts';
import { statePaths } from '../../shared/delivery/local/local-adapters.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { tableTimestamp } from '../../shared/lake/table-writer.ts';
import { EVENTS, ORDER_ITEMS, ORDERS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import { followLink } from '../../shared/responses/follow-link.ts';
import { payOrdersInLake } from '../../shared/responses/local/pay-orders.ts';
import { LocalResponseTables } from '../../shared/responses/local/response-tables.ts';
import { DEFAULT_RESPONSE_MODEL, simulateWaveResponses } from '../../shared/responses/simulate-responses.ts';
import { deliveryHarness, type Harness, loadDouble11, sampleShop } from '../helpers/delivery-harness.ts';

/**
 * Per-product links end to end on the local adapters: a wave that links products sends each recipient a
 * link per product, a click on one records its sku, and product_click_conversion credits that product.
 */
let shop: string;
let d11: Campaign;
beforeAll(async () => {
  // 5,000 customers: about 530 loyal short-cycle buyers for the cashback wave (3,000 had 426 before
  // the sample shop was remodelled on 2026-12-02, when frequent buyers were a larger share).
  [shop, d11] = await Promise.all([sampleShop(5_000), loadDouble11()]);
});

const cashback = () => {
  const w = d11.waves.find((x) => x.id === 'd11-cashback');
  if (!w) throw new Error('no d11-cashback wave');
  return w;
};

const view = async (h: Harness, campaignId: string) =>
  (
    await h.warehouse.query(
      sql`SELECT sku, click_source, clicks, clickers, orders_after_click, orders_other_touch, click_conversion
       FROM product_click_conversion WHERE campaign_id = ${sqlString(campaignId)} ORDER BY sku`,
    )
  ).rows;

describe('a product link, from the send to the analysts’ view', () => {
  const A = { sku: 'coat-2026A-07', url: 'https://shop.example/coat', name: '大衣' };
  // A sku with a colon and Chinese, and a URL with a query string: both round-trip as they are.
  const B = { sku: '羽绒服:2026W-03', url: 'https://shop.example/item?id=羽绒服&a=1', name: '羽绒服' };
  let h: Harness;
  let campaign: Campaign;
  beforeAll(async () => {
    campaign = Campaign.parse({
      ...d11,
      id: 'products-rt',
      segments: { 'loyal-short-cycle': d11.segments['loyal-short-cycle'] },
      budget: undefined,
      holdoutPercent: 0,
      waves: [
        {
          ...cashback(),
          start: '2026-11-11T10:00',
          channel: 'sms',
          fallback: [],
          tiers: [],
          variants: undefined,
          products: [A, B],
          templates: {
            sms: '{{ signature }}{{ products[0].name }} {{ products[0].url }} {{ products[1].name }} {{ products[1].url }} {{ optOut }}',
          },
        },
      ],
    });
    h = await deliveryHarness(shop, [campaign]);
    for (const sw of h.waves(campaign)) await h.run(sw);
  });
  afterAll(async () => h?.close());

  it('records a click on product B with its sku, and the view credits B, not A, though the order holds both', async () => {
    const sent = readFileSync(join(statePaths(h.dataDir).outbox, 'sms.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { sendId: string; text: string });
    expect(sent.length).toBeGreaterThan(10);
    const [first] = sent;
    if (!first) throw new Error('nothing sent');
    // Each message: A's link, then B's, each its own code; no two messages share a code.
    const urls = [...first.text.matchAll(/https:\/\/s\.example\.cn\/([0-9A-Za-z]{10})/g)].map((m) => m[1]);
    expect(urls).toHaveLength(2);
    expect(first.text).toMatch(/大衣 \S+ 羽绒服 \S+/);
    const all = sent.flatMap((m) => [...m.text.matchAll(/s\.example\.cn\/(\w{10})/g)].map((x) => x[1]));
    expect(new Set(all).size).toBe(sent.length * 2);

    const clickAt = new Date('2026-11-11T03:00:00Z');
    h.clock.set(clickAt);
    const events = new StagedParquetWriter(h.dataDir, EVENTS);
    const answer = await followLink(
      {
        // As `campaign serve` reads them (the sender only appends).
        links: new JournalLinkStore(statePaths(h.dataDir).links, { mode: 'read-only' }),
        secret: h.local.linkSecret,
        clock: h.clock,
        ingest: {
          events,
          suppressions: new StagedParquetWriter(h.dataDir, SUPPRESSIONS),
          contacts: h.local.contacts,
        },
      },
      urls[1] ?? '',
      'GET',
    );
    expect(answer).toEqual({ kind: 'redirect', location: B.url });
    await events.flush();

    // An hour later the customer orders both products.
    const customerId = first.sendId.split('/').slice(2).join('/');
    const created = new Date(clickAt.getTime() + 3_600_000);
    const orders = new StagedParquetWriter(h.dataDir, ORDERS);
    const items = new StagedParquetWriter(h.dataDir, ORDER_ITEMS);
    const at = tableTimestamp(created);
    const dt = created.toISOString().slice(0, 7);
    await orders.append([
      {
        order_id: 'rt-1',
        customer_id: customerId,
        created_at: at,
        paid_at: at,
        status: 'paid',
        amount: 900,
        discount: 0,
        channel: 'organic',
        source: 'generated',
        dt,
      },
    ]);
    await items.append(
      [A, B].map((p, i) => ({
        order_id: 'rt-1',
        line_no: i + 1,
        customer_id: customerId,
        created_at: at,
        order_status: 'paid',
        sku: p.sku,
        category: i === 0 ? 'coat' : 'down-jacket',
        quantity: 1,
        unit_price: 450,
        dt,
      })),
    );
    await Promise.all([orders.flush(), items.flush()]);
    await h.warehouse.refreshViews(h.dataDir);

    const [event] = (
      await h.warehouse.query(sql`SELECT send_id, event_type, sku, detail FROM events WHERE source = 'link'`)
    ).rows;
    expect(event).toEqual({ send_id: first.sendId, event_type: 'clicked', sku: B.sku, detail: B.url });

    await new LocalResponseTables(h.warehouse, h.dataDir, h.clock).rewrite([campaign], 'last-touch');
    expect(await view(h, campaign.id)).toEqual([
      // A was in the order too, but its link was never clicked, nor a link that names no product (the
      // landing page, whose clicks stand in for a product without clicks of its own): not after a click.
      {
        sku: A.sku,
        click_source: 'page',
        clicks: 0,
        clickers: 0,
        orders_after_click: 0,
        orders_other_touch: 1,
        click_conversion: null,
      },
      {
        sku: B.sku,
        click_source: 'product',
        clicks: 1,
        clickers: 1,
        orders_after_click: 1,
        orders_other_touch: 0,
        click_conversion: 1,
      },
    ]);
  });
});

describe('product links in a simulated run of the Double-11 cashback wave', () => {
  let h: Harness;
  let campaign: Campaign;
  beforeAll(async () => {
    campaign = {
      ...d11,
      budget: undefined,
      waves: [{ ...cashback(), start: '2026-11-11T09:00', sendBy: '2026-11-11T12:00' }],
    };
    h = await deliveryHarness(shop, [campaign]);
    for (const sw of h.waves(campaign)) await h.run(sw);
    const simulation = {
      ...h.local,
      warehouse: h.warehouse,
      events: new StagedParquetWriter(h.dataDir, EVENTS),
      suppressions: new StagedParquetWriter(h.dataDir, SUPPRESSIONS),
      orders: new StagedParquetWriter(h.dataDir, ORDERS),
      orderItems: new StagedParquetWriter(h.dataDir, ORDER_ITEMS),
      payOrders: (p: Parameters<typeof payOrdersInLake>[1]) => payOrdersInLake(h.dataDir, p),
    };
    // Responsive customers, so that every product has clicks and orders to compare.
    await simulateWaveResponses(simulation, campaign, 'd11-cashback', {
      ...DEFAULT_RESPONSE_MODEL,
      opened: 0.9,
      clicked: { email: 0.9, sms: 0.9, 'call-list': 0.4 },
      trueLift: 6,
    });
    await Promise.all([simulation.events.flush(), simulation.suppressions.flush()]);
    await h.warehouse.refreshViews(h.dataDir);
    await new LocalResponseTables(h.warehouse, h.dataDir, h.clock).rewrite([campaign], 'last-touch');
  });
  afterAll(async () => h?.close());

  it('clicks name the product the email linked (SMS, which shows none, the landing page), and figures differ by product', async () => {
    const skus = (cashback().products ?? []).map((p) => p.sku);
    expect(skus).toHaveLength(3);
    const clicks = (
      await h.warehouse.query(sql`SELECT s.channel, e.sku, count(*) AS n FROM events e
        JOIN sends s ON s.send_id = e.send_id WHERE e.event_type = 'clicked' GROUP BY 1, 2 ORDER BY 1, 2`)
    ).rows;
    expect(clicks.filter((r) => r.channel === 'sms').map((r) => r.sku)).toEqual([null]);
    expect(
      clicks
        .filter((r) => r.channel === 'email')
        .map((r) => r.sku)
        .sort(),
    ).toEqual([...skus, null].sort());

    const rows = (await view(h, campaign.id)).filter((r) => skus.includes(String(r.sku)));
    expect(rows.map((r) => r.click_source)).toEqual(['product', 'product', 'product']);
    for (const r of rows) {
      expect(Number(r.clickers)).toBeGreaterThan(5);
      expect(Number(r.orders_after_click)).toBeGreaterThan(0);
    }
    // The products differ in what they draw and in what they turn into orders.
    expect(new Set(rows.map((r) => Number(r.clickers))).size).toBe(3);
    expect(new Set(rows.map((r) => Number(r.click_conversion).toFixed(3))).size).toBe(3);

    // What campaign report and npm start print: the linked products in the order configured, by name.
    const printed = await productLinkRows(h.warehouse, campaign);
    expect(printed.map((r) => [r.name, r.sku])).toEqual(
      (cashback().products ?? []).map((p) => [p.name, p.sku]),
    );
    for (const r of printed) {
      const row = rows.find((x) => x.sku === r.sku);
      expect([r.clickers, r.ordersAfterClick]).toEqual([
        Number(row?.clickers),
        Number(row?.orders_after_click),
      ]);
    }
  });

  it('an order made after a click on a product mostly carries that product', async () => {
    const [r] = (
      await h.warehouse.query(sql`WITH c AS (SELECT customer_id, sku, min(occurred_at) AS at FROM events
          WHERE event_type = 'clicked' AND sku IS NOT NULL GROUP BY 1, 2),
        o AS (SELECT DISTINCT o.order_id, c.sku FROM orders o JOIN c ON c.customer_id = o.customer_id
          AND o.created_at > c.at AND o.created_at < c.at + INTERVAL 14 HOUR WHERE o.source = 'simulation')
        SELECT count(*) AS orders,
          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.order_id AND i.sku = o.sku)) AS with_sku
        FROM o`)
    ).rows;
    // Base orders draw a line from the whole catalogue (hundreds of skus: well under 1% would hold the
    // clicked one); orders the click caused carry it at the product's own fit (30–100%). Measured (on 3,000
    // customers, before the 2026-12-02 remodel): 13 of 28.
    expect(Number(r?.orders)).toBeGreaterThan(15);
    expect(Number(r?.with_sku) / Number(r?.orders)).toBeGreaterThan(0.25);
  });
});
