import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MEMBER_TIERS, type MemberTier, type PointsRule } from '../../../campaign/loyalty-schema.ts';
import { columnList } from '../../../lake/column-list.ts';
import { lakeRoot } from '../../../lake/lake-paths.ts';
import { DuckDbSession } from '../../../lake/local/duckdb-session.ts';
import { tableSource } from '../../../lake/local/duckdb-warehouse.ts';
import { stagingFolder, swapFolders } from '../../../lake/local/lake-swap.ts';
import { writeSortedPartitions } from '../../../lake/local/sorted-partitions.ts';
import { ident, type Sql, sql } from '../../../lake/sql.ts';
import { sqlDate, sqlString, sqlTimestamp } from '../../../lake/sql-literals.ts';
import {
  CUSTOMERS,
  ORDER_ITEMS,
  ORDERS,
  POINTS_LEDGER,
  PRODUCTS,
  type TableDef,
} from '../../../lake/tables.ts';
import { baseTier, memberTierSql } from '../../member-tiers.ts';
import { rebuildPointsLedger } from '../points-ledger.ts';
import { calendarSql, hoursSql } from './calendar-sql.ts';
import { referenceSql } from './reference-sql.ts';

export interface GenerateOptions {
  dataDir: string;
  customers: number;
  /**
   * Total orders to aim for; the generator lands within a few percent. Without it, as many as the model's
   * buyers place (about 1.5 per customer), with the shares the shops report (docs/data-model.md). A target
   * scales the frequent buyers' orders (at most one every MIN_DAYS_PER_ORDER days on average), not how
   * many customers return: a dense shop for tests and benchmarks, with more returning orders than a shop.
   */
  orders?: number;
  seed: number;
  /** Last day of the shop's history (local date, YYYY-MM-DD). */
  asOf: string;
  years?: number;
  /** Customers per chunk: bounds memory (orders of one chunk are held at a time). */
  chunkSize?: number;
  onProgress?: (step: string, done: number, total: number) => void;
  /** The shop's member tiers (contact-policy.yaml memberTiers); default: normal/silver/gold/diamond. */
  memberTiers?: MemberTier[] | undefined;
  /** The shop's points rule (contact-policy.yaml points): with one, the points ledger of the paid orders. */
  points?: PointsRule | undefined;
}

export interface GenerateResult {
  customers: number;
  orders: number;
  orderItems: number;
  products: number;
  from: string;
  to: string;
}

/** The shop's history is in Beijing time; the lake stores UTC. */
const SHOP_UTC_OFFSET_HOURS = 8;

/**
 * Writes a deterministic, realistic sample shop into the local lake with DuckDB, chunk by chunk.
 * Every random choice is a hash of (seed, purpose, key), so the same options give the same data.
 */
