import type { ScheduledWave } from '../campaign-catalog.ts';
import { type Arm, type LedgerRow, type SuppressedReason, sendIdOf } from '../ledger/ledger.ts';
import type { LedgerWriter } from '../ledger/ledger-writer.ts';
import { type AudienceRow, ledgerSegment } from './audience-row.ts';

/** Ledger rows held before an append: the rows are streamed, so the ledger gets them in chunks. */
const LEDGER_CHUNK = 2_000;

/**
 * The ledger rows of the audience rows that leave before sending (suppressed, capped, holdout, over
 * budget): each a `suppressed` row with its reason and arm, appended in chunks as planning goes.
 */
export class LeftOutLedger {
  readonly #ledger: LedgerWriter;
  readonly #sw: ScheduledWave;
  #rows: LedgerRow[] = [];
  /** Rows recorded so far. */
  count = 0;

  constructor(ledger: LedgerWriter, sw: ScheduledWave) {
    this.#ledger = ledger;
    this.#sw = sw;
  }

  async add(row: AudienceRow, reason: SuppressedReason, arm: Arm | null = null): Promise<void> {
    this.count += 1;
    this.#rows.push(leftOutRow(this.#sw, row, reason, arm));
    if (this.#rows.length >= LEDGER_CHUNK) await this.#ledger.append(this.#rows.splice(0));
  }

  /** Appends what is left (an empty append when nothing is). */
  async finish(): Promise<void> {
    await this.#ledger.append(this.#rows.splice(0));
  }
}

function leftOutRow(
  { campaign, wave, start }: ScheduledWave,
  row: AudienceRow,
  reason: SuppressedReason,
  arm: Arm | null,
): LedgerRow {
  return {
    sendId: sendIdOf(campaign.id, wave.id, row.customer_id),
    campaignId: campaign.id,
    waveId: wave.id,
    customerId: row.customer_id,
    segment: ledgerSegment(wave, row),
    category: wave.category,
    channel: row.channel,
    variant: null,
    status: 'suppressed',
    reason,
    smsSegments: null,
    cost: null,
    messageId: null,
    plannedAt: start,
    sentAt: null,
    arm,
  };
}
