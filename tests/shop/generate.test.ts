import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AGE_BANDS, UNKNOWN_AGE_BAND } from '../../shared/campaign/shop-calendar-schema.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { ORDER_ITEMS, SORTED_ROW_GROUP_ROWS } from '../../shared/lake/tables.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { shopProfile } from '../../shared/shop/shop-profile.ts';
import { sortedLayout } from '../helpers/lake-layout.ts';

const CHECKSUM = sql`SELECT
  (SELECT sum(hash(order_id, customer_id, created_at, status, amount)) FROM orders) AS o,
  (SELECT sum(hash(order_id, line_no, sku, quantity, unit_price)) FROM order_items) AS i,
  (SELECT sum(hash(customer_id, name, province, phone, email)) FROM customers) AS c`;

let root: string;
let wh: DuckDbWarehouse;

async function checksum(dir: string) {
  const w = await DuckDbWarehouse.open(dir);
  const { rows } = await w.query(CHECKSUM);
  await w.close();
  return rows[0];
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shop-'));
  await generateShop({
    dataDir: join(root, 'a'),
    customers: 20_000,
    orders: 200_000,
    seed: 7,
    asOf: '2026-10-20',
  });
  wh = await DuckDbWarehouse.open(join(root, 'a'));
});

afterAll(async () => {
  await wh.close();
  await rm(root, { recursive: true, force: true });
});

