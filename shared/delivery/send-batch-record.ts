import type { Channel } from '../campaign/contact-policy-schema.ts';
import type { SendState } from './contact-policy/claim.ts';
import type { LedgerRow } from './ledger/ledger.ts';
import type { Rendered } from './render/render-message.ts';
import { type BatchRecipient, batchLedgerRow, type SendBatchMessage } from './send-batch-message.ts';

/** What became of one batch's recipients (for metrics and logs; the ledger has each one). */
export interface BatchOutcome {
  campaignId: string;
  waveId: string;
  channel: Channel;
  sent: number;
  suppressed: number;
  failed: number;
  /** Back on the queue: deferred by quiet hours or throttling. */
  requeued: number;
}

/** A recipient whose claim stands: to render and send under its send id. */
export interface Claimed {
  recipient: BatchRecipient;
  sendId: string;
}

/** A claimed recipient with its rendered message (of the batch's channel). */
export interface ToSend<M extends Rendered = Rendered> extends Claimed {
  message: M;
}

export type MessageOf<C extends Channel> = Extract<Rendered, { channel: C }>;

/**
 * What the batch records: ledger rows, and the claim marks written after them (the ledger first, then
 * the marks: a crash between them repeats a row — readers take one per send — never loses one).
 */
export class BatchRecord {
  readonly rows: LedgerRow[] = [];
  readonly marks: { customerId: string; sendId: string; state: SendState }[] = [];
  private readonly msg: SendBatchMessage;
  constructor(msg: SendBatchMessage) {
    this.msg = msg;
  }

  /** A recipient left without a claim (deadline, quiet hours, cap, suppression…). */
  unclaimed(r: BatchRecipient, status: 'failed' | 'suppressed', reason: string): void {
    this.rows.push(batchLedgerRow(this.msg, r, { status, reason }));
  }

  failed(c: Claimed, error: string): void {
    this.rows.push(batchLedgerRow(this.msg, c.recipient, { status: 'failed', reason: error }));
    this.mark(c, 'failed');
  }

  sent(p: ToSend, messageId: string, at: Date): void {
    this.rows.push(
      batchLedgerRow(this.msg, p.recipient, {
        status: 'sent',
        smsSegments: p.message.channel === 'sms' ? p.message.segments : null,
        cost: p.message.cost,
        messageId,
        sentAt: at,
      }),
    );
    this.mark(p, 'sent');
  }

  mark(c: Claimed, state: SendState): void {
    this.marks.push({ customerId: c.recipient.customerId, sendId: c.sendId, state });
  }

  outcome(requeued: number): BatchOutcome {
    const count = (status: LedgerRow['status']) => this.rows.filter((r) => r.status === status).length;
    const { campaignId, waveId, channel } = this.msg;
    const [sent, suppressed, failed] = [count('sent'), count('suppressed'), count('failed')];
    return { campaignId, waveId, channel, sent, suppressed, failed, requeued };
  }
}
