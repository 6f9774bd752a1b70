import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../../../clock.ts';
import {
  assertMessageSize,
  type BatchHandler,
  MAX_DELAY_SECONDS,
  type QueueProducer,
  type QueueRecord,
  type SendOptions,
} from '../queue.ts';

export interface LocalQueueOptions {
  /** Records per handler call (SQS event source mapping BatchSize; 10 for standard queues here). */
  batchSize?: number;
  /** Deliveries before a record goes to the dead-letter list (the redrive policy's maxReceiveCount). */
  maxReceiveCount?: number;
  /**
   * Seconds a record the handler failed stays invisible before it is delivered again (SQS's visibility
   * timeout; measured on the clock, so a simulated clock jumps over it). 0 redelivers at once.
   */
  visibilityTimeoutSeconds?: number;
  /** Whose time delays are measured in (a simulated clock in runs and tests). */
  clock?: Clock;
  /**
   * Back-pressure: when this many records are visible, `send` first lets the consumer set with
   * `consumeWhenFull` handle some, so a producer streaming a large audience never holds it all.
   */
  maxVisible?: number;
  /**
   * SQS's disorder, for tests: batches are drawn at random from the visible records, and a record that
   * was handled successfully is delivered once more with probability `duplicate` (at-least-once).
   */
  chaos?: { random: () => number; duplicate: number };
}

export interface DeadLetter {
  messageId: string;
  body: string;
  receiveCount: number;
  lastError: string;
}

interface Held extends QueueRecord {
  visibleAt: number;
}

export interface DrainOptions {
  /**
   * Called when only delayed records are left, with the time the first becomes visible: a simulated
   * clock moves there. Without it, drain waits in real time.
   */
  advance?: (to: Date) => void | Promise<void>;
}

/**
 * An in-process queue with SQS semantics that drives the same batch handlers as the Lambda event source
 * mapping: batches, delays (DelaySeconds), redelivery of failed records after the visibility timeout,
 * at-least-once delivery, a dead-letter list after maxReceiveCount.
 */
export class LocalQueue implements QueueProducer {
  readonly deadLetters: DeadLetter[] = [];
  readonly #o: Required<Omit<LocalQueueOptions, 'chaos' | 'maxVisible'>> &
    Pick<LocalQueueOptions, 'chaos' | 'maxVisible'>;
  #consumer: BatchHandler | null = null;
  #consuming = false;
  /** Visible records, oldest first from #head on (a deque: taking a batch is O(batch)). */
  #ready: Held[] = [];
  #head = 0;
  /** Records whose delay has not passed. */
  #delayed: Held[] = [];

  constructor(options: LocalQueueOptions = {}) {
    this.#o = {
      batchSize: 10,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 0,
      clock: systemClock,
      ...options,
    };
  }

  /** The handler `send` runs when the queue is full (see maxVisible); null to stop. */
  consumeWhenFull(handler: BatchHandler | null): void {
    this.#consumer = handler;
  }

  async send(bodies: readonly string[], options: SendOptions = {}): Promise<void> {
    // Every body is checked before any is held: a call with one too large enqueues none (as on SQS).
    for (const body of bodies) assertMessageSize(body);
    const max = this.#o.maxVisible;
    if (max && this.#consumer && !this.#consuming && this.#ready.length - this.#head >= max) {
      this.#consuming = true;
      try {
        while (this.#ready.length - this.#head > max / 2) await this.#deliver(this.#consumer);
      } finally {
        this.#consuming = false;
      }
    }
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, options.delaySeconds ?? 0));
    const visibleAt = this.#o.clock.now().getTime() + delay * 1000;
    for (const body of bodies) this.#hold({ messageId: randomUUID(), body, receiveCount: 0, visibleAt });
  }

  #hold(record: Held): void {
    if (record.visibleAt > this.#o.clock.now().getTime()) this.#delayed.push(record);
    else this.#ready.push(record);
  }

  get depth(): number {
    return this.#ready.length - this.#head + this.#delayed.length;
  }

  /** Delivers until the queue is empty; returns the number of handler calls. */
  async drain(handler: BatchHandler, options: DrainOptions = {}): Promise<number> {
    let calls = 0;
    while (this.depth > 0) {
      if (await this.#deliver(handler)) {
        calls += 1;
        continue;
      }
      const next = Math.min(...this.#delayed.map((r) => r.visibleAt));
      if (options.advance) await options.advance(new Date(next));
      else await new Promise((r) => setTimeout(r, Math.max(0, next - this.#o.clock.now().getTime())));
    }
    return calls;
  }

  /** Hands one batch of visible records to the handler; false when none is visible. */
  async #deliver(handler: BatchHandler): Promise<boolean> {
    const batch = this.#take();
    if (batch.length === 0) return false;
    let failed: Map<string, string>;
    try {
      const { failedIds, errors } = await handler(batch.map(({ visibleAt: _, ...r }) => r));
      failed = new Map(failedIds.map((id) => [id, errors?.[id] ?? 'reported as failed by the handler']));
    } catch (e) {
      failed = new Map(batch.map((r) => [r.messageId, (e as Error).message]));
    }
    for (const record of batch) {
      const error = failed.get(record.messageId);
      if (error === undefined) {
        const chaos = this.#o.chaos;
        if (chaos && chaos.random() < chaos.duplicate) this.#hold(record);
        continue;
      }
      if (record.receiveCount >= this.#o.maxReceiveCount) {
        const { visibleAt: _, ...r } = record;
        this.deadLetters.push({ ...r, lastError: error });
      } else {
        const visibleAt = this.#o.clock.now().getTime() + this.#o.visibilityTimeoutSeconds * 1000;
        this.#hold({ ...record, visibleAt });
      }
    }
    return true;
  }

  /** The next batch of visible records, each with its receive count raised. */
  #take(): Held[] {
    const now = this.#o.clock.now().getTime();
    if (this.#delayed.length) {
      const due = this.#delayed.filter((r) => r.visibleAt <= now);
      if (due.length) {
        this.#delayed = this.#delayed.filter((r) => r.visibleAt > now);
        this.#ready.push(...due);
      }
    }
    const chaos = this.#o.chaos;
    if (chaos) {
      // SQS's disorder: any visible record may come next.
      for (let i = this.#head; i < Math.min(this.#ready.length, this.#head + this.#o.batchSize); i++) {
        const j = i + Math.floor(chaos.random() * (this.#ready.length - i));
        [this.#ready[i], this.#ready[j]] = [this.#ready[j] as Held, this.#ready[i] as Held];
      }
    }
    const batch = this.#ready.slice(this.#head, this.#head + this.#o.batchSize);
    this.#head += batch.length;
    if (this.#head > 4096 && this.#head * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head);
      this.#head = 0;
    }
    return batch.map((r) => ({ ...r, receiveCount: r.receiveCount + 1 }));
  }
}
