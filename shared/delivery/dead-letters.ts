import type { Clock } from '../clock.ts';
import { settleChange } from './contact-policy/claim.ts';
import type { ContactStore } from './contact-policy/contact-store.ts';
import { type LedgerRow, sendIdOf } from './ledger/ledger.ts';
import type { LedgerWriter } from './ledger/ledger-writer.ts';
import { batchLedgerRow, parseSendBatch } from './send-batch-message.ts';

export interface DeadLetterDeps {
  contacts: ContactStore;
  ledger: LedgerWriter;
  clock: Clock;
}

export interface DeadLetterInput {
  messageId: string;
  body: string;
  lastError: string;
}

export interface DeadLetterReport {
  /** Recipients recorded as failed. */
  failed: number;
  /** Recipients of those messages that had already reached a final state. */
  alreadyFinal: number;
  /** Messages whose body could not be read: their recipients stay "in flight" in the wave status. */
  unreadable: string[];
}

/**
 * The dead-letter handler: a queue message that failed maxReceiveCount times is a poison message. Its
 * recipients are never lost: each one still open is marked failed in the contact store (so it can never
 * be sent later) and recorded as failed in the ledger with the last error.
 */
export async function recordDeadLetters(
  deps: DeadLetterDeps,
  letters: readonly DeadLetterInput[],
): Promise<DeadLetterReport> {
  const report: DeadLetterReport = { failed: 0, alreadyFinal: 0, unreadable: [] };
  const now = deps.clock.now();
  for (const letter of letters) {
    let msg: ReturnType<typeof parseSendBatch>;
    try {
      msg = parseSendBatch(letter.body);
    } catch {
      report.unreadable.push(letter.messageId);
      continue;
    }
    const ids = msg.recipients.map((r) => sendIdOf(msg.campaignId, msg.waveId, r.customerId));
    const before = await deps.contacts.apply(
      msg.recipients.map((r, i) => settleChange(r.customerId, ids[i] as string, now)),
    );
    const rows: LedgerRow[] = [];
    msg.recipients.forEach((r, i) => {
      const state = before[i];
      if (state === 'sent' || state === 'failed') {
        report.alreadyFinal += 1;
        return;
      }
      report.failed += 1;
      rows.push(
        batchLedgerRow(msg, r, {
          status: 'failed',
          reason: `dead-lettered: ${letter.lastError.slice(0, 200)}`,
        }),
      );
    });
    await deps.ledger.append(rows);
  }
  return report;
}
