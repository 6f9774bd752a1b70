/**
 * Benchmark: attribution of 1M sends against the 10M orders of the benchmark shop, against a floor
 * measured in the same run.
 *  - the lake: the shop's customers and orders (linked, not copied), plus a generated ledger of one send
 *    per customer over four waves in the shop's last weeks (SMS 60 %, email 35 %, call list 5 %; 5 %
 *    held out; 2 % of rows written twice, as an at-least-once ledger is) and its events (deliveries,
 *    opens, clicks; SMS receipts carry only the provider's message id, as SNS's do).
 *  - attribution: the attribution table's query (`attributionRowsSql`, last touch, the campaign's
 *    windows) written to Parquet, as `campaign report` writes it.
 *  - floor: a plain join of sent sends to paid orders on customer and the 5-day window after the send,
 *    written to Parquet the same way.
 * Medians of 3, alternating. Run: npm run bench:attribution. Prints JSON.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { lakeRoot, tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { attributionRowsSql } from '../../shared/responses/attribution-sql.ts';
import { benchShop, machine, median } from './bench-shop.ts';

const REPEATS = 3;
const WAVES = 4;

/** One send per customer: wave k goes out on 1 + 3k October 2026 over ten hours, in the shop's last weeks. */
const SENDS_SQL = sql`
WITH c AS (SELECT customer_id, hash(customer_id || 'bench') AS h FROM customers),
s AS (
  SELECT customer_id, h, CAST(h % ${WAVES} AS INTEGER) AS wave,
    CASE WHEN h % 100 < 60 THEN 'sms' WHEN h % 100 < 95 THEN 'email' ELSE 'call-list' END AS channel,
    (h // 7) % 100 < 5 AS held_out,
    TIMESTAMP '2026-10-01 02:00:00' + to_days(CAST(3 * (h % ${WAVES}) AS INTEGER))
      + to_seconds(CAST((h // 11) % 36000 AS BIGINT)) AS planned
  FROM c
),
rows AS (
  SELECT 'bench/w' || wave || '/' || customer_id AS send_id, 'bench' AS campaign_id, 'w' || wave AS wave_id,
    customer_id, 'winback' AS segment, 'marketing' AS category, channel, NULL::VARCHAR AS variant,
    CASE WHEN held_out THEN 'suppressed' ELSE 'sent' END AS status,
    CASE WHEN held_out THEN 'holdout' END AS reason,
    CASE WHEN channel = 'sms' AND NOT held_out THEN 1 END AS sms_segments,
    CAST(CASE WHEN held_out THEN NULL WHEN channel = 'sms' THEN 0.045 WHEN channel = 'email' THEN 0.001 ELSE 0.5 END AS DECIMAL(12,4)) AS cost,
    CASE WHEN held_out THEN NULL WHEN channel = 'sms' THEN 'sns-' ELSE 'ses-' END || customer_id AS message_id,
    planned AS planned_at, CASE WHEN held_out THEN NULL ELSE planned + INTERVAL 1 SECOND END AS sent_at, h
  FROM s
)
SELECT * EXCLUDE (h), strftime(planned_at, '%Y-%m-%d') AS dt FROM rows
UNION ALL
SELECT * EXCLUDE (h), strftime(planned_at, '%Y-%m-%d') AS dt FROM rows WHERE (h // 13) % 100 < 2`;

/**
 * Events of the sent: delivered (SMS by message id only), email opens, clicks; a few percent respond. 2 %
 * of the sends' events are written twice (a redelivered batch).
 */
const EVENTS_SQL = sql`
WITH s AS (SELECT DISTINCT send_id, campaign_id, wave_id, customer_id, channel, message_id, sent_at,
  hash(send_id) AS h FROM sends WHERE status = 'sent' AND channel <> 'call-list'),
e AS (
  SELECT s.*, 'delivered' AS event_type, sent_at + INTERVAL 5 SECOND AS ts FROM s WHERE h % 100 < 97
  UNION ALL
  SELECT s.*, 'opened', sent_at + to_minutes(CAST(30 + h % 600 AS BIGINT)) FROM s
    WHERE channel = 'email' AND (h // 3) % 100 < 22
  UNION ALL
  SELECT s.*, 'clicked', sent_at + to_minutes(CAST(40 + h % 600 AS BIGINT)) FROM s WHERE (h // 5) % 100 < 5
)
SELECT md5(send_id || event_type) AS event_id, event_type,
  CASE WHEN channel = 'sms' AND event_type = 'delivered' THEN NULL ELSE campaign_id END AS campaign_id,
  CASE WHEN channel = 'sms' AND event_type = 'delivered' THEN NULL ELSE wave_id END AS wave_id,
  CASE WHEN channel = 'sms' AND event_type = 'delivered' THEN NULL ELSE customer_id END AS customer_id,
  channel,
  CASE WHEN channel = 'sms' AND event_type = 'delivered' THEN NULL ELSE send_id END AS send_id,
  message_id, ts AS occurred_at, NULL::VARCHAR AS detail, 'bench' AS source, strftime(ts, '%Y-%m-%d') AS dt
FROM e, range(CASE WHEN (h // 17) % 100 < 2 THEN 2 ELSE 1 END) AS copies(i)`;

