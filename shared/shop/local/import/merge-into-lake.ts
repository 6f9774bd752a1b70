import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MEMBER_TIERS, type MemberTier, type PointsRule } from '../../../campaign/loyalty-schema.ts';
import { columnList } from '../../../lake/column-list.ts';
import { tableDir } from '../../../lake/lake-paths.ts';
import type { DuckDbSession } from '../../../lake/local/duckdb-session.ts';
import { tableSource } from '../../../lake/local/duckdb-warehouse.ts';
import { type FolderSwap, swapFolders } from '../../../lake/local/lake-swap.ts';
import { writeSortedPartitions } from '../../../lake/local/sorted-partitions.ts';
import { col, rowDecoder } from '../../../lake/row-decoder.ts';
import { ident, joinSql, type Sql, sql } from '../../../lake/sql.ts';
import { sqlString, sqlStringList } from '../../../lake/sql-literals.ts';
import {
  CUSTOMERS,
  DUCKDB_TYPE,
  ORDER_ITEMS,
  ORDERS,
  POINTS_LEDGER,
  PRODUCTS,
} from '../../../lake/tables.ts';
import { cityTierSql, cityTierTableSql } from '../../city-tiers.ts';
import { baseTier, memberTierSql } from '../../member-tiers.ts';
import { rebuildPointsLedger } from '../points-ledger.ts';

export interface MergeCounts {
  ordersNew: number;
  ordersUpdated: number;
  customersNew: number;
  /** Customers of the import whose city is not in the city-tier table (city_tier left NULL). */
  cityTierUnknown: number;
}

/** The shop's rules an import applies to its customers: member tiers recomputed as of `asOf`, or kept (null). */
export interface CustomerRules {
  memberTiers: MemberTier[] | null;
  /** The shop's points rule: the points ledger is rebuilt from the orders after the merge; null: left as it is. */
  points: PointsRule | null;
  asOf: Date;
}

const monthRow = rowDecoder('the months the import touches', { dt: col.text });

/**
 * Upserts the resolved import (`imp_orders`, `imp_items` in `db`, see resolve-imported.ts) into the lake:
 * orders and their items by order id (only the partitions they touch are rewritten), customers by
 * customer id (fields the lake already has are kept; with `rules.memberTiers`, every customer's member tier
 * is recomputed from the lake's paid orders after the merge). The rewritten folders are built in `staging` and
 * swapped in together, crash-safe (lake-swap.ts).
 */
