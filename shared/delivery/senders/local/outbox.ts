import { hash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../clock.ts';
import { writeInFolder } from '../../../local-files.ts';
import { dropPartialLine } from '../../local/journal-map.ts';
import type { EmailMessage, EmailSender } from '../email-sender.ts';
import type { SendResult } from '../send-result.ts';
import type { SmsMessage, SmsSender } from '../sms-sender.ts';
import { buildEml } from './eml.ts';

/** The local stand-in for a provider's message id: stable per send. */
export function localMessageId(sendId: string): string {
  return `local-${hash('sha256', sendId).slice(0, 20)}`;
}

/** A send id of plain parts (campaign/wave/customer) named as itself; any other gets its hash (after `~`). */
const PLAIN_SEND_ID = /^[A-Za-z0-9.-]+\/[A-Za-z0-9.-]+\/[A-Za-z0-9.-]+$/;

/**
 * The .eml's name, one per send id: `d11/w1/c1` → `d11_w1_c1.eml`. A customer id the file system would
 * mangle (`c'q` and `c:q` would both be `c_q`) or refuse (too long) is shortened and made apart by a hash.
 */
const fileName = (sendId: string) =>
  PLAIN_SEND_ID.test(sendId) && sendId.length <= 200
    ? `${sendId.replaceAll('/', '_')}.eml`
    : `${sendId.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 100)}~${hash('sha256', sendId).slice(0, 16)}.eml`;

/**
 * The local email sender: each message as an .eml file under <dir>/email/, and one JSON line per message
 * in <dir>/email/index.jsonl. The outbox is data, like the lake: it holds addresses; logs never do.
 */
export class OutboxEmailSender implements EmailSender {
  readonly #dir: string;
  readonly #clock: Clock;

  constructor(dir: string, clock: Clock) {
    this.#dir = join(dir, 'email');
    this.#clock = clock;
    // A line a crash cut short says the message was not sent; the next append must not be glued to it.
    dropPartialLine(join(this.#dir, 'index.jsonl'));
  }

  // Synchronous writes: a small file is written faster than a round trip through libuv's thread pool.
  async send(messages: readonly EmailMessage[]): Promise<SendResult[]> {
    const now = this.#clock.now();
    const index: string[] = [];
    const results: SendResult[] = [];
    for (const m of messages) {
      const messageId = localMessageId(m.sendId);
      const file = fileName(m.sendId);
      const eml = buildEml(m, now, messageId);
      writeInFolder(this.#dir, () => writeFileSync(join(this.#dir, file), eml));
      index.push(
        JSON.stringify({
          sendId: m.sendId,
          messageId,
          to: m.to,
          subject: m.subject,
          file,
          at: now.toISOString(),
        }),
      );
      results.push({ kind: 'sent', messageId });
    }
    if (index.length)
      writeInFolder(this.#dir, () => appendFileSync(join(this.#dir, 'index.jsonl'), `${index.join('\n')}\n`));
    return results;
  }
}

/** The local SMS sender: one JSON line per message in <dir>/sms.jsonl. */
export class OutboxSmsSender implements SmsSender {
  readonly #dir: string;
  readonly #clock: Clock;

  constructor(dir: string, clock: Clock) {
    this.#dir = dir;
    this.#clock = clock;
    dropPartialLine(join(dir, 'sms.jsonl'));
  }

  async send(messages: readonly SmsMessage[]): Promise<SendResult[]> {
    const at = this.#clock.now().toISOString();
    const ids = messages.map((m) => localMessageId(m.sendId));
    const lines = messages.map((m, i) =>
      JSON.stringify({
        sendId: m.sendId,
        messageId: ids[i],
        phone: m.phone,
        text: m.text,
        type: m.messageType,
        at,
      }),
    );
    if (lines.length)
      writeInFolder(this.#dir, () => appendFileSync(join(this.#dir, 'sms.jsonl'), `${lines.join('\n')}\n`));
    return ids.map((messageId) => ({ kind: 'sent', messageId }));
  }
}
