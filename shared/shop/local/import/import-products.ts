import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../../errors.ts';
import { columnList } from '../../../lake/column-list.ts';
import { tableDir } from '../../../lake/lake-paths.ts';
import { tableSource } from '../../../lake/local/duckdb-warehouse.ts';
import { type FolderSwap, swapFolders } from '../../../lake/local/lake-swap.ts';
import { col, rowDecoder } from '../../../lake/row-decoder.ts';
import { ident, joinSql, sql } from '../../../lake/sql.ts';
import { sqlString, sqlStringList } from '../../../lake/sql-literals.ts';
import { ORDER_ITEMS, PRODUCTS } from '../../../lake/tables.ts';
import { calendarProblem } from '../../../time/zoned-time.ts';
import { inImportSession } from './import-session.ts';
import { type FileImportResult, ImportStaging } from './import-staging.ts';
import { MAX_ID_CHARS, parseMoney } from './imported-order.ts';
import { rewriteOrderItems } from './merge-into-lake.ts';
import { columnsByAlias, openCsv } from './read-csv.ts';

/** Our field → the headers a product export may use for it (English, Taobao's seller centre). */
export const PRODUCT_COLUMNS = {
  sku: ['sku', 'SKU', '商家编码', '货号'],
  product_name: ['name', 'product_name', '宝贝标题', '标题', '商品名称'],
  category: ['category', '类目', '分类'],
  season: ['season', '季节'],
  launch_date: ['launch_date', '上新日期', '上架时间'],
  list_price: ['list_price', '一口价', '价格'],
  use_cycle_days: ['use_cycle', 'use_cycle_days', '使用周期', '使用周期(天)', '使用周期（天）', '周期'],
} as const;

const monthLines = rowDecoder('the months whose order lines change', { dt: col.text, n: col.number });

/** The longest use cycle a product may state: ten years. */
const MAX_USE_CYCLE_DAYS = 3650;

const SEASONS: Record<string, string> = {
  spring: 'spring',
  summer: 'summer',
  autumn: 'autumn',
  fall: 'autumn',
  winter: 'winter',
  all: 'all',
  春: 'spring',
  春季: 'spring',
  夏: 'summer',
  夏季: 'summer',
  秋: 'autumn',
  秋季: 'autumn',
  冬: 'winter',
  冬季: 'winter',
  四季: 'all',
  四季通用: 'all',
};

export interface ProductImportResult extends FileImportResult {
  /** Of the rejected: rows of skus listed more than once with different content. */
  conflicts: number;
  products: number;
  productsNew: number;
  /** Order lines whose category, season or launch date changed with their product. */
  orderLinesUpdated: number;
}

interface ProductRow {
  sku: string;
  product_name: string | null;
  category: string | null;
  season: string | null;
  launch_date: string | null;
  list_price: number | null;
  use_cycle_days: number | null;
}

