import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { LocalQueue } from '../../shared/delivery/queue/local/local-queue.ts';
import {
  MAX_MESSAGE_BYTES,
  MessageTooLargeError,
  type QueueRecord,
} from '../../shared/delivery/queue/queue.ts';

describe('LocalQueue', () => {
  it('delivers in batches of the configured size until empty', async () => {
    const q = new LocalQueue({ batchSize: 10 });
    await q.send(Array.from({ length: 25 }, (_, i) => `m${i}`));
    const sizes: number[] = [];
    const calls = await q.drain(async (records) => {
      sizes.push(records.length);
      return { failedIds: [] };
    });
    expect(calls).toBe(3);
    expect(sizes).toEqual([10, 10, 5]);
    expect(q.depth).toBe(0);
  });

  it('redelivers only the failed records of a batch, counting receives, and dead-letters after maxReceiveCount', async () => {
    const q = new LocalQueue({ batchSize: 10, maxReceiveCount: 3 });
    await q.send(['ok', 'flaky', 'poison']);
    const seen: [string, number][] = [];
    await q.drain(async (records: QueueRecord[]) => {
      for (const r of records) seen.push([r.body, r.receiveCount]);
      const failed = records.filter((r) => r.body === 'poison' || (r.body === 'flaky' && r.receiveCount < 2));
      return { failedIds: failed.map((r) => r.messageId) };
    });
    expect(seen).toEqual([
      ['ok', 1],
      ['flaky', 1],
      ['poison', 1],
      ['flaky', 2],
      ['poison', 2],
      ['poison', 3],
    ]);
    expect(q.deadLetters.map((d) => [d.body, d.receiveCount, d.lastError])).toEqual([
      ['poison', 3, 'reported as failed by the handler'],
    ]);
  });

  it('keeps a failed record invisible for the visibility timeout, on the clock it is given', async () => {
    const clock = new ManualClock(new Date('2026-11-11T00:00:00Z'));
    const q = new LocalQueue({ clock, visibilityTimeoutSeconds: 720 });
    await q.send(['flaky']);
    const seen: string[] = [];
    await q.drain(
      async (records) => {
        seen.push(clock.now().toISOString());
        return { failedIds: seen.length === 1 ? records.map((r) => r.messageId) : [] };
      },
      { advance: (to) => clock.set(to) },
    );
    expect(seen).toEqual(['2026-11-11T00:00:00.000Z', '2026-11-11T00:12:00.000Z']);
  });

  it('fails the whole batch when the handler throws', async () => {
    const q = new LocalQueue({ batchSize: 2, maxReceiveCount: 1 });
    await q.send(['a', 'b']);
    await q.drain(async () => {
      throw new Error('crashed');
    });
    expect(q.deadLetters.map((d) => [d.body, d.lastError])).toEqual([
      ['a', 'crashed'],
      ['b', 'crashed'],
    ]);
  });

  it('refuses a message larger than SQS allows', async () => {
    await expect(new LocalQueue().send(['x'.repeat(MAX_MESSAGE_BYTES + 1)])).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
  });
});
