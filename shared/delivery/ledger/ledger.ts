import type { Channel } from '../../campaign/contact-policy-schema.ts';
import { ident, joinSql, type Sql, sql } from '../../lake/sql.ts';
import { type TableRecord, tableTimestamp } from '../../lake/table-writer.ts';
import type { Category } from '../contact-policy/claim.ts';

/**
 * The ledger: one row per recipient of a wave, in exactly one state, in the sends table (Parquet, the
 * same schema locally and in S3; see shared/lake/tables.ts). Writers are append-only and buffered (Firehose
 * on AWS, a staging file locally); rows are at least once, so a reader that counts takes one row per
 * send_id by precedence (sent > failed > suppressed): oneSendSql below, the one place that rule is written.
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

/**
 * Which side of the wave's comparison a recipient was assigned to, when the wave planned them:
 * - `treatment`: to be messaged by this wave — and it stays so whatever happens next (a cap or reservation
 *   at claim time, quiet hours past the send-by, the budget, a failed send): intent to treat, so the
 *   treated group is compared whole, never only the part that was sent to;
 * - `holdout`: the campaign's holdout (a stable hash of campaign and customer), never messaged by any wave;
 * - `wave-holdout`: in the campaign's treated group, held out of this wave only (a stable hash of campaign,
 *   wave and customer), drawn among customers an earlier wave of the campaign already assigned;
 * - null: left out before assignment (no address, opt-out, suppressed, capped when planned).
 * See docs/responses.md (comparable groups).
 */
export type Arm = 'treatment' | 'holdout' | 'wave-holdout';

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
  arm: Arm | null;
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
    arm: r.arm,
    dt: tableTimestamp(r.plannedAt).slice(0, 10),
  };
}

/**
 * One row per send from the sends table, which is written at least once: a send's rows collapse to the
 * one of highest precedence (sent > failed > suppressed). `columns` are taken from that row; `where`
 * filters the rows first. The one place this rule is written; Athena and DuckDB both run it.
 */
export function oneSendSql(columns: readonly string[], where?: Sql): Sql {
  const rank = sql`CASE status WHEN 'sent' THEN 3 WHEN 'failed' THEN 2 ELSE 1 END`;
  const picked = columns.map((c) => sql`max_by(${ident(c)}, r) AS ${ident(c)}`);
  return sql`SELECT send_id, ${joinSql(picked)}
  FROM (SELECT *, ${rank} AS r FROM sends${where ? sql` WHERE ${where}` : sql``}) ranked
  GROUP BY send_id`;
}

/**
 * The `arm` of a sends row as SQL, for rows written before the column existed too: those had holdout
 * rows (reason holdout) and treatment rows (sent, failed, or suppressed after assignment: budget,
 * reservation, quiet hours); a cap or suppression could be either then, and is read as unassigned.
 */
export function armSql(alias = ''): Sql {
  const a = alias ? sql`${ident(alias)}.` : sql``;
  return sql`coalesce(${a}arm, CASE WHEN ${a}reason = 'holdout' THEN 'holdout'
    WHEN ${a}status IN ('sent', 'failed') OR ${a}reason IN ('budget', 'reserved', 'quiet-hours') THEN 'treatment' END)`;
}