/** The floor: every (sent send, paid order) pair in the 5-day window after the send. */
const FLOOR_SQL = sql`SELECT s.send_id, o.order_id, o.amount
FROM sends s JOIN orders o ON o.customer_id = s.customer_id
  AND o.created_at >= s.sent_at AND o.created_at < s.sent_at + INTERVAL 5 DAY
WHERE s.status = 'sent' AND o.status = 'paid'`;

async function copyTo(wh: DuckDbWarehouse, query: Sql, file: string): Promise<number> {
  const t0 = performance.now();
  await wh.session.run(sql`COPY (${query}) TO ${sqlString(file)} (FORMAT parquet)`);
  return (performance.now() - t0) / 1000;
}

async function count(wh: DuckDbWarehouse, query: Sql): Promise<number> {
  return Number((await wh.query(query)).rows[0]?.n ?? 0);
}

const { dataDir: shopDir, customers } = await benchShop();
const dataDir = mkdtempSync(join(tmpdir(), 'attribution-bench-'));
try {
  mkdirSync(lakeRoot(dataDir), { recursive: true });
  for (const table of ['customers', 'products', 'orders', 'order_items'])
    symlinkSync(resolve(tableDir(shopDir, table)), tableDir(dataDir, table));
  const wh = await DuckDbWarehouse.open(dataDir, { threads: 2, memoryLimit: '8GB' });
  await wh.session.run(
    sql`COPY (${SENDS_SQL}) TO ${sqlString(tableDir(dataDir, 'sends'))} (FORMAT parquet, PARTITION_BY (dt))`,
  );
  await wh.refreshViews(dataDir);
  await wh.session.run(
    sql`COPY (${EVENTS_SQL}) TO ${sqlString(tableDir(dataDir, 'events'))} (FORMAT parquet, PARTITION_BY (dt))`,
  );
  await wh.refreshViews(dataDir);

  const d11 = await loadConfigFile(Campaign, 'campaigns/double-11.yaml');
  const campaign: Campaign = { ...d11, id: 'bench' };
  const attributionSql = attributionRowsSql([campaign], 'last-touch', new Date('2026-10-20T00:00:00Z'));
  const out = (name: string) => join(dataDir, `${name}.parquet`);
  const times: Record<'attribution' | 'floor', number[]> = { attribution: [], floor: [] };
  for (let i = 0; i < REPEATS; i++) {
    times.floor.push(await copyTo(wh, FLOOR_SQL, out('floor')));
    times.attribution.push(await copyTo(wh, attributionSql, out('attribution')));
  }
  const read = (name: string, what: Sql) =>
    count(wh, sql`SELECT ${what} AS n FROM read_parquet(${sqlString(out(name))})`);
  const attributed = await read('attribution', sql`count(*)`);
  const result = {
    customers,
    machine: await machine(),
    data: {
      ledgerRows: await count(wh, sql`SELECT count(*) AS n FROM sends`),
      sends: await count(wh, sql`SELECT count(DISTINCT send_id) AS n FROM sends`),
      sent: await count(wh, sql`SELECT count(DISTINCT send_id) AS n FROM sends WHERE status = 'sent'`),
      events: await count(wh, sql`SELECT count(*) AS n FROM events`),
      orders: await count(wh, sql`SELECT count(*) AS n FROM orders`),
      paidOrders: await count(wh, sql`SELECT count(*) AS n FROM orders WHERE status = 'paid'`),
    },
    attributedOrders: attributed,
    distinctAttributedOrders: await read('attribution', sql`count(DISTINCT order_id)`),
    // To the cent: attributed revenue is the revenue of the orders it names.
    attributedRevenue: await read('attribution', sql`sum(amount)`),
    revenueOfThoseOrders: await count(
      wh,
      sql`SELECT sum(o.amount) AS n FROM orders o WHERE o.order_id IN (SELECT order_id FROM read_parquet(${sqlString(out('attribution'))}))`,
    ),
    floorPairs: await read('floor', sql`count(*)`),
    attributionSeconds: Math.round(median(times.attribution) * 100) / 100,
    floorSeconds: Math.round(median(times.floor) * 100) / 100,
    runs: times,
    ratio: Math.round((median(times.attribution) / median(times.floor)) * 100) / 100,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await wh.close();
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
