import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { loadConfigFile } from '../../campaign/config-file.ts';
import { DataError } from '../../errors.ts';
import type { ImportedOrder, RowResult } from './imported-order.ts';
import { ImportMapping, mappedRows } from './mapped-format.ts';
import { mergeIntoLake } from './merge-into-lake.ts';
import { readOrderEvents } from './order-events-format.ts';
import { readCsv } from './read-csv.ts';
import { SHOPIFY_REQUIRED, shopifyRows } from './shopify-format.ts';
import { TAOBAO_REQUIRED, taobaoRow } from './taobao-format.ts';

export const IMPORT_FORMATS = ['taobao', 'shopify', 'mapped', 'order-events'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  file: string;
  format: ImportFormat;
  mappingFile?: string | undefined;
  rejectsFile: string;
  dataDir: string;
}

export interface ImportResult {
  file: string;
  encoding: string;
  /** Data rows read; read = imported + rejected, always. */
  read: number;
  imported: number;
  rejected: number;
  orders: number;
  ordersNew: number;
  ordersUpdated: number;
  customersNew: number;
  rejectsFile: string | null;
}

/**
 * Imports an order export into the local lake. Every row is either imported or written to the rejects
 * file with its line number and reason; orders already in the lake (same order id) are replaced, not
 * duplicated, so importing a file twice changes nothing.
 */
export async function importOrders(opts: ImportOptions): Promise<ImportResult> {
  if (opts.format === 'order-events') return importOrderEvents(opts);
  const csv = await readCsv(opts.file);
  const required: readonly string[] =
    opts.format === 'taobao' ? TAOBAO_REQUIRED : opts.format === 'shopify' ? SHOPIFY_REQUIRED : [];
  let results: RowResult[];
  if (opts.format === 'mapped') {
    if (!opts.mappingFile) throw new DataError('--format mapped needs a mapping file');
    const mapping = await loadConfigFile(ImportMapping, opts.mappingFile);
    requireHeaders(
      opts.file,
      csv.headers,
      Object.values(mapping.columns).filter((c): c is string => typeof c === 'string'),
    );
    results = mappedRows(csv.rows, mapping);
  } else {
    requireHeaders(opts.file, csv.headers, required);
    results = opts.format === 'taobao' ? csv.rows.map(taobaoRow) : shopifyRows(csv.rows, 'Asia/Shanghai');
  }

  const rejects = results
    .filter((r): r is Extract<RowResult, { ok: false }> => !r.ok)
    .sort((a, b) => a.line - b.line);
  const byId = new Map<string, ImportedOrder>();
  for (const r of results) if (r.ok) byId.set(r.order.orderId, r.order); // a later row of the same order wins

  let rejectsFile: string | null = null;
  if (rejects.length > 0) {
    const rowsByLine = new Map(csv.rows.map((r) => [r.line, r.values]));
    const records = rejects.map((r) => [
      r.line,
      r.reason,
      ...csv.headers.map((h) => rowsByLine.get(r.line)?.[h] ?? ''),
    ]);
    await writeFile(
      opts.rejectsFile,
      stringify([['line', 'reason', ...csv.headers], ...records], { bom: true }),
    );
    rejectsFile = opts.rejectsFile;
  }

  const merged = await mergeIntoLake(opts.dataDir, [...byId.values()], opts.format);
  return {
    file: opts.file,
    encoding: csv.encoding,
    read: csv.rows.length,
    imported: csv.rows.length - rejects.length,
    rejected: rejects.length,
    orders: byId.size,
    ...merged,
    rejectsFile,
  };
}

/** An order-events feed (JSON lines): the latest event of each order is merged; rejects keep their line. */
async function importOrderEvents(opts: ImportOptions): Promise<ImportResult> {
  const { read, results, text } = await readOrderEvents(opts.file);
  const rejects = results
    .filter((r): r is Extract<RowResult, { ok: false }> => !r.ok)
    .sort((a, b) => a.line - b.line);
  const byId = new Map<string, ImportedOrder>();
  for (const r of results) if (r.ok) byId.set(r.order.orderId, r.order); // latest `at` last
  let rejectsFile: string | null = null;
  if (rejects.length > 0) {
    const records = rejects.map((r) => [r.line, r.reason, text.get(r.line) ?? '']);
    await writeFile(opts.rejectsFile, stringify([['line', 'reason', 'event'], ...records], { bom: true }));
    rejectsFile = opts.rejectsFile;
  }
  const merged = await mergeIntoLake(opts.dataDir, [...byId.values()], 'order-events');
  return {
    file: opts.file,
    encoding: 'utf-8',
    read,
    imported: read - rejects.length,
    rejected: rejects.length,
    orders: byId.size,
    ...merged,
    rejectsFile,
  };
}

function requireHeaders(file: string, headers: string[], required: readonly string[]): void {
  const missing = required.filter((h) => !headers.includes(h));
  if (missing.length > 0) {
    throw new DataError(
      `${file}:1: missing column(s) ${missing.join(', ')}; the header has ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`,
    );
  }
}
