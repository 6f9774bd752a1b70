import { join } from 'node:path';
import { loadConfigFile } from '../../../campaign/config-file.ts';
import { DEFAULT_MEMBER_TIERS, type MemberTier, type PointsRule } from '../../../campaign/loyalty-schema.ts';
import { type Clock, systemClock } from '../../../clock.ts';
import { DataError } from '../../../errors.ts';
import type { DuckDbSession } from '../../../lake/local/duckdb-session.ts';
import { tableSource } from '../../../lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../../lake/sql.ts';
import { ORDERS } from '../../../lake/tables.ts';
import { inImportSession } from './import-session.ts';
import { type FileImportResult, ImportStaging, type OrderParts } from './import-staging.ts';
import type { ImportedOrder, RowResult } from './imported-order.ts';
import { ImportMapping, mappedRow } from './mapped-format.ts';
import { type CustomerRules, type MergeCounts, mergeIntoLake } from './merge-into-lake.ts';
import { MAX_EVENT_CHARS, orderEventLine } from './order-events-format.ts';
import { openCsv, refuseMissingColumns } from './read-csv.ts';
import { boundedLines } from './read-lines.ts';
import { resolveImported } from './resolve-imported.ts';
import { SHOPIFY_REQUIRED, ShopifyOrders } from './shopify-format.ts';
import { TAOBAO_REQUIRED, taobaoRow } from './taobao-format.ts';
import { decodedText, detectEncoding, type TextEncoding } from './text-encoding.ts';

export const IMPORT_FORMATS = ['taobao', 'shopify', 'mapped', 'order-events'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  file: string;
  format: ImportFormat;
  mappingFile?: string | undefined;
  rejectsFile: string;
  dataDir: string;
  /** "Now", for refusing orders from the future; the system clock unless a test sets it. */
  clock?: Clock;
  /** The shop's member tiers (contact-policy.yaml memberTiers), recomputed for every customer; default tiers if not given. */
  memberTiers?: MemberTier[] | undefined;
  /** The shop's points rule (contact-policy.yaml points): the points ledger is rebuilt; none: left as it is. */
  points?: PointsRule | undefined;
}

export interface ImportResult extends FileImportResult {
  /** Of the rejected: rows of orders that came in versions that disagree. */
  conflicts: number;
  /** Orders of a feed whose event is older than the version the lake has (a redelivery): left as they were. */
  stale: number;
  orders: number;
  ordersNew: number;
  ordersUpdated: number;
  customersNew: number;
  /** Customers of the file whose city has no tier in the bundled table (shared/shop/city-tiers.ts): city_tier NULL. */
  cityTierUnknown: number;
}

/** A file read as a stream of row results, with the count of rows read so far. */
interface RowSource {
  encoding: TextEncoding;
  /** The rejects file's columns after line and reason: the file's header, or `event` for a feed. */
  rejectsHeader: string[];
  parts: OrderParts;
  results: AsyncGenerator<RowResult>;
  read(): number;
}

/**
 * Imports an order export into the local lake. Every row is either imported or written to the rejects
 * file with its line number and reason; orders already in the lake (same order id) are replaced, not
 * duplicated, so importing a file twice changes nothing. The file streams through: rows are checked one
 * at a time and staged on disk, copies of an order are settled in DuckDB, and the lake changes in one
 * crash-safe swap at the end — or not at all when the file cannot be read.
 */
export async function importOrders(opts: ImportOptions): Promise<ImportResult> {
  const now = (opts.clock ?? systemClock).now();
  const mapping =
    opts.format === 'mapped'
      ? await loadConfigFile(
          ImportMapping,
          opts.mappingFile ??
            (() => {
              throw new DataError('--format mapped needs a mapping file');
            })(),
        )
      : null;
  const rules = {
    memberTiers: opts.memberTiers ?? DEFAULT_MEMBER_TIERS,
    points: opts.points ?? null,
    asOf: now,
  };
  return stageAndMerge(opts.dataDir, opts.format, opts.rejectsFile, rules, async () => {
    const source = await openSource(opts, mapping, now);
    return { ...source, file: opts.file };
  });
}

/**
 * Writes orders built in memory (the simulation's payments) to the lake through the same staging,
 * resolution and crash-safe merge as an import. Member tiers are kept as they are: they move with the
 * next import of orders, under the shop's rules.
 */
export async function mergeOrdersIntoLake(
  dataDir: string,
  orders: readonly ImportedOrder[],
  source: string,
): Promise<MergeCounts> {
  const rules = { memberTiers: null, points: null, asOf: new Date(0) };
  const result = await stageAndMerge(dataDir, source, null, rules, async () => ({
    file: source,
    encoding: 'utf-8',
    rejectsHeader: [],
    parts: 'whole',
    read: () => orders.length,
    results: (async function* () {
      for (const order of orders) yield { ok: true, order, rows: [{ line: order.line, cells: [] }] } as const;
    })(),
  }));
  if (result.rejected > 0)
    throw new Error(
      `${result.rejected} of the orders to merge disagree with each other: ${result.firstRejects[0]?.reason}`,
    );
  return result;
}

