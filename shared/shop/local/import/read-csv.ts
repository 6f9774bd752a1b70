import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DataError } from '../../../errors.ts';
import type { SourceRow } from './imported-order.ts';
import { decodedText, detectEncoding, type TextEncoding } from './text-encoding.ts';

export interface CsvRow extends SourceRow {
  /** Cells by header (the header's cells trimmed); `cells` keeps them in the header's order. */
  values: Record<string, string>;
}

export interface CsvFile {
  encoding: TextEncoding;
  headers: string[];
  /** The data rows, read as they are consumed: memory holds one chunk and one record, not the file. */
  rows: AsyncGenerator<CsvRow>;
}

/** More columns than any export has: refused before a row is read (each row is padded to the header). */
export const MAX_COLUMNS = 1000;

/** A record longer than this is no export row: an unclosed quote, or not a CSV file at all. */
export const MAX_RECORD_CHARS = 1 << 20;

/**
 * Opens a CSV export as a marketplace writes it: UTF-8 (with or without BOM), GBK (Taobao's default) or
 * UTF-16 with a byte-order mark (Excel's "Unicode text", tab-separated); comma or tab separated, told from
 * the header line. Rows stream; a record the parser cannot end is an error naming its line.
 */
export async function openCsv(file: string): Promise<CsvFile> {
  const encoding = await detectEncoding(file);
  const text = decodedText(file, encoding);
  let head = '';
  while (!head.includes('\n') && head.length < MAX_RECORD_CHARS) {
    const n = await text.next();
    if (n.done) break;
    head += n.value;
  }
  const firstLine = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = count(firstLine, '\t') > count(firstLine, ',') ? '\t' : ',';

  async function* all(): AsyncGenerator<string> {
    yield head;
    for (;;) {
      const n = await text.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const parser = Readable.from(all()).pipe(
    parse({
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
      max_record_size: MAX_RECORD_CHARS,
    }),
  );
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  const header = await nextRecord(file, records, 1);
  if (!header) throw new DataError(`${file}:1: the file is empty, expected a header row`);
  const headers = header.record.map((h) => h.trim().replace(/^\uFEFF/, ''));
  if (headers.length > MAX_COLUMNS)
    throw new DataError(
      `${file}:1: the header has ${headers.length.toLocaleString('en')} columns, more than an export has (at most ${MAX_COLUMNS.toLocaleString('en')}); nothing was imported`,
    );
  const seen = new Map<string, number>();
  headers.forEach((h, i) => {
    const first = seen.get(h);
    if (h && first !== undefined)
      throw new DataError(
        `${file}:1: column "${h}" appears twice (columns ${first + 1} and ${i + 1}): which one holds the data? Rename or remove one; nothing was imported`,
      );
    seen.set(h, i);
  });

  async function* rows(): AsyncGenerator<CsvRow> {
    let line = 1;
    for (;;) {
      const r = await nextRecord(file, records, line + 1);
      if (!r) return;
      line = r.info.lines;
      const cells = headers.map((_, i) => cleanCell(r.record[i] ?? ''));
      yield { line, cells, values: Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? ''])) };
    }
  }
  return { encoding, headers, rows: rows() };
}

async function nextRecord<T>(file: string, records: AsyncIterator<T>, near: number): Promise<T | null> {
  try {
    const r = await records.next();
    return r.done ? null : r.value;
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    // A record the parser cannot end started after the last good one (`near`); its own count is where it gave up.
    const line = ['CSV_MAX_RECORD_SIZE', 'CSV_QUOTE_NOT_CLOSED'].includes(err.code ?? '')
      ? near
      : (err.lines ?? near);
    if (err.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new DataError(
        `${file}:${line}: a quote opened in the record that starts here is never closed; nothing was imported`,
      );
    if (err.code === 'CSV_MAX_RECORD_SIZE')
      throw new DataError(
        `${file}:${line}: a record longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters starts near here — an unclosed quote, or not a CSV export; nothing was imported`,
      );
    if (e instanceof DataError) throw e;
    throw new DataError(`${file}:${line}: not a readable CSV file: ${err.message}; nothing was imported`);
  }
}

/** For each field, the first of its accepted header names the file has (undefined when it has none). */
export function columnsByAlias<K extends string>(
  headers: readonly string[],
  aliases: Readonly<Record<K, readonly string[]>>,
): Record<K, string | undefined> {
  return Object.fromEntries(
    Object.entries<readonly string[]>(aliases).map(([field, names]) => [
      field,
      names.find((n) => headers.includes(n)),
    ]),
  ) as Record<K, string | undefined>;
}

const count = (s: string, c: string) => s.split(c).length - 1;

/** Taobao writes long numbers as ="123…" so spreadsheets keep every digit; take the value inside. */
function cleanCell(raw: string): string {
  const v = raw.trim();
  const m = /^="(.*)"$/.exec(v);
  return (m ? (m[1] ?? '') : v.replace(/^'/, '')).trim();
}

/**
 * Refuses, at line 1, a file whose header lacks columns: `missing` names what each absent one should be
 * (null for the present ones), and the message lists the header's first columns beside them.
 */
export function refuseMissingColumns(
  file: string,
  headers: readonly string[],
  missing: readonly (string | null)[],
): void {
  const absent = missing.filter((m): m is string => m !== null);
  if (absent.length > 0)
    throw new DataError(
      `${file}:1: missing ${absent.join(', ')}; the header has ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`,
    );
}
