import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { callListCsv } from '../call-list-sheet.ts';
import type { CallListEntry, CallListWriter } from '../call-list-writer.ts';
import type { SendResult } from '../send-result.ts';
import { localMessageId } from './outbox.ts';

/** The file a wave's call list goes to under <outbox>/call-list/ (its dialling export adds `.full`). */
export function callListFileName(campaignId: string, waveId: string): string {
  return `${campaignId}__${waveId}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * The local call list: one sheet per wave under <outbox>/call-list/ (call-list-sheet.ts: UTF-8 with BOM,
 * Chinese headers), the phone masked. Full numbers are only in the export `campaign calls export
 * --full-numbers` writes on request, a separate file only its owner can read.
 */
export class CsvCallList implements CallListWriter {
  readonly #dir: string;

  constructor(outboxDir: string) {
    this.#dir = join(outboxDir, 'call-list');
  }

  async add(entries: readonly CallListEntry[]): Promise<SendResult[]> {
    const byFile = new Map<string, CallListEntry[]>();
    for (const e of entries) {
      const file = join(this.#dir, callListFileName(e.campaignId, e.waveId));
      byFile.set(file, [...(byFile.get(file) ?? []), e]);
    }
    await mkdir(this.#dir, { recursive: true });
    for (const [file, list] of byFile) await appendFile(file, callListCsv(list, !existsSync(file)));
    return entries.map((e) => ({ kind: 'sent', messageId: localMessageId(e.sendId) }));
  }
}
