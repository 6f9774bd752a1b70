import type { Channel } from '../../campaign/contact-policy-schema.ts';
import { type TableRecord, tableTimestamp } from '../../lake/table-writer.ts';
import type { Category } from '../contact-policy/claim.ts';

/**
 * The ledger: one row per recipient of a wave, in exactly one state, in the sends table (Parquet, the
 * same schema locally and in S3; see shared/lake/tables.ts). Writers are append-only and buffered (Firehose
 * on AWS, a staging file locally); rows are at least once, so a reader that counts takes one row per
 * send_id by precedence (sent > failed > suppressed): see ledgerRowsSql in wave-status.ts.
 */
export type LedgerStatus = 'sent' | 'suppressed' | 'failed';

export type SuppressedReason =
  | 'cap'
  | 'reserved'
  | 'opt-out'
  | 'bounced'
  | 'complained'
  | 'quiet-hours'
  | 'budget'
  | 'holdout'
  | 'no-address';

export interface LedgerRow {
  sendId: string;
  campaignId: string;
  waveId: string;
  customerId: string;
  /** The wave's named segment, `inline` for a wave with its own rule; null on rows from older batches. */
  segment: string | null;
  category: Category;
  channel: Channel | null;
  variant: string | null;
  status: LedgerStatus;
  /** For suppressed: a SuppressedReason; for failed: the error; null when sent. */
  reason: string | null;
  smsSegments: number | null;
  cost: number | null;
  messageId: string | null;
  plannedAt: Date;
  sentAt: Date | null;
}

export interface LedgerWriter {
  append(rows: readonly LedgerRow[]): Promise<void>;
  /** Makes every appended row visible in the sends table. */
  flush(): Promise<void>;
}

/** The idempotency key of a send: at most one message per customer per wave, ever. */
export function sendIdOf(campaignId: string, waveId: string, customerId: string): string {
  return `${campaignId}/${waveId}/${customerId}`;
}

/**
 * One ledger row as a JSON object with the sends table's column names, and its `dt` partition: what the
 * local writer stages and what Firehose converts to Parquet.
 */
export function ledgerRecord(r: LedgerRow): TableRecord {
  return {
    send_id: r.sendId,
    campaign_id: r.campaignId,
    wave_id: r.waveId,
    customer_id: r.customerId,
    segment: r.segment,
    category: r.category,
    channel: r.channel,
    variant: r.variant,
    status: r.status,
    reason: r.reason,
    sms_segments: r.smsSegments,
    cost: r.cost,
    message_id: r.messageId,
    planned_at: tableTimestamp(r.plannedAt),
    sent_at: r.sentAt ? tableTimestamp(r.sentAt) : null,
    dt: tableTimestamp(r.plannedAt).slice(0, 10),
  };
}

/**
 * One row per send from the sends table, which is written at least once: a send's rows collapse to the
 * one of highest precedence (sent > failed > suppressed). `columns` are taken from that row; `where`
 * filters the rows first. The one place this rule is written; Athena and DuckDB both run it.
 */
export function oneSendSql(columns: readonly string[], where?: string): string {
  const rank = `CASE status WHEN 'sent' THEN 3 WHEN 'failed' THEN 2 ELSE 1 END`;
  return `SELECT send_id, ${columns.map((c) => `max_by(${c}, r) AS ${c}`).join(', ')}
  FROM (SELECT *, ${rank} AS r FROM sends${where ? ` WHERE ${where}` : ''}) ranked
  GROUP BY send_id`;
}