export async function generateShop(opts: GenerateOptions): Promise<GenerateResult> {
  const years = opts.years ?? 3;
  const days = Math.round(365.25 * years);
  const asOf = new Date(`${opts.asOf}T00:00:00Z`);
  const start = new Date(asOf.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const chunkSize = opts.chunkSize ?? 150_000;
  const staging = await stagingFolder(opts.dataDir);

  const db = await DuckDbSession.open({ threads: 2, memoryLimit: '1GB' });
  const run = (statement: Sql) => db.run(statement);
  try {
    await run(sql`SET preserve_insertion_order = false`);
    await run(sql`SET temp_directory = ${sqlString(join(staging, 'tmp'))}`);
    await run(
      sql`CREATE MACRO u(purpose, k) AS (hash(${Math.trunc(opts.seed)}, purpose, k) % 1000000007)::DOUBLE / 1000000007.0`,
    );
    for (const statement of referenceSql()) await run(statement);
    await run(calendarSql(start, days, DEMAND_GROWTH, NEW_CUSTOMER_GROWTH));
    await run(hoursSql());
    // Some planned buyers have not come back yet, so the first pass lands short of the target:
    // scale the frequent buyers' tail once by what was missing.
    const target = opts.orders;
    let tailScale = target === undefined ? FREQUENT_TAIL_SCALE : initialTailScale(opts.customers, target);
    for (let pass = 0; pass < (target === undefined ? 1 : 6); pass++) {
      await run(sql`CREATE OR REPLACE TABLE cust AS ${customerBaseSql(opts.customers, tailScale, days)}`);
      const total = await db.count(sql`SELECT sum(n_orders) FROM cust`);
      const tail = await db.count(sql`SELECT sum(n_orders) FILTER (WHERE n_orders >= 3) FROM cust`);
      if (target === undefined || tail === 0 || Math.abs(total - target) / target < 0.01) break;
      tailScale *= Math.max(0.1, 1 + (target - total) / tail);
    }

    let orders = 0;
    let orderItems = 0;
    const chunks = Math.ceil(opts.customers / chunkSize);
    await run(sql`CREATE TABLE customer_stats(cidx BIGINT, spend DECIMAL(14,2), first_created TIMESTAMP)`);
    for (let k = 0; k < chunks; k++) {
      opts.onProgress?.('orders', k, chunks);
      const [lo, hi] = [k * chunkSize, Math.min(opts.customers, (k + 1) * chunkSize)];
      await run(sql`CREATE OR REPLACE TEMP TABLE o AS ${ordersSql(lo, hi, opts.asOf)}`);
      await run(sql`CREATE OR REPLACE TEMP TABLE it AS ${itemsSql()}`);
      await run(sql`CREATE OR REPLACE TEMP TABLE o_amounts AS ${amountsSql()}`);
      await run(sql`INSERT INTO customer_stats
        SELECT cidx, sum(CASE WHEN status = 'paid' THEN amount ELSE 0 END), min(created_at) FROM o_amounts GROUP BY cidx`);
      orders += await copyChunk(db, ORDERS, 'o_amounts', join(staging, 'orders'), k);
      orderItems += await copyChunk(db, ORDER_ITEMS, 'it', join(staging, 'order_items-chunks'), k);
    }
    opts.onProgress?.('orders', chunks, chunks);
    // Order lines in the lake's layout: one file per month, sorted by category (see ORDER_ITEMS.sortedBy).
    await writeSortedPartitions(
      db,
      ORDER_ITEMS,
      join(staging, 'order_items-chunks'),
      join(staging, 'order_items'),
    );
    await rm(join(staging, 'order_items-chunks'), { recursive: true, force: true });

    // Member tiers from the paid orders, by the shop's rules, as of the day after the history ends.
    const tiers = opts.memberTiers ?? DEFAULT_MEMBER_TIERS;
    const generatedOrders = sql`read_parquet(${sqlString(join(staging, 'orders', '*', '*.parquet'))})`;
    const tiersAsOf = new Date(asOf.getTime() + 86_400_000);
    await run(sql`CREATE TABLE member_tiers AS ${memberTierSql(tiers, generatedOrders, tiersAsOf)}`);
    await mkdir(join(staging, 'customers'), { recursive: true });
    await run(
      sql`COPY (${customersSql(baseTier(tiers))}) TO ${sqlString(join(staging, 'customers', 'part-0.parquet'))} (FORMAT parquet)`,
    );
    await mkdir(join(staging, 'products'), { recursive: true });
    await run(
      sql`COPY (${productsSql(start, opts.asOf)}) TO ${sqlString(join(staging, 'products', 'part-0.parquet'))} (FORMAT parquet)`,
    );
    const products = await db.count(sql`SELECT count(*) FROM (${productsSql(start, opts.asOf)})`);

    // The points ledger by the shop's rule, as an order import builds it: accruals and their expiries.
    const ledger = opts.points ? [POINTS_LEDGER] : [];
    if (opts.points) {
      await rebuildPointsLedger(db, {
        orders: generatedOrders,
        kept: tableSource(staging, POINTS_LEDGER), // no redemptions: a typed empty relation
        rule: opts.points,
        staging,
      });
    }

    await publish(staging, opts.dataDir, [CUSTOMERS, PRODUCTS, ORDERS, ORDER_ITEMS, ...ledger]);
    return { customers: opts.customers, orders, orderItems, products, from: start, to: opts.asOf };
  } finally {
    db.close();
    await rm(staging, { recursive: true, force: true });
  }
}

/** Writes a chunk's rows of `table` (the temp table `from`) into `dir` by month; returns how many. */
async function copyChunk(
  db: DuckDbSession,
  table: TableDef,
  from: 'o_amounts' | 'it',
  dir: string,
  chunk: number,
): Promise<number> {
  const rows = ident(from);
  await db.run(
    sql`COPY (SELECT ${columnList(table)}, strftime(created_at, '%Y-%m') AS dt FROM ${rows}) TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN ${sqlString(`part-${chunk}-{i}`)})`,
  );
  return db.count(sql`SELECT count(*) FROM ${rows}`);
}

/** Moves the staged tables into the lake, replacing the tables of the same name: all of them, or none. */
async function publish(staging: string, dataDir: string, tables: TableDef[]): Promise<void> {
  await swapFolders(
    dataDir,
    tables.map((t) => ({ target: join(lakeRoot(dataDir), t.name), next: join(staging, t.name) })),
  );
}

/**
 * Without an order target, frequent buyers plan 3 + FREQUENT_TAIL_SCALE × (−ln u)^1.5 orders over their
 * active span (mean about 3 + 1.33 × the scale): the shares the shops report (docs/data-model.md).
 */
const FREQUENT_TAIL_SCALE = 1;

/** Growth of demand over the history (e^1.1 ≈ 3× in three years), and of first orders (new customers). */
const DEMAND_GROWTH = 1.1;
const NEW_CUSTOMER_GROWTH = 1.6;
/** Share of returning buyers who come back soon (mean QUICK_RETURN_DAYS) rather than after the long gap. */
const QUICK_RETURN = 0.2;
const QUICK_RETURN_DAYS = 20;

/** Planned purchase counts (before the not-yet-returned are counted as one-time buyers). */
const P_ONE = 0.35;
const P_TWO = 0.4;
/** Mean days from first to second order for two-time buyers, and active span of frequent buyers. */
const SECOND_ORDER_GAP_DAYS = 450;
const SECOND_ORDER_MIN_DAYS = 30;
const ACTIVE_SPAN_DAYS = 1100;
/** Mean days before a frequent buyer's second order. */
const FREQUENT_RETURN_DAYS = 450;
/** A frequent buyer orders at most once this many days on average over their active span. */
const MIN_DAYS_PER_ORDER = 2;
/** Share of an order's later lines that are from the first line's partner category (CategoryDef.partner). */
const AFFINITY = 0.5;

/**
 * Per customer: how many orders, when the first, how long they stay active. Purchase counts follow the
 * shops' shape (about two thirds of buyers buy once, a quarter twice, the rest more often); with an
 * `orders` target the frequent buyers' tail is scaled to reach it.
 */
function initialTailScale(customers: number, orders: number): number {
  const perCustomer = orders / customers;
  const tailShare = 1 - P_ONE - P_TWO;
  const tailMean = Math.max(0, (perCustomer - P_ONE - 2 * P_TWO) / tailShare - 3);
  // E[(-ln u)^1.5] = Γ(2.5) ≈ 1.329. Never 0, so the passes below can scale it up.
  return Math.max(0.5, tailMean) / 1.329;
}

function customerBaseSql(customers: number, tailScale: number, days: number): Sql {
  return sql`
WITH base AS (
  SELECT i AS cidx, u('n', i) AS un, u('f', i) AS uf, u('l', i) AS ul FROM range(${customers}) t(i)
), sized AS (
  SELECT *, CASE
      WHEN un < ${P_ONE} THEN 1
      WHEN un < ${P_ONE + P_TWO} THEN 2
      ELSE 3 + CAST(least(5000, floor(${tailScale} * pow(-ln(u('t', cidx)), 1.5))) AS INTEGER)
    END AS planned_orders
  FROM base
), firsts AS (
  SELECT s.*, c.day_idx AS first_idx FROM sized s ASOF JOIN calendar c ON s.uf >= c.cum_new_lo
), gaps AS (
  -- A second order comes after a long gap, and may not have come yet: then the customer has one order so far.
  SELECT *, CASE
      WHEN planned_orders = 1 THEN 0
      WHEN planned_orders = 2 AND u('q2', cidx) < ${QUICK_RETURN} THEN 3 + CAST(floor(-ln(ul) * ${QUICK_RETURN_DAYS}) AS INTEGER)
      WHEN planned_orders = 2 THEN ${SECOND_ORDER_MIN_DAYS} + CAST(floor(-ln(ul) * ${SECOND_ORDER_GAP_DAYS}) AS INTEGER)
      ELSE 14 + CAST(floor(-ln(ul) * ${ACTIVE_SPAN_DAYS}) AS INTEGER)
    END AS gap FROM firsts
), spans AS (
  SELECT *,
    CASE WHEN planned_orders = 2 AND first_idx + gap > ${days - 1} THEN 1 ELSE planned_orders END AS n_orders,
    CASE WHEN planned_orders = 2 AND first_idx + gap > ${days - 1} THEN first_idx ELSE least(${days - 1}, first_idx + gap) END AS last_idx,
    first_idx + gap AS span_end
  FROM gaps
), returns AS (
  -- Frequent buyers too take a while to come back, then buy throughout their active span. One who would
  -- come back only after their span (or after today) has one order so far.
  SELECT * EXCLUDE (n_orders), CASE WHEN n_orders <= 2 THEN last_idx
    WHEN u('q2', cidx) < ${QUICK_RETURN} THEN first_idx + 3 + CAST(floor(-ln(u('g2', cidx)) * ${QUICK_RETURN_DAYS}) AS INTEGER)
    ELSE first_idx + 30 + CAST(floor(-ln(u('g2', cidx)) * ${FREQUENT_RETURN_DAYS}) AS INTEGER) END AS return_idx,
    n_orders AS planned_n
  FROM spans
), seconds AS (
  -- A frequent buyer's span that runs past today has had only its share of their orders so far; and no one
  -- buys more often than once every ${MIN_DAYS_PER_ORDER} days on average over the span they have been
  -- buying in.
  SELECT *, CASE WHEN return_idx > last_idx THEN 1 WHEN planned_n <= 2 THEN planned_n
      ELSE least(2 + (last_idx - return_idx) // ${MIN_DAYS_PER_ORDER},
        2 + CAST(floor((planned_n - 2) * (last_idx - return_idx) / greatest(1, span_end - return_idx) + u('thin', cidx)) AS INTEGER))
    END AS n_orders,
    CASE WHEN return_idx > last_idx THEN first_idx ELSE return_idx END AS second_idx
  FROM returns
)
SELECT s.cidx, 'c' || lpad(CAST(s.cidx AS VARCHAR), 8, '0') AS customer_id, s.n_orders, s.first_idx, s.last_idx,
  f.cum_lo AS cum_first, s2.cum_lo AS cum_second, l.cum_hi AS cum_last, a.channel AS acquisition_channel,
  p.province, p.ncities, p.zone
FROM seconds s
JOIN calendar f ON f.day_idx = s.first_idx
JOIN calendar s2 ON s2.day_idx = s.second_idx
JOIN calendar l ON l.day_idx = s.last_idx
ASOF JOIN acquisition a ON u('a', s.cidx) >= a.cum_lo
ASOF JOIN provinces p ON u('prov', s.cidx) >= p.cum_lo`;
}

/**
 * The orders of customers [lo, hi): the first on the first day, the second on the day they came back; the
 * others spread over the rest of the customer's active span so far by the demand calendar, one in each
 * equal slice of its demand (so a customer's orders do not bunch on one day, yet still follow the peaks).
 */
function ordersSql(lo: number, hi: number, asOf: string): Sql {
  return sql`
WITH expanded AS (
  SELECT cidx, customer_id, acquisition_channel, zone, first_idx, cum_first, cum_second, cum_last, n_orders,
    unnest(range(n_orders)) AS k
  FROM cust WHERE cidx >= ${lo} AND cidx < ${hi}
), keyed AS (
  SELECT *, cidx * 100000 + k AS okey,
    CASE WHEN k = 0 THEN cum_first + 1e-12 WHEN k = 1 THEN cum_second + 1e-12
      ELSE cum_second + (k - 2 + u('d', cidx * 100000 + k)) / (n_orders - 2) * (cum_last - cum_second) END AS ud
  FROM expanded
), dated AS (
  SELECT k.*, c.day, c.peak FROM keyed k ASOF JOIN calendar c ON k.ud >= c.cum_lo
), timed AS (
  SELECT d.*, h.hour,
    CAST(d.day AS TIMESTAMP) + to_hours(h.hour) + to_seconds(CAST(floor(u('s', d.okey) * 3600) AS BIGINT))
      - to_hours(${SHOP_UTC_OFFSET_HOURS}) AS created_at
  FROM dated d ASOF JOIN hours h ON h.peak = d.peak AND u('h', d.okey) >= h.cum_lo
)
SELECT cidx, customer_id, zone, okey, day, peak, created_at,
  CAST(4000000000000000 + okey AS VARCHAR) AS order_id,
  CASE
    WHEN created_at >= ${sqlTimestamp(new Date(`${asOf}T00:00:00Z`))} - to_hours(${SHOP_UTC_OFFSET_HOURS}) AND u('p', okey) < 0.35 THEN 'unpaid'
    WHEN u('p', okey) < 0.04 THEN 'closed'
    WHEN u('p', okey) < 0.09 THEN 'refunded'
    ELSE 'paid'
  END AS status,
  CASE
    WHEN k = 0 THEN acquisition_channel
    WHEN u('c', okey) < CASE WHEN acquisition_channel IN ('聚划算', '淘抢购', '天天特价') THEN 0.5 ELSE 0.1 END
      THEN ['聚划算', '淘抢购', '天天特价', '直播'][1 + CAST(hash(okey) % 4 AS INTEGER)]
    ELSE 'organic'
  END AS channel
FROM timed`;
}

/**
 * Order lines: a category by the season where the customer lives (or the customer's favourite), a sku from
 * the current line. A later line is often from the first line's partner category, in the same style.
 */
function itemsSql(): Sql {
  return sql`
WITH lines AS (
  SELECT o.*, unnest(range(CASE WHEN u('m', okey) < 0.7 THEN 1 WHEN u('m', okey) < 0.9 THEN 2 ELSE 3 END)) AS line
  FROM o
), picked AS (
  SELECT l.*, CASE WHEN u('fav', l.okey * 4 + l.line) < 0.45
      THEN (SELECT code FROM categories WHERE cat_idx = CAST(hash(l.cidx, 'fav') % 10 AS INTEGER))
      ELSE cm.code END AS own_category,
    l.line > 0 AND u('aff', l.okey * 4 + l.line) < ${AFFINITY} AS with_first
  FROM lines l ASOF JOIN cat_month cm ON cm.zone = l.zone AND cm.month = month(l.day) AND u('cat', l.okey * 4 + l.line) >= cm.cum_lo
), paired AS (
  SELECT p.* EXCLUDE (own_category), CASE WHEN p.with_first THEN f.partner ELSE p.own_category END AS category,
    CAST(hash(p.okey, CASE WHEN p.with_first THEN 0 ELSE p.line END, 'style') % 12 AS VARCHAR) AS style
  FROM (SELECT *, first_value(own_category) OVER (PARTITION BY okey ORDER BY line) AS first_category FROM picked) p
  JOIN categories f ON f.code = p.first_category
), lined AS (
  SELECT p.*, c.season, c.base_price, c.max_qty,
    CASE WHEN p.day >= make_date(year(p.day), c.launch_month, c.launch_day) THEN year(p.day) ELSE year(p.day) - 1 END AS line_year,
    c.launch_month, c.launch_day
  FROM paired p JOIN categories c ON c.code = p.category
), skus AS (
  SELECT *, category || '-' || line_year || upper(season[1]) || '-' || lpad(style, 2, '0') AS sku FROM lined
)
SELECT order_id, CAST(line + 1 AS INTEGER) AS line_no, customer_id, created_at, status AS order_status, cidx, peak, channel,
  sku, category, season, make_date(line_year, launch_month, launch_day) AS launch_date,
  CAST(1 + floor(u('q', okey * 4 + line) * max_qty) AS INTEGER) AS quantity,
  CAST(round(base_price * (0.8 + 0.4 * u('price', sku)), 0) - 0.1 AS DECIMAL(12,2)) AS unit_price
FROM skus`;
}

/** Order totals from their lines, less a discount that is deeper on peak days and in flash sales. */
function amountsSql(): Sql {
  return sql`
WITH gross AS (SELECT order_id, sum(quantity * unit_price) AS gross FROM it GROUP BY order_id)
SELECT o.order_id, o.customer_id, o.cidx, o.created_at,
  CASE WHEN o.status IN ('paid', 'refunded') THEN o.created_at + to_seconds(CAST(60 + floor(u('pay', o.okey) * 1800) AS BIGINT)) END AS paid_at,
  o.status,
  CAST(g.gross - d.discount AS DECIMAL(12,2)) AS amount,
  d.discount,
  o.channel,
  'generated' AS source,
  CAST(NULL AS TIMESTAMP) AS shipped_at,
  CAST(NULL AS TIMESTAMP) AS delivered_at
FROM o JOIN gross g USING (order_id)
CROSS JOIN LATERAL (SELECT CAST(round(g.gross * CASE
    WHEN o.peak THEN 0.12
    WHEN o.channel <> 'organic' THEN 0.2
    WHEN u('disc', o.okey) < 0.3 THEN 0.05
    ELSE 0 END, 2) AS DECIMAL(12,2)) AS discount) d`;
}

function customersSql(baseTierName: string): Sql {
  return sql`
WITH b AS (
  SELECT c.cidx, c.customer_id, c.acquisition_channel, c.province, c.ncities, s.spend, s.first_created,
    u('g', c.cidx) AS ug, u('age', c.cidx) AS uage
  FROM cust c JOIN (SELECT cidx, sum(spend) AS spend, min(first_created) AS first_created FROM customer_stats GROUP BY cidx) s USING (cidx)
), placed AS (SELECT * FROM b)
SELECT p.customer_id,
  n.surnames[1 + CAST(hash(p.cidx, 'sn') % len(n.surnames) AS INTEGER)]
    || n.given[1 + CAST(hash(p.cidx, 'gn') % 16 AS INTEGER) + CASE WHEN p.ug < 0.65 THEN 0 ELSE 16 END] AS name,
  -- Most buyers have a platform nickname (买家会员名): a given name and digits, as many are.
  CASE WHEN u('nick', p.cidx) < 0.9 THEN n.given[1 + CAST(hash(p.cidx, 'nk') % len(n.given) AS INTEGER)]
    || '_' || CAST(1000 + hash(p.cidx, 'nd') % 9000 AS VARCHAR) END AS nickname,
  p.province, ci.city, ci.tier AS city_tier,
  CASE WHEN p.ug < 0.65 THEN 'F' WHEN p.ug < 0.95 THEN 'M' ELSE 'U' END AS gender,
  CASE WHEN p.uage < 0.02 THEN '<18' WHEN p.uage < 0.22 THEN '18-25' WHEN p.uage < 0.46 THEN '26-30'
       WHEN p.uage < 0.66 THEN '31-35' WHEN p.uage < 0.80 THEN '36-40' WHEN p.uage < 0.93 THEN '41-50'
       WHEN p.uage < 0.98 THEN '51+' ELSE 'unknown' END AS age_band,
  coalesce(mt.member_tier, ${sqlString(baseTierName)}) AS member_tier,
  p.acquisition_channel,
  CASE WHEN u('em', p.cidx) < 0.4 THEN 'u' || p.cidx || '@' || ['example.com', 'example.net', 'example.org'][1 + CAST(hash(p.cidx, 'dom') % 3 AS INTEGER)] END AS email,
  u('em', p.cidx) < 0.4 AND u('emc', p.cidx) < 0.75 AS email_consent,
  CASE WHEN u('ph', p.cidx) < 0.97 THEN '+86' || ['13', '15', '17', '18', '19'][1 + CAST(hash(p.cidx, 'pp') % 5 AS INTEGER)]
    || lpad(CAST(hash(p.cidx, 'pn') % 1000000000 AS VARCHAR), 9, '0') END AS phone,
  u('ph', p.cidx) < 0.97 AND u('smc', p.cidx) < 0.85 AS sms_consent,
  ci.time_zone,
  p.first_created - to_seconds(CAST(floor(u('reg', p.cidx) * 30 * 86400) AS BIGINT)) AS registered_at,
  -- About 60% of members gave a birthday (MM-DD; 2000 is a leap year, so some are on 29 February).
  CASE WHEN u('bd', p.cidx) < 0.6
    THEN strftime(DATE '2000-01-01' + CAST(floor(u('bdd', p.cidx) * 366) AS INTEGER), '%m-%d') END AS birthday
FROM placed p
CROSS JOIN names n
JOIN cities ci ON ci.province = p.province AND ci.ci = CAST(hash(p.cidx, 'city') % p.ncities AS INTEGER)
LEFT JOIN member_tiers mt ON mt.customer_id = p.customer_id`;
}

/** Every sku of every line from a year before the history starts: category × line year × 12 styles. */
function productsSql(start: string, asOf: string): Sql {
  const [y0, y1] = [Number(start.slice(0, 4)) - 1, Number(asOf.slice(0, 4))];
  return sql`
SELECT sku, label || ' ' || line_year || ' 款' || style AS product_name, code AS category, season,
  make_date(line_year, launch_month, launch_day) AS launch_date,
  CAST(round(base_price * (0.8 + 0.4 * u('price', sku)), 0) - 0.1 AS DECIMAL(12,2)) AS list_price
FROM (
  SELECT c.*, y AS line_year, lpad(CAST(s AS VARCHAR), 2, '0') AS style,
    c.code || '-' || y || upper(c.season[1]) || '-' || lpad(CAST(s AS VARCHAR), 2, '0') AS sku
  FROM categories c, range(${y0}, ${y1 + 1}) t(y), range(12) st(s)
  WHERE make_date(y, c.launch_month, c.launch_day) <= ${sqlDate(asOf)}
)`;
}
