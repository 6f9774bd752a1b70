/**
 * The queue port, with SQS's semantics: messages are strings of at most 256 KiB, sent in batches of at
 * most 10, delivered at least once in batches to a handler that reports which records failed (partial
 * batch failures); a record that keeps failing goes to a dead-letter queue after maxReceiveCount.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const MAX_BATCH_ENTRIES = 10;
/** SQS's longest per-message delay; a longer wait is made of several hops. */
export const MAX_DELAY_SECONDS = 900;

export interface SendOptions {
  /** Seconds before the messages become visible (0–900). */
  delaySeconds?: number;
}

export interface QueueRecord {
  messageId: string;
  body: string;
  /** 1 on first delivery; more on redelivery. */
  receiveCount: number;
}

/**
 * Returns the ids of the records that failed (the queue redelivers them) and, where known, why (kept with
 * a dead letter; never personal data). Throwing fails the whole batch.
 */
export type BatchHandler = (
  records: QueueRecord[],
) => Promise<{ failedIds: string[]; errors?: Record<string, string> }>;

export interface QueueProducer {
  send(bodies: readonly string[], options?: SendOptions): Promise<void>;
}

export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
}

export function assertMessageSize(body: string): void {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES)
    throw new MessageTooLargeError(`queue message of ${bytes} bytes exceeds ${MAX_MESSAGE_BYTES}`);
}
