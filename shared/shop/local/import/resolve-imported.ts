import type { DuckDbSession } from '../../../lake/local/duckdb-session.ts';
import { joinSql, type Sql, sql } from '../../../lake/sql.ts';
import { sqlString } from '../../../lake/sql-literals.ts';
import type { ImportStaging, OrderParts } from './import-staging.ts';

/** The staged lines' columns, as import-staging.ts writes them. */
const STAGED = sql`{
  order_id: 'VARCHAR', line: 'BIGINT', version: 'DOUBLE', header: 'BOOLEAN', fp: 'VARCHAR',
  o: 'STRUCT(customer_id VARCHAR, created_at TIMESTAMP, paid_at TIMESTAMP, shipped_at TIMESTAMP, delivered_at TIMESTAMP, status VARCHAR,
    amount DECIMAL(12,2), discount DECIMAL(12,2), channel VARCHAR, name VARCHAR, nickname VARCHAR, birthday VARCHAR, province VARCHAR,
    city VARCHAR, email VARCHAR, email_consent BOOLEAN, phone VARCHAR, sms_consent BOOLEAN)',
  items: 'STRUCT(sku VARCHAR, name VARCHAR, category VARCHAR, quantity INTEGER, unit_price DECIMAL(12,2))[]',
  src: 'STRUCT(line BIGINT, cells VARCHAR[])[]'
}`;

/** Fields two copies of an order can differ in, as a reject reason names them. */
const COMPARED: [string, Sql][] = [
  ['customer', sql`o.customer_id`],
  ['created', sql`o.created_at`],
  ['paid', sql`o.paid_at`],
  ['shipped', sql`o.shipped_at`],
  ['delivered', sql`o.delivered_at`],
  ['status', sql`o.status`],
  ['amount', sql`o.amount`],
  ['discount', sql`o.discount`],
  ['channel', sql`o.channel`],
  ['name', sql`o.name`],
  ['nickname', sql`o.nickname`],
  ['address', sql`concat_ws('/', o.province, o.city)`],
  ['email', sql`o.email`],
  ['phone', sql`o.phone`],
  ['consent', sql`concat_ws('/', o.email_consent, o.sms_consent)`],
  ['line items', sql`to_json(items)`],
];

export interface Resolved {
  /** Orders to write to the lake: `imp_orders` and `imp_items` in the DuckDB session. */
  orders: number;
  /** Rows rejected because their order came in versions that disagree (not those of orders without fields). */
  conflictRows: number;
}

/**
 * Settles the staged orders in DuckDB (which spills to disk, so the file's size does not bound memory):
 * of an order's versions the latest (`version`: an order feed's event time) counts; copies that agree are one
 * order; versions that disagree are a conflict and every row of that order goes to the rejects, naming
 * the lines and the fields that differ — no version wins silently. Leaves `imp_orders` (one row per order,
 * the lake's order columns and the customer's fields; `source` set for orders the lake already had, whose
 * lines came without the order's fields), `imp_items` (their lines) and `bad_rows` (the rows rejected) in
 * the session.
 */