async function stageAndMerge(
  dataDir: string,
  label: string,
  rejectsFile: string | null,
  rules: CustomerRules,
  open: () => Promise<RowSource & { file: string }>,
): Promise<ImportResult> {
  return inImportSession(dataDir, async ({ db, staging }) => {
    const source = await open();
    const staged = new ImportStaging(
      staging,
      rejectsFile ?? join(staging, 'rejects.csv'),
      source.rejectsHeader,
      source.parts,
    );
    return staged.within(async (out) => {
      for await (const r of source.results) await out.add(r);
      await out.closeOrders();
      const resolved = await resolveImported(db, out, source.parts, tableSource(dataDir, ORDERS));
      const stale = label === 'order-events' ? await dropStaleVersions(db, tableSource(dataDir, ORDERS)) : 0;
      const merged =
        resolved.orders - stale > 0
          ? await mergeIntoLake(db, dataDir, staging, label, rules)
          : { ordersNew: 0, ordersUpdated: 0, customersNew: 0, cityTierUnknown: 0 };
      const report = await out.report(source.file, source.encoding, source.read());
      return {
        ...report,
        conflicts: resolved.conflictRows,
        orders: resolved.orders - stale,
        stale,
        ...merged,
        // Without a rejects file (orders merged from memory) the rejects are only counted.
        rejectsFile: rejectsFile ? report.rejectsFile : null,
      };
    });
  });
}

async function openSource(opts: ImportOptions, mapping: ImportMapping | null, now: Date): Promise<RowSource> {
  if (opts.format === 'order-events') return orderEventSource(opts.file, now);
  const csv = await openCsv(opts.file);
  let read = 0;
  const counted = async function* () {
    for await (const row of csv.rows) {
      read++;
      yield row;
    }
  };
  const base = { encoding: csv.encoding, rejectsHeader: csv.headers, read: () => read };
  if (mapping) {
    requireHeaders(
      opts.file,
      csv.headers,
      Object.values(mapping.columns).filter((c): c is string => typeof c === 'string'),
    );
    return {
      ...base,
      parts: 'parts',
      results: (async function* () {
        for await (const row of counted()) yield mappedRow(row, mapping, now);
      })(),
    };
  }
  if (opts.format === 'taobao') {
    requireHeaders(opts.file, csv.headers, TAOBAO_REQUIRED);
    return {
      ...base,
      parts: 'whole',
      results: (async function* () {
        for await (const row of counted()) yield taobaoRow(row, now);
      })(),
    };
  }
  requireHeaders(opts.file, csv.headers, SHOPIFY_REQUIRED);
  const shopify = new ShopifyOrders('Asia/Shanghai', now);
  return {
    ...base,
    parts: 'whole',
    results: (async function* () {
      for await (const row of counted()) yield* shopify.push(row);
      yield* shopify.end();
    })(),
  };
}

/** An order-events feed (JSON lines): every non-blank line is an order version or a reject. */
async function orderEventSource(file: string, now: Date): Promise<RowSource> {
  const encoding = await detectEncoding(file);
  if (encoding !== 'utf-8')
    throw new DataError(
      `${file}: an order feed is JSON lines in UTF-8, this file is ${encoding}; nothing was imported`,
    );
  let read = 0;
  return {
    encoding,
    rejectsHeader: ['event'],
    parts: 'whole',
    read: () => read,
    results: (async function* () {
      for await (const l of boundedLines(decodedText(file, encoding), MAX_EVENT_CHARS)) {
        if (!l.tooLong && !l.text.trim()) continue;
        read++;
        yield orderEventLine(l.line, l.text.replace(/^\uFEFF/, ''), l.tooLong, now);
      }
    })(),
  };
}

/**
 * An order moves one way: unpaid → paid (or closed, never paid) → shipped → delivered → refunded. A feed
 * event that would move an order of the lake back (a redelivered `created` after `paid`, a `paid` after
 * `shipped`) is older than what the lake has: it is dropped from the import, and counted. Of the kept
 * orders, a shipped or delivered time an earlier event of the file gave (the latest event, `delivered`,
 * may not repeat when it was shipped) is kept.
 */
async function dropStaleVersions(db: DuckDbSession, lakeOrders: Sql): Promise<number> {
  const rank = (o: Sql) =>
    sql`CASE ${o}.status WHEN 'unpaid' THEN 0 WHEN 'closed' THEN 1 WHEN 'refunded' THEN 4
      WHEN 'paid' THEN CASE WHEN ${o}.delivered_at IS NOT NULL THEN 3 WHEN ${o}.shipped_at IS NOT NULL THEN 2 ELSE 1 END END`;
  await db.run(sql`UPDATE imp_orders SET
    shipped_at = coalesce(shipped_at, (SELECT max(x.o.shipped_at) FROM occ x WHERE x.order_id = imp_orders.order_id)),
    delivered_at = coalesce(delivered_at, (SELECT max(x.o.delivered_at) FROM occ x WHERE x.order_id = imp_orders.order_id))`);
  await db.run(sql`CREATE TABLE stale AS
    SELECT i.order_id FROM imp_orders i JOIN ${lakeOrders} o USING (order_id)
    WHERE ${rank(sql`i`)} < ${rank(sql`o`)} OR (i.status = 'closed' AND o.status IN ('paid', 'refunded'))`);
  await db.run(sql`DELETE FROM imp_orders WHERE order_id IN (SELECT order_id FROM stale)`);
  await db.run(sql`DELETE FROM imp_items WHERE order_id IN (SELECT order_id FROM stale)`);
  return db.count(sql`SELECT count(*) FROM stale`);
}

function requireHeaders(file: string, headers: string[], required: readonly string[]): void {
  const missing = required.filter((h) => !headers.includes(h));
  refuseMissingColumns(file, headers, missing.length > 0 ? [`column(s) ${missing.join(', ')}`] : []);
}
