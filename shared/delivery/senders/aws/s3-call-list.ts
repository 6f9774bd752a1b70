import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CallListEntry, CallListWriter } from '../call-list-writer.ts';
import type { SendResult } from '../email-sender.ts';
import { callListCsv } from '../local/call-list-csv.ts';

/**
 * The AWS call list: each batch's entries as one CSV object under
 * `call-list/<campaign>/<wave>/<first send id hash>.csv` in the lake bucket (encrypted at rest by the
 * bucket; staff download it through the console or a presigned link). The phone is masked as locally.
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
    const key = `call-list/${first.campaignId}/${first.waveId}/${id}.csv`;
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: callListCsv(entries, true),
          ContentType: 'text/csv; charset=utf-8',
        }),
      );
    } catch (e) {
      const error = `${(e as Error).name}: ${(e as Error).message}`;
      return entries.map(() => ({ kind: 'failed', error, retryable: true }));
    }
    return entries.map(() => ({ kind: 'sent', messageId: key }));
  }
}