export async function mergeIntoLake(
  db: DuckDbSession,
  dataDir: string,
  staging: string,
  source: string,
  rules: CustomerRules,
): Promise<MergeCounts> {
  // Shipped and delivered times the import does not know (an export without them, a feed's `paid` event
  // redelivered) keep the lake's: NULL there means not known, never not shipped.
  await db.run(sql`CREATE TABLE inc AS
    SELECT i.order_id, i.customer_id, i.created_at, i.paid_at, i.status, i.amount, i.discount, i.channel,
      coalesce(i.shipped_at, l.shipped_at) AS shipped_at, coalesce(i.delivered_at, l.delivered_at) AS delivered_at,
      coalesce(i.source, ${sqlString(source)}) AS source, strftime(i.created_at, '%Y-%m') AS dt
    FROM imp_orders i LEFT JOIN (SELECT order_id, shipped_at, delivered_at FROM ${tableSource(dataDir, ORDERS)}) l
      USING (order_id)`);
  await db.run(
    sql`CREATE TABLE existing AS SELECT order_id, dt FROM ${tableSource(dataDir, ORDERS)} WHERE order_id IN (SELECT order_id FROM inc)`,
  );
  const ordersNew = await db.count(
    sql`SELECT count(*) FROM inc WHERE order_id NOT IN (SELECT order_id FROM existing)`,
  );
  const ordersUpdated = await db.count(sql`SELECT count(DISTINCT order_id) FROM existing`);

  const affected = (await db.rows(sql`SELECT dt FROM inc UNION SELECT dt FROM existing ORDER BY dt`)).map(
    monthRow,
  );
  const months = affected.map((r) => r.dt);
  const inList = sqlStringList(months);

  await db.run(sql`COPY (
      SELECT ${columnList(ORDERS)}, dt FROM ${tableSource(dataDir, ORDERS)} WHERE dt IN ${inList} AND order_id NOT IN (SELECT order_id FROM inc)
      UNION ALL SELECT ${columnList(ORDERS)}, dt FROM inc
    ) TO ${sqlString(join(staging, 'orders'))} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`);

  // Items: orders that came with lines get exactly those lines; orders without (Taobao's order report) keep theirs.
  await db.run(sql`CREATE TABLE inc_items AS
    SELECT i.order_id, i.line_no, n.customer_id, n.created_at, n.status AS order_status, i.sku,
      coalesce(i.category, p.category) AS category, p.season, p.launch_date, i.quantity, i.unit_price,
      n.dt
    FROM imp_items i
    JOIN inc n ON n.order_id = i.order_id
    LEFT JOIN ${tableSource(dataDir, PRODUCTS)} p ON p.sku = i.sku`);
  // Kept lines of imported orders take the order's new status, so order_status stays in step.
  const kept = ORDER_ITEMS.columns.map((c) =>
    c.name === 'order_status'
      ? sql`coalesce(n.status, e.order_status) AS order_status`
      : sql`e.${ident(c.name)}`,
  );
  const itemSwaps = await rewriteOrderItems(
    db,
    { dataDir, staging, months },
    sql`SELECT ${joinSql(kept)}, e.dt FROM ${tableSource(dataDir, ORDER_ITEMS)} e LEFT JOIN inc n ON n.order_id = e.order_id
      WHERE e.dt IN ${inList} AND e.order_id NOT IN (SELECT DISTINCT order_id FROM inc_items)
      UNION ALL SELECT ${columnList(ORDER_ITEMS)}, dt FROM inc_items`,
  );

  // One row per imported customer: the earliest order gives the acquisition channel and first-seen time,
  // the earliest order that has a field gives it; consent given on any order counts.
  await db.run(cityTierTableSql());
  const first = (name: string) => {
    const c = ident(name);
    return sql`arg_min(${c}, created_at) FILTER (WHERE ${c} IS NOT NULL AND ${c} <> '')`;
  };
  await db.run(sql`CREATE TABLE imp_customers AS
    SELECT customer_id, ${first('name')} AS name, ${first('nickname')} AS nickname, ${first('birthday')} AS birthday, ${first('province')} AS province, ${first('city')} AS city,
      CAST(NULL AS INTEGER) AS city_tier, 'U' AS gender, 'unknown' AS age_band, ${sqlString(baseTier(rules.memberTiers ?? DEFAULT_MEMBER_TIERS))} AS member_tier,
      arg_min(channel, created_at) AS acquisition_channel, ${first('email')} AS email,
      bool_or(email_consent) AS email_consent, ${first('phone')} AS phone, bool_or(sms_consent) AS sms_consent,
      CAST(NULL AS VARCHAR) AS time_zone, min(created_at) AS registered_at
    FROM imp_orders WHERE source IS NULL GROUP BY customer_id`);
  await db.run(sql`UPDATE imp_customers SET city_tier = ${cityTierSql(sql`province`, sql`city`)}`);
  const customerCols = CUSTOMERS.columns.map((c) =>
    c.name === 'customer_id'
      ? sql`customer_id`
      : sql`coalesce(e.${ident(c.name)}, CAST(n.${ident(c.name)} AS ${DUCKDB_TYPE[c.type]})) AS ${ident(c.name)}`,
  );
  await db.run(sql`CREATE TABLE cust AS
    SELECT ${joinSql(customerCols)}, e.customer_id IS NULL AS is_new
    FROM ${tableSource(dataDir, CUSTOMERS)} e FULL OUTER JOIN imp_customers n USING (customer_id)`);
  const after = sql`(SELECT order_id, customer_id, status, amount, paid_at FROM ${tableSource(dataDir, ORDERS)}
      WHERE order_id NOT IN (SELECT order_id FROM inc)
      UNION ALL SELECT order_id, customer_id, status, amount, paid_at FROM inc)`;
  if (rules.memberTiers) {
    await db.run(sql`CREATE TABLE tiers AS ${memberTierSql(rules.memberTiers, after, rules.asOf)}`);
    await db.run(sql`UPDATE cust SET member_tier = coalesce(
      (SELECT t.member_tier FROM tiers t WHERE t.customer_id = cust.customer_id), ${sqlString(baseTier(rules.memberTiers))})`);
  }
  const customersNew = await db.count(sql`SELECT count(*) FROM cust WHERE is_new`);
  const cityTierUnknown = await db.count(
    sql`SELECT count(*) FROM cust WHERE city_tier IS NULL AND customer_id IN (SELECT customer_id FROM imp_customers)`,
  );
  await mkdir(join(staging, 'customers'), { recursive: true });
  await db.run(
    sql`COPY (SELECT ${columnList(CUSTOMERS)} FROM cust ORDER BY customer_id) TO ${sqlString(join(staging, 'customers', 'part-0.parquet'))} (FORMAT parquet)`,
  );

  const points: FolderSwap[] = [];
  if (rules.points) {
    const ledger = await rebuildPointsLedger(db, {
      orders: after,
      kept: tableSource(dataDir, POINTS_LEDGER),
      rule: rules.points,
      staging,
    });
    points.push({ target: tableDir(dataDir, POINTS_LEDGER.name), next: ledger.folder });
  }
  // The months of orders and lines, the customers table (and the points ledger) are replaced together, or not at all.
  await swapFolders(dataDir, [
    ...points,
    ...(await partitionSwaps(join(staging, 'orders'), tableDir(dataDir, ORDERS.name), months)),
    ...itemSwaps,
    { target: tableDir(dataDir, CUSTOMERS.name), next: join(staging, 'customers') },
  ]);
  return { ordersNew, ordersUpdated, customersNew, cityTierUnknown };
}

/**
 * Rewrites the order lines of the lake's months `months` from `lines` (the lines of those months, with
 * `dt`) in the lake's layout (writeSortedPartitions), in `staging`; returns the partitions' swaps.
 */
export async function rewriteOrderItems(
  db: DuckDbSession,
  where: { dataDir: string; staging: string; months: string[] },
  lines: Sql,
): Promise<FolderSwap[]> {
  const unsorted = join(where.staging, 'order_items-unsorted');
  await db.run(
    sql`COPY (${lines}) TO ${sqlString(unsorted)} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`,
  );
  await writeSortedPartitions(db, ORDER_ITEMS, unsorted, join(where.staging, 'order_items'));
  return partitionSwaps(
    join(where.staging, 'order_items'),
    tableDir(where.dataDir, ORDER_ITEMS.name),
    where.months,
  );
}

/** Each affected partition replaced by its rewrite, or removed when no row is left in it. */
export async function partitionSwaps(from: string, to: string, partitions: string[]): Promise<FolderSwap[]> {
  const written = new Set(existsSync(from) ? await readdir(from) : []);
  return partitions.map((dt) => ({
    target: join(to, `dt=${dt}`),
    next: written.has(`dt=${dt}`) ? join(from, `dt=${dt}`) : null,
  }));
}
