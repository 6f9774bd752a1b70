import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { DataError } from '../../errors.ts';
import { sql } from '../../lake/sql.ts';
import { sqlStringList } from '../../lake/sql-literals.ts';
import type { Warehouse } from '../../lake/warehouse.ts';
import {
  BOM,
  csvLines,
  fullPhone,
  SHEET_COLUMNS,
  SHEET_HEADER,
  sheetValue,
} from '../senders/call-list-sheet.ts';
import { callListFileName } from '../senders/local/call-list-csv.ts';

export type SheetEncoding = 'utf-8' | 'gbk';

export interface CallListExport {
  waveId: string;
  /** The sheet staff open: the wave's call list itself (masked, UTF-8), or the copy written for the request. */
  file: string;
  rows: number;
  /** With full numbers: rows left out because the customer has no phone, or opted out since the list was written. */
  leftOut: number;
  /** With GBK: characters GBK has no form for, written as "?" (the UTF-8 sheet has them). */
  unencodable: number;
}

/** Rows of a call-list sheet (without its BOM), header first. */
function readSheet(file: string): string[][] {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  return parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
}

/** The sheet's text in the encoding asked for: UTF-8 with its BOM, or GBK (no BOM; ¥ as its full-width ￥). */
function encodeSheet(body: readonly (readonly string[])[], encoding: SheetEncoding) {
  const text = `${SHEET_HEADER}\n${csvLines(body)}`;
  if (encoding === 'utf-8') return { bytes: Buffer.from(`${BOM}${text}`, 'utf8'), unencodable: 0 };
  const gbkText = text.replaceAll('¥', '￥');
  const bytes = iconv.encode(gbkText, 'gbk');
  const lost = new Map<string, boolean>();
  let unencodable = 0;
  for (const ch of gbkText) {
    let l = lost.get(ch);
    if (l === undefined) {
      l = ch !== '?' && iconv.decode(iconv.encode(ch, 'gbk'), 'gbk') !== ch;
      lost.set(ch, l);
    }
    if (l) unencodable += 1;
  }
  return { bytes, unencodable };
}

/** Writes a file only its owner can read and write (0600), replacing an older one. */
function writePrivate(file: string, bytes: Buffer): void {
  rmSync(file, { force: true });
  writeFileSync(file, bytes, { mode: 0o600, flag: 'wx' });
}

/**
 * `campaign calls export`: the call lists a campaign's waves wrote into <outbox>/call-list/ as staff
 * open them. The masked UTF-8 sheet is the wave's list itself; `encoding: 'gbk'` writes a GBK copy beside
 * it (`.gbk.csv`), and `fullNumbers` writes the access-controlled dialling export beside it
 * (`.full.csv`, or `.full.gbk.csv`), created only on this request and readable by its owner alone (mode
 * 0600): each row's phone in full from the customers table, and customers who have since opted out of
 * their phone (SMS or everything) or lost their number left out.
 */
export async function exportCallLists(input: {
  outbox: string;
  warehouse: Warehouse;
  campaignId: string;
  waveIds?: readonly string[] | undefined;
  fullNumbers: boolean;
  encoding: SheetEncoding;
}): Promise<CallListExport[]> {
  const dir = join(input.outbox, 'call-list');
  const prefix = callListFileName(input.campaignId, '').replace(/\.csv$/, '');
  const names = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.startsWith(prefix) && /^[^.]+\.csv$/.test(f))
    : [];
  const waves = names
    .map((f) => ({ file: join(dir, f), waveId: f.slice(prefix.length, -'.csv'.length) }))
    .filter((w) => !input.waveIds || input.waveIds.includes(w.waveId));
  if (waves.length === 0)
    throw new DataError(
      `no call list of campaign ${input.campaignId}${input.waveIds ? ` (waves ${input.waveIds.join(', ')})` : ''} in ${dir}: run its waves first`,
    );
  const out: CallListExport[] = [];
  for (const { file, waveId } of waves) {
    const rows = readSheet(file);
    const header = rows[0] ?? [];
    if (header.join(',') !== SHEET_HEADER)
      throw new DataError(`${file}:1:1 expected the call list's header ${SHEET_HEADER}`);
    const body = rows.slice(1);
    if (!input.fullNumbers && input.encoding === 'utf-8') {
      out.push({ waveId, file, rows: body.length, leftOut: 0, unencodable: 0 });
      continue;
    }
    let kept = body;
    if (input.fullNumbers) {
      const customerAt = SHEET_COLUMNS.indexOf('客户编号');
      const customer = (r: string[]) => sheetValue(r[customerAt] ?? '');
      const phones = await callablePhones(input.warehouse, body.map(customer));
      const phoneAt = SHEET_COLUMNS.indexOf('手机');
      kept = body.flatMap((r) => {
        const phone = phones.get(customer(r));
        return phone ? [r.map((c, i) => (i === phoneAt ? fullPhone(phone) : c))] : [];
      });
    }
    const { bytes, unencodable } = encodeSheet(kept, input.encoding);
    const target = file.replace(
      /\.csv$/,
      `${input.fullNumbers ? '.full' : ''}${input.encoding === 'gbk' ? '.gbk' : ''}.csv`,
    );
    if (input.fullNumbers) writePrivate(target, bytes);
    else writeFileSync(target, bytes);
    out.push({ waveId, file: target, rows: kept.length, leftOut: body.length - kept.length, unencodable });
  }
  return out;
}

/** Customers' phones as they may be dialled now: a phone, marketing consent on it, no SMS or any-channel suppression. */
async function callablePhones(
  warehouse: Warehouse,
  customerIds: readonly string[],
): Promise<Map<string, string>> {
  const phones = new Map<string, string>();
  const ids = [...new Set(customerIds.filter(Boolean))];
  for (let i = 0; i < ids.length; i += 1000) {
    const { rows } = await warehouse.query(
      sql`SELECT c.customer_id, c.phone FROM customers c
WHERE c.customer_id IN ${sqlStringList(ids.slice(i, i + 1000))} AND c.phone IS NOT NULL AND coalesce(c.sms_consent, false)
  AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = c.customer_id AND s.channel IN ('sms', 'any'))`,
    );
    for (const r of rows) phones.set(String(r.customer_id), String(r.phone));
  }
  return phones;
}
