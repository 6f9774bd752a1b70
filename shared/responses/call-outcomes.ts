import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { sheetValue } from '../delivery/senders/call-list-sheet.ts';
import { DataError } from '../errors.ts';
import { col, rowDecoder } from '../lake/row-decoder.ts';
import { sql } from '../lake/sql.ts';
import { sqlStringList } from '../lake/sql-literals.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { redactPersonalData } from '../redact.ts';
import { type IngestDeps, writeResponses } from './ingest-events.ts';
import type { EventRow, Suppression } from './response-events.ts';

/**
 * Call outcomes back in: the call list staff filled in (shared/delivery/senders/call-list-sheet.ts, the
 * masked sheet or the dialling export, UTF-8 or GBK) read row by row; each 结果 (outcome) becomes a
 * response event of its send, written like every other response (ingest-events.ts). 拒绝再联系 also
 * suppresses the customer on every channel at once. A row that cannot be recorded is rejected with its
 * line and reason; the others are recorded all the same. Events are keyed by send id and outcome, so
 * recording the same file again adds nothing.
 */

/** What staff write in 结果, and the event each becomes. */
export const CALL_OUTCOMES = {
  已接通: 'call-answered',
  未接通: 'call-unanswered',
  拒绝: 'call-declined',
  成交: 'call-converted',
  回拨: 'call-back',
  拒绝再联系: 'unsubscribed',
} as const;
export type CallOutcome = keyof typeof CALL_OUTCOMES;

const SEND_ID = '发送编号';
/** Longer than any send id the pipeline makes (campaign, wave and customer ids are bounded well below). */
const MAX_SEND_ID = 300;
const OUTCOME = '结果';
const CUSTOMER_ID = '客户编号';

export interface CallOutcomeRow {
  line: number;
  sendId: string;
  outcome: CallOutcome;
}

export interface RejectedRow {
  line: number;
  sendId: string;
  outcome: string;
  reason: string;
}

export interface CallOutcomeReport {
  file: string;
  encoding: 'utf-8' | 'gbk';
  /** Data rows read: recorded + already recorded + not called yet + rejected, always. */
  read: number;
  recorded: number;
  /** Rows whose event an earlier recording wrote (or an earlier row of this file). */
  alreadyRecorded: number;
  /** Rows with an empty 结果: not called yet, nothing to record. */
  notCalled: number;
  rejected: RejectedRow[];
  /** Customers suppressed on every channel (拒绝再联系). */
  optedOut: number;
  byOutcome: Partial<Record<CallOutcome, number>>;
}

/** A filled call list as text: UTF-8 (with or without its BOM), else GBK (saved from Excel on a Chinese system). */
export function decodeCallList(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gbk' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/, ''), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gbk'), encoding: 'gbk' };
  }
}

/** The rows of a filled call list, each an outcome to record, empty, or rejected with its line and reason. */
export function readCallOutcomes(
  text: string,
  file: string,
): { rows: CallOutcomeRow[]; notCalled: number; rejected: RejectedRow[]; read: number } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true }) as never;
  } catch (e) {
    throw new DataError(`${file}: not a CSV file: ${(e as Error).message}`);
  }
  const header = records[0]?.record.map((h) => h.trim()) ?? [];
  const at = (name: string) => header.indexOf(name);
  const missing = [SEND_ID, OUTCOME].filter((name) => at(name) < 0);
  if (missing.length)
    throw new DataError(
      `${file}:1:1 expected the call list's header with ${missing.join(' and ')} (as \`campaign run\` writes it), got: ${redactPersonalData(header.slice(0, 6).join(','))}`,
    );
  const rows: CallOutcomeRow[] = [];
  const rejected: RejectedRow[] = [];
  let notCalled = 0;
  for (const { record, info } of records.slice(1)) {
    const cell = (name: string) => sheetValue((record[at(name)] ?? '').trim());
    const sendId = cell(SEND_ID);
    const outcome = cell(OUTCOME);
    // Staff may have typed anything in any cell (a call-back number, say): the rejects never show a phone.
    const reject = (reason: string) =>
      rejected.push({
        line: info.lines,
        sendId: redactPersonalData(sendId.slice(0, MAX_SEND_ID)),
        outcome: redactPersonalData(outcome),
        reason: redactPersonalData(reason),
      });
    if (outcome === '') {
      notCalled += 1;
      continue;
    }
    const parts = /^([^/]+)\/([^/]+)\/(.+)$/.exec(sendId);
    // A send id is campaign/wave/customer as the list gives it: no control character, not a page long.
    if (sendId.length > MAX_SEND_ID || [...sendId].some((ch) => ch < ' ' || ch === '\u007f')) {
      reject(
        `${SEND_ID}: not a send id of the call list (a control character, or longer than ${MAX_SEND_ID})`,
      );
      continue;
    }
    if (!parts) {
      reject(`${SEND_ID}: expected campaign/wave/customer, as the call list gives it`);
      continue;
    }
    if (!(outcome in CALL_OUTCOMES)) {
      reject(
        `${OUTCOME}: expected one of ${Object.keys(CALL_OUTCOMES).join(', ')} (or empty: not called yet)`,
      );
      continue;
    }
    if (at(CUSTOMER_ID) >= 0 && cell(CUSTOMER_ID) !== '' && cell(CUSTOMER_ID) !== parts[3]) {
      reject(`${CUSTOMER_ID}: ${cell(CUSTOMER_ID)} is not the customer of ${SEND_ID}`);
      continue;
    }
    rows.push({ line: info.lines, sendId, outcome: outcome as CallOutcome });
  }
  return { rows, notCalled, rejected, read: records.length - 1 };
}