export async function resolveImported(
  db: DuckDbSession,
  staging: ImportStaging,
  parts: OrderParts,
  lakeOrders: Sql,
): Promise<Resolved> {
  await db.run(
    sql`CREATE TABLE occ AS SELECT * FROM read_json(${sqlString(staging.ordersFile)}, format = 'newline_delimited', columns = ${STAGED})`,
  );
  await db.run(sql`CREATE TABLE verdict AS
    WITH latest AS (SELECT order_id, max(version) AS version FROM occ GROUP BY order_id)
    SELECT order_id,
      count(DISTINCT fp) FILTER (WHERE header) AS versions,
      count(*) FILTER (WHERE header) AS headers,
      min(line) FILTER (WHERE header) AS chosen_line
    FROM occ JOIN latest USING (order_id, version)
    GROUP BY order_id`);
  // Order lines without their order's fields (an item report) join the order the lake already has.
  await db.run(sql`CREATE TABLE known AS
    SELECT o.order_id, o.customer_id, o.created_at, o.paid_at, o.shipped_at, o.delivered_at, o.status, o.amount, o.discount, o.channel, o.source
    FROM ${lakeOrders} o WHERE o.order_id IN (SELECT order_id FROM verdict WHERE headers = 0)`);

  // Conflicts and orders without their fields: every row of the order is rejected, with the reason.
  const differs = COMPARED.filter(([name]) => parts === 'whole' || name !== 'line items').map(
    ([name, expr]) =>
      sql`CASE WHEN count(DISTINCT coalesce(CAST(${expr} AS VARCHAR), '')) > 1 THEN ${sqlString(name)} END`,
  );
  await db.run(sql`CREATE TABLE bad_rows AS
    WITH bad AS (SELECT * FROM verdict
      WHERE versions > 1 OR (headers = 0 AND order_id NOT IN (SELECT order_id FROM known))),
    fields AS (
      SELECT order_id, list_filter([${joinSql(differs)}], x -> x IS NOT NULL) AS fields
      FROM occ WHERE header AND order_id IN (SELECT order_id FROM bad)
        AND version = (SELECT max(version) FROM occ x WHERE x.order_id = occ.order_id)
      GROUP BY order_id),
    rows AS (SELECT order_id, unnest(src) AS s FROM occ WHERE order_id IN (SELECT order_id FROM bad)),
    lines AS (SELECT order_id, list_sort(list(DISTINCT s.line)) AS all_lines, count(DISTINCT s.line) AS n
      FROM rows GROUP BY order_id)
    SELECT s.line AS line, s.cells AS cells,
      CASE WHEN b.headers = 0
        THEN 'order ' || r.order_id || ': line items of an order that is not in the lake, and no row of the file carries its fields (import the orders first)'
        ELSE 'order ' || r.order_id || ' comes in ' || b.versions || ' versions that differ in '
          || array_to_string(f.fields, ', ') || ' (lines ' || array_to_string(l.all_lines[1:10], ', ')
          || CASE WHEN l.n > 10 THEN ', …' ELSE '' END || '): none of its '
          || l.n || ' rows imported; keep one version in the file'
      END AS reason, b.headers > 0 AS conflict
    FROM rows r JOIN bad b USING (order_id) JOIN lines l USING (order_id) LEFT JOIN fields f USING (order_id)`);
  await staging.rejectAll(db, sql`SELECT line, cells, reason FROM bad_rows ORDER BY line`);
  const conflictRows = await db.count(sql`SELECT count(*) FROM bad_rows WHERE conflict`);

  await db.run(sql`CREATE TABLE imp_orders AS
    SELECT occ.order_id, o.*, CAST(NULL AS VARCHAR) AS source
    FROM occ JOIN verdict v ON v.order_id = occ.order_id AND occ.line = v.chosen_line AND occ.header
    WHERE v.versions = 1
    UNION ALL BY NAME
    SELECT * FROM known`);
  // Items: a whole order's are its chosen version's; an order in parts has the items of all its rows.
  const fromRows =
    parts === 'whole'
      ? sql`occ.line = v.chosen_line AND occ.header`
      : sql`occ.version = (SELECT max(version) FROM occ x WHERE x.order_id = occ.order_id)`;
  await db.run(sql`CREATE TABLE imp_items AS
    WITH lines AS (
      SELECT occ.order_id, occ.line, unnest(occ.items) AS it, generate_subscripts(occ.items, 1) AS k
      FROM occ JOIN verdict v ON v.order_id = occ.order_id
      WHERE (v.versions = 1 AND ${fromRows}) OR occ.order_id IN (SELECT order_id FROM known))
    SELECT order_id, CAST(row_number() OVER (PARTITION BY order_id ORDER BY line, k) AS INTEGER) AS line_no,
      it.sku, it.name, it.category, it.quantity, it.unit_price
    FROM lines`);
  const orders = await db.count(sql`SELECT count(*) FROM imp_orders`);
  return { orders, conflictRows };
}
