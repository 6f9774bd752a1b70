import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableDir } from '../../lake/lake-paths.ts';
import { openDuckDb, tableSource } from '../../lake/local/duckdb-warehouse.ts';
import { type FolderSwap, recoverLakeSwap, stagingFolder, swapFolders } from '../../lake/local/lake-swap.ts';
import { writeSortedPartitions } from '../../lake/local/sorted-partitions.ts';
import { CUSTOMERS, DUCKDB_TYPE, ORDER_ITEMS, ORDERS, PRODUCTS, type TableDef } from '../../lake/tables.ts';
import { sqlString } from '../../segment/sql-literals.ts';
import type { ImportedOrder } from './imported-order.ts';

export interface MergeCounts {
  ordersNew: number;
  ordersUpdated: number;
  customersNew: number;
}

const columns = (t: TableDef) => t.columns.map((c) => c.name).join(', ');
const jsonColumns = (t: TableDef) =>
  `{${t.columns.map((c) => `${c.name}: '${DUCKDB_TYPE[c.type]}'`).join(', ')}}`;

/**
 * Upserts imported orders into the lake: orders and their items by order id (only the partitions they
 * touch are rewritten), customers by customer id (fields the lake already has are kept).
 */
export async function mergeIntoLake(
  dataDir: string,
  orders: ImportedOrder[],
  source: string,
): Promise<MergeCounts> {
  if (orders.length === 0) return { ordersNew: 0, ordersUpdated: 0, customersNew: 0 };
  await recoverLakeSwap(dataDir);
  const staging = await stagingFolder(dataDir);
  const { instance, connection: db } = await openDuckDb({ threads: 2 });
  try {
    await writeJsonl(
      join(staging, 'orders.jsonl'),
      orders.map((o) => orderRow(o, source)),
    );
    await writeJsonl(join(staging, 'items.jsonl'), orders.flatMap(itemRows));
    await writeJsonl(join(staging, 'customers.jsonl'), customerRows(orders));

    const read = (file: string, t: TableDef) =>
      `read_json(${sqlString(join(staging, file))}, format = 'newline_delimited', columns = ${jsonColumns(t)})`;
    await db.run(
      `CREATE TABLE inc AS SELECT *, strftime(created_at, '%Y-%m') AS dt FROM ${read('orders.jsonl', ORDERS)}`,
    );
    await db.run(
      `CREATE TABLE existing AS SELECT order_id, dt FROM ${tableSource(dataDir, ORDERS)} WHERE order_id IN (SELECT order_id FROM inc)`,
    );
    const counts =
      (
        await db.runAndReadAll(`SELECT
        (SELECT count(*) FROM inc WHERE order_id NOT IN (SELECT order_id FROM existing)) AS new_orders,
        (SELECT count(DISTINCT order_id) FROM existing) AS updated`)
      ).getRowObjects()[0] ?? {};

    const affected = (await db.runAndReadAll(`SELECT dt FROM inc UNION SELECT dt FROM existing ORDER BY dt`))
      .getRows()
      .map((r) => String(r[0]));
    const inList = affected.map(sqlString).join(', ');

    await db.run(`COPY (
        SELECT ${columns(ORDERS)}, dt FROM ${tableSource(dataDir, ORDERS)} WHERE dt IN (${inList}) AND order_id NOT IN (SELECT order_id FROM inc)
        UNION ALL SELECT ${columns(ORDERS)}, dt FROM inc
      ) TO ${sqlString(join(staging, 'orders'))} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`);

    // Items: orders that came with lines get exactly those lines; orders without (Taobao's order report) keep theirs.
    await db.run(`CREATE TABLE inc_items AS
      SELECT i.order_id, i.line_no, i.customer_id, i.created_at, n.status AS order_status, i.sku,
        coalesce(i.category, p.category) AS category, p.season, p.launch_date, i.quantity, i.unit_price,
        strftime(i.created_at, '%Y-%m') AS dt
      FROM ${read('items.jsonl', ORDER_ITEMS)} i
      JOIN inc n ON n.order_id = i.order_id
      LEFT JOIN ${tableSource(dataDir, PRODUCTS)} p ON p.sku = i.sku`);
    // Kept lines of imported orders take the order's new status, so order_status stays in step.
    const kept = ORDER_ITEMS.columns.map((c) =>
      c.name === 'order_status' ? 'coalesce(n.status, e.order_status) AS order_status' : `e.${c.name}`,
    );
    await db.run(`COPY (
        SELECT ${kept.join(', ')}, e.dt FROM ${tableSource(dataDir, ORDER_ITEMS)} e LEFT JOIN inc n ON n.order_id = e.order_id
        WHERE e.dt IN (${inList}) AND e.order_id NOT IN (SELECT DISTINCT order_id FROM inc_items)
        UNION ALL SELECT ${columns(ORDER_ITEMS)}, dt FROM inc_items
      ) TO ${sqlString(join(staging, 'order_items-unsorted'))} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`);
    await writeSortedPartitions(
      db,
      ORDER_ITEMS,
      join(staging, 'order_items-unsorted'),
      join(staging, 'order_items'),
    );

    const customerCols = CUSTOMERS.columns.map((c) =>
      c.name === 'customer_id' ? 'customer_id' : `coalesce(e.${c.name}, n.${c.name}) AS ${c.name}`,
    );
    await db.run(`CREATE TABLE cust AS
      SELECT ${customerCols.join(', ')}, e.customer_id IS NULL AS is_new
      FROM ${tableSource(dataDir, CUSTOMERS)} e FULL OUTER JOIN ${read('customers.jsonl', CUSTOMERS)} n USING (customer_id)`);
    const customersNew = Number(
      (await db.runAndReadAll(`SELECT count(*) FROM cust WHERE is_new`)).getRows()[0]?.[0] ?? 0,
    );
    await mkdir(join(staging, 'customers'), { recursive: true });
    await db.run(
      `COPY (SELECT ${columns(CUSTOMERS)} FROM cust ORDER BY customer_id) TO ${sqlString(join(staging, 'customers', 'part-0.parquet'))} (FORMAT parquet)`,
    );

    // The months of orders and lines and the customers table are replaced together, or not at all.
    await swapFolders(dataDir, [
      ...(await partitionSwaps(join(staging, 'orders'), tableDir(dataDir, ORDERS.name), affected)),
      ...(await partitionSwaps(join(staging, 'order_items'), tableDir(dataDir, ORDER_ITEMS.name), affected)),
      { target: tableDir(dataDir, CUSTOMERS.name), next: join(staging, 'customers') },
    ]);
    return {
      ordersNew: Number(counts.new_orders ?? 0),
      ordersUpdated: Number(counts.updated ?? 0),
      customersNew,
    };
  } finally {
    db.closeSync();
    instance.closeSync();
    await rm(staging, { recursive: true, force: true });
  }
}

