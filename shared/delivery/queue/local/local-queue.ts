import { randomUUID } from 'node:crypto';
import { assertMessageSize, type BatchHandler, type QueueProducer, type QueueRecord } from '../queue.ts';

export interface LocalQueueOptions {
  /** Records per handler call (SQS event source mapping BatchSize; 10 for standard queues here). */
  batchSize?: number;
  /** Deliveries before a record goes to the dead-letter list (the redrive policy's maxReceiveCount). */
  maxReceiveCount?: number;
}

export interface DeadLetter {
  messageId: string;
  body: string;
  receiveCount: number;
  lastError: string;
}

/**
 * An in-process queue with SQS semantics that drives the same batch handlers as the Lambda event source
 * mapping: batches, at-least-once redelivery of failed records, a dead-letter list after maxReceiveCount.
 * Redelivery is immediate (no real visibility timeout: the simulated clock owns time).
 */
export class LocalQueue implements QueueProducer {
  readonly deadLetters: DeadLetter[] = [];
  readonly #o: Required<LocalQueueOptions>;
  #visible: QueueRecord[] = [];

  constructor(options: LocalQueueOptions = {}) {
    this.#o = { batchSize: 10, maxReceiveCount: 3, ...options };
  }

  async send(bodies: readonly string[]): Promise<void> {
    for (const body of bodies) {
      assertMessageSize(body);
      this.#visible.push({ messageId: randomUUID(), body, receiveCount: 0 });
    }
  }

  get depth(): number {
    return this.#visible.length;
  }

  /** Delivers until the queue is empty; returns the number of handler calls. */
  async drain(handler: BatchHandler): Promise<number> {
    let calls = 0;
    while (this.#visible.length > 0) {
      const batch = this.#visible
        .splice(0, this.#o.batchSize)
        .map((r) => ({ ...r, receiveCount: r.receiveCount + 1 }));
      calls += 1;
      let failed: Map<string, string>;
      try {
        const { failedIds } = await handler(batch);
        failed = new Map(failedIds.map((id) => [id, 'reported as failed by the handler']));
      } catch (e) {
        failed = new Map(batch.map((r) => [r.messageId, (e as Error).message]));
      }
      for (const record of batch) {
        const error = failed.get(record.messageId);
        if (error === undefined) continue;
        if (record.receiveCount >= this.#o.maxReceiveCount) {
          this.deadLetters.push({ ...record, lastError: error });
        } else this.#visible.push(record);
      }
    }
    return calls;
  }
}
