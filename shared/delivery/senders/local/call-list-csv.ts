import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CallListEntry, type CallListWriter, maskPhone } from '../call-list-writer.ts';
import type { SendResult } from '../email-sender.ts';
import { localMessageId } from './outbox.ts';

const HEADER = 'send_id,customer_id,name,phone_masked,tier,last_orders,talking_points';

function cell(value: string): string {
  // Quote always; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** The local call list: one CSV per wave under <outbox>/call-list/, the phone masked. */
export class CsvCallList implements CallListWriter {
  readonly #dir: string;

  constructor(outboxDir: string) {
    this.#dir = join(outboxDir, 'call-list');
  }

  async add(entries: readonly CallListEntry[]): Promise<SendResult[]> {
    const byFile = new Map<string, string[]>();
    for (const e of entries) {
      const file = join(this.#dir, `${e.campaignId}__${e.waveId}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_'));
      const orders = e.lastOrders
        .map((o) => `${o.at.slice(0, 10)} ${o.orderId} ¥${o.amount.toFixed(2)}`)
        .join('; ');
      const line = [
        e.sendId,
        e.customerId,
        e.name ?? '',
        maskPhone(e.phone),
        e.tier ?? '',
        orders,
        e.talkingPoints,
      ]
        .map(cell)
        .join(',');
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
    }
    await mkdir(this.#dir, { recursive: true });
    for (const [file, lines] of byFile) {
      const head = existsSync(file) ? '' : `${HEADER}\n`;
      await appendFile(file, `${head}${lines.join('\n')}\n`);
    }
    return entries.map((e) => ({ kind: 'sent', messageId: localMessageId(e.sendId) }));
  }
}