const sentCall = rowDecoder('the sent calls of a call list', { send_id: col.text });
const recordedOutcome = rowDecoder('the call outcomes recorded already', { event_id: col.text });

/** The event of an outcome: its id is the send and the outcome, so the same outcome is one event. */
export function callOutcomeEvent(row: CallOutcomeRow, at: Date): EventRow {
  const [campaignId = '', waveId = '', ...rest] = row.sendId.split('/');
  const eventType = CALL_OUTCOMES[row.outcome];
  return {
    eventId: createHash('sha256')
      .update(['call', row.sendId, eventType].join('\n'))
      .digest('hex')
      .slice(0, 32),
    eventType,
    campaignId,
    waveId,
    customerId: rest.join('/'),
    channel: 'call-list',
    sendId: row.sendId,
    messageId: null,
    occurredAt: at,
    detail: row.outcome,
    sku: null,
    source: 'call-list',
  };
}

export interface RecordCallsDeps extends IngestDeps {
  /** The sends ledger (is it a sent call?) and the events table (recorded already?). */
  warehouse: Warehouse;
}

/**
 * Records a filled call list's outcomes: rows whose send is not a call that was made (in the sends
 * ledger, channel call-list, sent) are rejected; outcomes already in the events table are counted and
 * not written again; the rest are written, with 拒绝再联系's suppression first.
 */
export async function recordCallOutcomes(
  deps: RecordCallsDeps,
  bytes: Buffer,
  file: string,
  at: Date,
): Promise<CallOutcomeReport> {
  const { text, encoding } = decodeCallList(bytes);
  const read = readCallOutcomes(text, file);
  const ids = [...new Set(read.rows.map((r) => r.sendId))];
  const calls = new Set<string>();
  const recorded = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = sqlStringList(ids.slice(i, i + 1000));
    const sent = await deps.warehouse.query(
      sql`SELECT DISTINCT send_id FROM sends WHERE channel = 'call-list' AND status = 'sent' AND send_id IN ${chunk}`,
    );
    for (const r of sent.rows) calls.add(sentCall(r).send_id);
    const seen = await deps.warehouse.query(
      sql`SELECT DISTINCT event_id FROM events WHERE channel = 'call-list' AND send_id IN ${chunk}`,
    );
    for (const r of seen.rows) recorded.add(recordedOutcome(r).event_id);
  }
  const report: CallOutcomeReport = {
    file,
    encoding,
    read: read.read,
    recorded: 0,
    alreadyRecorded: 0,
    notCalled: read.notCalled,
    rejected: read.rejected,
    optedOut: 0,
    byOutcome: {},
  };
  const events: EventRow[] = [];
  const suppressions: Suppression[] = [];
  for (const row of read.rows) {
    if (!calls.has(row.sendId)) {
      report.rejected.push({
        line: row.line,
        sendId: redactPersonalData(row.sendId),
        outcome: row.outcome,
        reason: `${SEND_ID}: no call of this id was made (not in the sends ledger as a sent call-list send)`,
      });
      continue;
    }
    const event = callOutcomeEvent(row, at);
    if (recorded.has(event.eventId)) {
      report.alreadyRecorded += 1;
      continue;
    }
    recorded.add(event.eventId);
    events.push(event);
    report.byOutcome[row.outcome] = (report.byOutcome[row.outcome] ?? 0) + 1;
    if (event.eventType === 'unsubscribed')
      suppressions.push({ customerId: event.customerId ?? '', channel: 'any', reason: 'opt-out', at });
  }
  report.rejected.sort((a, b) => a.line - b.line);
  report.optedOut = await writeResponses(deps, events, suppressions);
  report.recorded = events.length;
  return report;
}

/** The rejects as a CSV for staff (UTF-8 with BOM): line, send id, outcome, reason — never a phone. */
export function rejectsCsv(rejected: readonly RejectedRow[]): string {
  const cell = (v: string) => `"${(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v).replaceAll('"', '""')}"`;
  const lines = rejected.map((r) => [String(r.line), r.sendId, r.outcome, r.reason].map(cell).join(','));
  return `\uFEFF行,${SEND_ID},${OUTCOME},原因\n${lines.map((l) => `${l}\n`).join('')}`;
}
