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

/** The call list as CSV lines (quoted, formula-safe, phone masked), with the header line if asked. */
export function callListCsv(entries: readonly CallListEntry[], header: boolean): string {
  const lines = entries.map((e) => {
    const orders = e.lastOrders
      .map((o) => `${o.at.slice(0, 10)} ${o.orderId} ¥${o.amount.toFixed(2)}`)
      .join('; ');
    return [e.sendId, e.customerId, e.name ?? '', maskPhone(e.phone), e.tier ?? '', orders, e.talkingPoints]
      .map(cell)
      .join(',');
  });
  return `${header ? `${HEADER}\n` : ''}${lines.join('\n')}\n`;
}

/** The local call list: one CSV per wave under <outbox>/call-list/, the phone masked. */
export class CsvCallList implements CallListWriter {
  readonly #dir: string;

  constructor(outboxDir: string) {
    this.#dir = join(outboxDir, 'call-list');
  }

  async add(entries: readonly CallListEntry[]): Promise<SendResult[]> {
    const byFile = new Map<string, CallListEntry[]>();
    for (const e of entries) {
      const file = join(this.#dir, `${e.campaignId}__${e.waveId}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_'));
      byFile.set(file, [...(byFile.get(file) ?? []), e]);
    }
    await mkdir(this.#dir, { recursive: true });
    for (const [file, list] of byFile) await appendFile(file, callListCsv(list, !existsSync(file)));
    return entries.map((e) => ({ kind: 'sent', messageId: localMessageId(e.sendId) }));
  }
}
