import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { DataError } from '../../errors.ts';

export interface CsvRow {
  /** Line in the file where the record starts (1 = header). */
  line: number;
  values: Record<string, string>;
}

export interface CsvFile {
  encoding: 'utf-8' | 'gb18030';
  headers: string[];
  rows: CsvRow[];
}

/**
 * Reads a CSV export as a marketplace writes it: UTF-8 (with or without BOM) or GBK (Taobao's default,
 * decoded as its superset GB18030). The encoding is detected: text that is not valid UTF-8 is GBK.
 */
export async function readCsv(file: string): Promise<CsvFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let text: string;
  let encoding: CsvFile['encoding'] = 'utf-8';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    encoding = 'gb18030';
    text = iconv.decode(bytes, 'gb18030');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (e) {
    throw new DataError(`${file}: not a readable CSV file: ${(e as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new DataError(`${file}:1: the file is empty, expected a header row`);
  const headers = header.record.map((h) => h.trim());
  const rows = body.map(({ record, info }) => ({
    line: info.lines,
    values: Object.fromEntries(headers.map((h, i) => [h, cleanCell(record[i] ?? '')])),
  }));
  return { encoding, headers, rows };
}

/** Taobao writes long numbers as ="123…" so spreadsheets keep every digit; take the value inside. */
function cleanCell(raw: string): string {
  const v = raw.trim();
  const m = /^="(.*)"$/.exec(v);
  return (m ? (m[1] ?? '') : v.replace(/^'/, '')).trim();
}
