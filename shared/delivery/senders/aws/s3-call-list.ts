import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { callListCsv } from '../call-list-sheet.ts';
import type { CallListEntry, CallListWriter } from '../call-list-writer.ts';
import type { SendResult } from '../send-result.ts';

/** Where staff read the list, the phone masked (the `CallListReader` role may read it). */
export const CALL_LIST_PREFIX = 'call-list/';
/** Where the same rows with full numbers go: only the `CallListDialer` role may read it. */
export const CALL_LIST_DIAL_PREFIX = 'call-list-dial/';

/**
 * The AWS call list: each batch's entries as one sheet (call-list-sheet.ts: UTF-8 with BOM, Chinese
 * headers) under `call-list/<campaign>/<wave>/<first send id hash>.csv` in the lake bucket, the phone
 * masked, and the same rows with full numbers under `call-list-dial/…` with the same name: a separate
 * prefix whose read grant is a role of its own (infra/constructs/delivery.ts), so who may see numbers is
 * decided apart from who may see the list. Both are encrypted at rest by the bucket; staff download them
 * through the console or a presigned link made with their role.
 */
export class S3CallList implements CallListWriter {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: { client: S3Client; bucket: string }) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  async add(entries: readonly CallListEntry[]): Promise<SendResult[]> {
    const first = entries[0];
    if (!first) return [];
    const id = createHash('sha256')
      .update(entries.map((e) => e.sendId).join('\n'))
      .digest('hex')
      .slice(0, 16);
    const name = `${first.campaignId}/${first.waveId}/${id}.csv`;
    const key = `${CALL_LIST_PREFIX}${name}`;
    const put = (Key: string, phones: 'masked' | 'full') =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key,
          Body: callListCsv(entries, true, phones),
          ContentType: 'text/csv; charset=utf-8',
        }),
      );
    try {
      // The dialling copy first: a list staff can see always has its numbers behind it.
      await put(`${CALL_LIST_DIAL_PREFIX}${name}`, 'full');
      await put(key, 'masked');
    } catch (e) {
      const error = `${(e as Error).name}: ${(e as Error).message}`;
      return entries.map(() => ({ kind: 'failed', error, retryable: true }));
    }
    return entries.map(() => ({ kind: 'sent', messageId: key }));
  }
}