/** One row of a product export: the product, or why not (column and expected value). */
export function productRow(
  values: Record<string, string>,
  header: Record<string, string | undefined>,
): ProductRow | string {
  const get = (k: keyof typeof PRODUCT_COLUMNS) => {
    const h = header[k];
    return h ? (values[h] ?? '').trim() : '';
  };
  const sku = get('sku');
  if (!sku) return `${header.sku}: empty, expected the product's sku`;
  if (sku.length > MAX_ID_CHARS) return `${header.sku}: longer than ${MAX_ID_CHARS} characters`;
  const seasonText = get('season');
  const season = seasonText ? (SEASONS[seasonText.toLowerCase()] ?? null) : null;
  if (seasonText && !season)
    return `${header.season}: "${seasonText}" is not a season; expected spring, summer, autumn, winter, all (or 春, 夏, 秋, 冬, 四季)`;
  const launchText = get('launch_date');
  let launch: string | null = null;
  if (launchText) {
    const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$/.exec(launchText);
    const problem = m
      ? calendarProblem({
          year: Number(m[1]),
          month: Number(m[2]),
          day: Number(m[3]),
          hour: 0,
          minute: 0,
          second: 0,
        })
      : `expected a date like 2025-03-01, got "${launchText}"`;
    if (problem || !m)
      return `${header.launch_date}: ${m ? `"${launchText}" is not a date: ${problem}` : problem}`;
    launch = `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
  }
  const priceText = get('list_price');
  const price = priceText ? parseMoney(priceText) : null;
  if (price && !price.ok) return `${header.list_price}: ${price.problem}`;
  const cycleText = get('use_cycle_days');
  let cycle: number | null = null;
  if (cycleText) {
    const m = /^(\d{1,5})\s*(d|天|days?)?$/i.exec(cycleText);
    cycle = m ? Number(m[1]) : null;
    if (cycle === null || cycle < 1 || cycle > MAX_USE_CYCLE_DAYS)
      return `${header.use_cycle_days}: expected the days one purchase lasts, a whole number from 1 to ${MAX_USE_CYCLE_DAYS} (e.g. 60, 60d or 60天), got "${cycleText}"`;
  }
  return {
    sku,
    product_name: get('product_name') || null,
    category: get('category') || null,
    season,
    launch_date: launch,
    list_price: price?.ok ? price.value : null,
    use_cycle_days: cycle,
  };
}

/**
 * Imports a product list (sku, name, category, season, launch date, list price, use cycle) into the lake's products,
 * replacing the listed skus, and brings the order lines of those skus in step (their category, season and
 * launch date are copies, read by `bought`, `earlyBuyer` and the other item predicates). Rows stream; a
 * sku listed twice with different content is a conflict (all its rows rejected); the lake changes in one
 * crash-safe swap.
 */
export async function importProducts(opts: {
  file: string;
  rejectsFile: string;
  dataDir: string;
}): Promise<ProductImportResult> {
  return inImportSession(opts.dataDir, async ({ db, staging }) => {
    const csv = await openCsv(opts.file);
    const header = columnsByAlias(csv.headers, PRODUCT_COLUMNS);
    if (!header.sku)
      throw new DataError(
        `${opts.file}:1: no sku column; expected one of ${PRODUCT_COLUMNS.sku.join(', ')}, the header has ${csv.headers.slice(0, 12).join(', ')}`,
      );
    return new ImportStaging(staging, opts.rejectsFile, csv.headers, 'whole').within(async (out) => {
      const staged = join(staging, 'products.jsonl');
      const lines: string[] = [];
      let read = 0;
      const file = createWriteStream(staged);
      for await (const row of csv.rows) {
        read++;
        const p = productRow(row.values, header);
        if (typeof p === 'string') {
          await out.reject(row, p);
          continue;
        }
        lines.push(`${JSON.stringify({ ...p, line: row.line, cells: row.cells })}\n`);
        if (lines.length >= 1000 && !file.write(lines.splice(0).join(''))) await once(file, 'drain');
      }
      file.end(lines.join(''));
      await once(file, 'finish');
      await out.closeOrders();

      await db.run(sql`CREATE TABLE staged AS SELECT * FROM read_json(${sqlString(staged)}, format = 'newline_delimited',
        columns = {sku: 'VARCHAR', product_name: 'VARCHAR', category: 'VARCHAR', season: 'VARCHAR',
          launch_date: 'DATE', list_price: 'DECIMAL(12,2)', use_cycle_days: 'INTEGER', line: 'BIGINT', cells: 'VARCHAR[]'})`);
      const content = sql`to_json(struct_pack(product_name, category, season, launch_date, list_price, use_cycle_days))`;
      const conflicts = await out.rejectAll(
        db,
        sql`WITH bad AS (SELECT sku, list_sort(list(line)) AS lines, count(*) AS n FROM staged GROUP BY sku
            HAVING count(DISTINCT ${content}) > 1)
          SELECT s.line, s.cells, 'sku ' || s.sku || ' is listed ' || b.n || ' times with different content (lines '
            || array_to_string(b.lines[1:10], ', ') || '): none of its rows imported; keep one row per sku' AS reason
          FROM staged s JOIN bad b USING (sku) ORDER BY s.line`,
      );
      await db.run(sql`CREATE TABLE inc AS
        SELECT sku, any_value(product_name) AS product_name, any_value(category) AS category, any_value(season) AS season,
          any_value(launch_date) AS launch_date, any_value(list_price) AS list_price,
          any_value(use_cycle_days) AS use_cycle_days
        FROM staged GROUP BY sku
        HAVING count(DISTINCT ${content}) = 1`);
      const products = await db.count(sql`SELECT count(*) FROM inc`);
      let productsNew = 0;
      let orderLinesUpdated = 0;
      if (products > 0) {
        const existing = tableSource(opts.dataDir, PRODUCTS);
        productsNew = await db.count(
          sql`SELECT count(*) FROM inc WHERE sku NOT IN (SELECT sku FROM ${existing})`,
        );
        const productCols = columnList(PRODUCTS);
        await db.run(sql`COPY (
            SELECT ${productCols} FROM ${existing} WHERE sku NOT IN (SELECT sku FROM inc)
            UNION ALL SELECT ${productCols} FROM inc ORDER BY sku
          ) TO ${sqlString(join(staging, 'products-new.parquet'))} (FORMAT parquet)`);
        await mkdir(join(staging, 'products'), { recursive: true });
        await rename(join(staging, 'products-new.parquet'), join(staging, 'products', 'part-0.parquet'));

        // Order lines of the imported skus take the product's category, season and launch date.
        const items = tableSource(opts.dataDir, ORDER_ITEMS);
        const changed = sql`i.sku = p.sku AND (i.category IS DISTINCT FROM coalesce(p.category, i.category)
          OR i.season IS DISTINCT FROM p.season OR i.launch_date IS DISTINCT FROM p.launch_date)`;
        const affected = (
          await db.rows(sql`SELECT DISTINCT i.dt, count(*) OVER (PARTITION BY i.dt) AS n
            FROM ${items} i JOIN inc p ON ${changed} ORDER BY i.dt`)
        ).map(monthLines);
        orderLinesUpdated = affected.reduce((sum, m) => sum + m.n, 0);
        const swaps: FolderSwap[] = [
          { target: tableDir(opts.dataDir, PRODUCTS.name), next: join(staging, 'products') },
        ];
        if (affected.length > 0) {
          const months = affected.map((m) => m.dt);
          const cols = ORDER_ITEMS.columns.map((c) =>
            c.name === 'category'
              ? sql`coalesce(p.category, i.category) AS category`
              : ['season', 'launch_date'].includes(c.name)
                ? sql`CASE WHEN p.sku IS NULL THEN i.${ident(c.name)} ELSE p.${ident(c.name)} END AS ${ident(c.name)}`
                : sql`i.${ident(c.name)}`,
          );
          swaps.push(
            ...(await rewriteOrderItems(
              db,
              { dataDir: opts.dataDir, staging, months },
              sql`SELECT ${joinSql(cols)}, i.dt FROM ${items} i LEFT JOIN inc p ON p.sku = i.sku WHERE i.dt IN ${sqlStringList(months)}`,
            )),
          );
        }
        await swapFolders(opts.dataDir, swaps);
      }
      return {
        ...(await out.report(opts.file, csv.encoding, read)),
        conflicts,
        products,
        productsNew,
        orderLinesUpdated,
      };
    });
  });
}