describe('sample shop generator', () => {
  it('is deterministic: the same seed gives the same shop, another seed another', async () => {
    await generateShop({
      dataDir: join(root, 'b'),
      customers: 20_000,
      orders: 200_000,
      seed: 7,
      asOf: '2026-10-20',
    });
    await generateShop({
      dataDir: join(root, 'c'),
      customers: 20_000,
      orders: 200_000,
      seed: 8,
      asOf: '2026-10-20',
    });
    const [a, b, c] = await Promise.all([
      checksum(join(root, 'a')),
      checksum(join(root, 'b')),
      checksum(join(root, 'c')),
    ]);
    expect(b).toEqual(a);
    expect(c?.o).not.toEqual(a?.o);
  });

  it('writes the lake layout: monthly dt= partitions for orders and items, snapshots for customers and products', () => {
    const orders = readdirSync(join(root, 'a', 'lake', 'orders'));
    expect(orders.length).toBeGreaterThanOrEqual(36);
    expect(orders.every((d) => /^dt=\d{4}-\d{2}$/.test(d))).toBe(true);
    expect(readdirSync(join(root, 'a', 'lake', 'order_items')).every((d) => /^dt=\d{4}-\d{2}$/.test(d))).toBe(
      true,
    );
    expect(readdirSync(join(root, 'a', 'lake', 'customers'))).toEqual(['part-0.parquet']);
  });

  it('writes each month of order lines as one file sorted by category, then customer, in bounded row groups', async () => {
    const layout = await sortedLayout(wh, join(root, 'a'), ORDER_ITEMS);
    expect(layout.length).toBeGreaterThanOrEqual(36);
    for (const p of layout) {
      expect(p.files).toEqual(['part-0.parquet']);
      expect(p.out_of_order).toBe(0);
      // DuckDB leaves a remainder of less than one vector (2,048 rows) in the last row group.
      expect(p.largest_row_group).toBeLessThanOrEqual(SORTED_ROW_GROUP_ROWS + 2047);
    }
  });

  it('has the shape the shops report, within bounds', async () => {
    const p = await shopProfile(wh);
    expect(p.customers).toBe(20_000);
    expect(p.orders).toBeGreaterThan(180_000);
    expect(p.orders).toBeLessThan(220_000);
    expect(p.oneTimePct).toBeGreaterThan(58);
    expect(p.oneTimePct).toBeLessThan(72);
    expect(p.dormantPct).toBeGreaterThan(30);
    expect(p.dormantPct).toBeLessThan(48);
    expect(p.secondPurchase180dPct).toBeGreaterThan(12);
    expect(p.secondPurchase180dPct).toBeLessThan(28);
    expect(p.secondPurchase365dPct).toBeGreaterThan(p.secondPurchase180dPct);
    expect(p.secondPurchase365dPct).toBeLessThan(40);
  });

  it('keeps orders consistent: amount = lines − discount, paid_at only on paid or refunded, dt = month created', async () => {
    const { rows } = await wh.query(sql`
      WITH lines AS (SELECT order_id, sum(quantity * unit_price) AS gross FROM order_items GROUP BY order_id)
      SELECT
        count(*) FILTER (WHERE l.order_id IS NULL) AS without_lines,
        count(*) FILTER (WHERE abs(o.amount + o.discount - l.gross) > 0.005) AS amount_mismatch,
        count(*) FILTER (WHERE (o.paid_at IS NULL) <> (o.status IN ('unpaid', 'closed'))) AS paid_at_mismatch,
        count(*) FILTER (WHERE o.dt <> strftime(o.created_at, '%Y-%m')) AS wrong_partition,
        count(*) FILTER (WHERE o.created_at > TIMESTAMP '2026-10-20 16:00:00') AS after_as_of
      FROM orders o LEFT JOIN lines l USING (order_id)`);
    expect(rows[0]).toEqual({
      without_lines: 0,
      amount_mismatch: 0,
      paid_at_mismatch: 0,
      wrong_partition: 0,
      after_as_of: 0,
    });
  });

  it('peaks on Double-11 and 618, and every item sku is in the catalogue', async () => {
    const { rows } = await wh.query(sql`
      WITH d AS (SELECT CAST(created_at + INTERVAL '8' HOUR AS DATE) AS day, count(*) AS n FROM orders GROUP BY 1)
      SELECT (SELECT n FROM d WHERE day = DATE '2025-11-11') / (SELECT avg(n) FROM d) AS d11_ratio,
             (SELECT n FROM d WHERE day = DATE '2025-06-18') / (SELECT avg(n) FROM d) AS d618_ratio,
             (SELECT count(*) FROM order_items WHERE sku NOT IN (SELECT sku FROM products)) AS unknown_skus`);
    expect(Number(rows[0]?.d11_ratio)).toBeGreaterThan(5);
    expect(Number(rows[0]?.d618_ratio)).toBeGreaterThan(2.5);
    expect(rows[0]?.unknown_skus).toBe(0);
  });

  it('writes the age bands of the shops’ reports, the default ageBands of the shop file', async () => {
    const { rows } = await wh.query(
      sql`SELECT age_band, count(*) AS n FROM customers GROUP BY age_band ORDER BY age_band`,
    );
    const share = Object.fromEntries(rows.map((r) => [String(r.age_band), Number(r.n) / 20_000]));
    expect(Object.keys(share).sort()).toEqual([...DEFAULT_AGE_BANDS, UNKNOWN_AGE_BAND].sort());
    // The young-adult bands are the largest, as on Taobao; a few under 18, over 50 and unknown.
    expect(share['26-30']).toBeGreaterThan(0.2);
    expect(share['<18']).toBeLessThan(0.05);
    expect(share.unknown).toBeLessThan(0.05);
  });

  it('gives customers contact points in E.164 and consent flags only with an address', async () => {
    const { rows } = await wh.query(sql`SELECT
        count(*) FILTER (WHERE phone IS NOT NULL AND NOT regexp_full_match(phone, '\\+861[3-9][0-9]{9}')) AS bad_phones,
        count(*) FILTER (WHERE sms_consent AND phone IS NULL) AS consent_without_phone,
        count(*) FILTER (WHERE email_consent AND email IS NULL) AS consent_without_email,
        count(DISTINCT acquisition_channel) AS channels
      FROM customers`);
    expect(rows[0]).toEqual({
      bad_phones: 0,
      consent_without_phone: 0,
      consent_without_email: 0,
      channels: 5,
    });
  });
});
