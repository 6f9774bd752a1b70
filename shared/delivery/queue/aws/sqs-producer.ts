import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { requestBatches, resendFailedEntries } from '../../request-batches.ts';
import {
  assertMessageSize,
  MAX_BATCH_ENTRIES,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_BYTES,
  type QueueProducer,
  type SendOptions,
} from '../queue.ts';

export interface SqsProducerOptions {
  client: SQSClient;
  queueUrl: string;
  /** Rounds of resending the entries SQS reported as failed. */
  maxAttempts?: number;
}

export class QueueSendError extends Error {
  override name = 'QueueSendError';
}

/**
 * The SQS adapter of the queue producer: SendMessageBatch with at most 10 entries and at most 256 KiB
 * in all per request; entries SQS reports as failed are sent again, and if they still fail the call
 * throws (so the caller's own invocation is retried rather than a message being lost).
 */
export class SqsProducer implements QueueProducer {
  readonly #o: Required<SqsProducerOptions>;

  constructor(options: SqsProducerOptions) {
    this.#o = { maxAttempts: 3, ...options };
  }

  async send(bodies: readonly string[], options: SendOptions = {}): Promise<void> {
    for (const b of bodies) assertMessageSize(b);
    const delay = options.delaySeconds
      ? { DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil(options.delaySeconds)) }
      : {};
    for (const batch of batches(bodies)) {
      const entries = batch.map((body, i) => ({ Id: String(i), MessageBody: body, ...delay }));
      await resendFailedEntries(
        entries,
        this.#o.maxAttempts,
        async (pending) => {
          const out = await this.#o.client.send(
            new SendMessageBatchCommand({ QueueUrl: this.#o.queueUrl, Entries: pending }),
          );
          const failed = new Set((out.Failed ?? []).map((f) => f.Id));
          return {
            failed: pending.filter((e: SendMessageBatchRequestEntry) => failed.has(e.Id)),
            why: (out.Failed ?? []).map((f) => `${f.Id}: ${f.Code}`).join(', '),
          };
        },
        (n, attempts, why) =>
          new QueueSendError(`${n} message(s) not accepted by SQS after ${attempts} attempts (${why})`),
      );
    }
  }
}

/** Groups bodies into requests of at most 10 entries and 256 KiB. */
export function batches(bodies: readonly string[]): string[][] {
  return requestBatches(bodies, { maxItems: MAX_BATCH_ENTRIES, maxBytes: MAX_MESSAGE_BYTES }, (b) =>
    Buffer.byteLength(b, 'utf8'),
  );
}