/** Each affected partition replaced by its rewrite, or removed when no row is left in it. */
async function partitionSwaps(from: string, to: string, partitions: string[]): Promise<FolderSwap[]> {
  const written = new Set(existsSync(from) ? await readdir(from) : []);
  return partitions.map((dt) => ({
    target: join(to, `dt=${dt}`),
    next: written.has(`dt=${dt}`) ? join(from, `dt=${dt}`) : null,
  }));
}

async function writeJsonl(file: string, rows: object[]): Promise<void> {
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

const ts = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace('Z', '') : null);

function orderRow(o: ImportedOrder, source: string) {
  return {
    order_id: o.orderId,
    customer_id: o.customer.customerId,
    created_at: ts(o.createdAt),
    paid_at: ts(o.paidAt),
    status: o.status,
    amount: o.amount,
    discount: o.discount,
    channel: o.channel,
    source,
  };
}

function itemRows(o: ImportedOrder) {
  return o.items.map((it, i) => ({
    order_id: o.orderId,
    line_no: i + 1,
    customer_id: o.customer.customerId,
    created_at: ts(o.createdAt),
    order_status: o.status,
    sku: it.sku,
    category: it.category,
    season: null,
    launch_date: null,
    quantity: it.quantity,
    unit_price: it.unitPrice,
  }));
}

/** One row per customer: the earliest order gives the acquisition channel and first-seen time. */
function customerRows(orders: ImportedOrder[]) {
  const byCustomer = new Map<string, ImportedOrder[]>();
  for (const o of orders)
    byCustomer.set(o.customer.customerId, [...(byCustomer.get(o.customer.customerId) ?? []), o]);
  return [...byCustomer.values()].map((list) => {
    list.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const first = list[0] as ImportedOrder;
    const pick = <K extends keyof ImportedOrder['customer']>(k: K) =>
      list.map((o) => o.customer[k]).find((v) => v !== null && v !== '') ?? null;
    return {
      customer_id: first.customer.customerId,
      name: pick('name'),
      province: pick('province'),
      city: pick('city'),
      city_tier: null,
      gender: 'U',
      age_band: 'unknown',
      member_tier: 'normal',
      acquisition_channel: first.channel,
      email: pick('email'),
      email_consent: list.some((o) => o.customer.emailConsent),
      phone: pick('phone'),
      sms_consent: list.some((o) => o.customer.smsConsent),
      time_zone: null,
      registered_at: ts(first.createdAt),
    };
  });
}
