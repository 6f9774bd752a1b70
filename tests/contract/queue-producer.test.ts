import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { SqsProducer } from '../../shared/delivery/queue/aws/sqs-producer.ts';
import { LocalQueue } from '../../shared/delivery/queue/local/local-queue.ts';
import {
  MAX_BATCH_ENTRIES,
  MAX_MESSAGE_BYTES,
  MessageTooLargeError,
  type QueueProducer,
} from '../../shared/delivery/queue/queue.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';

/** One message as the queue holds it: its body and the seconds before it became visible. */
interface Enqueued {
  body: string;
  delaySeconds: number;
}

/** The producer, and what reached the queue since the last call (each message once per time it was accepted). */
type Subject = Made<QueueProducer> & { enqueued: () => Promise<Enqueued[]> };

const T0 = new Date('2026-11-10T16:00:00Z');
const URL = 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/email-sends';

const adapters: ContractAdapter<Subject>[] = [
  {
    name: 'local queue',
    make: async () => {
      const clock = new ManualClock(T0);
      const queue = new LocalQueue({ clock });
      return {
        port: queue,
        // Everything is delivered, the clock moved to each delayed record's time: the delay a record had is
        // the time it was delivered at.
        enqueued: async () => {
          const out: Enqueued[] = [];
          await queue.drain(
            async (records) => {
              const delaySeconds = (clock.now().getTime() - T0.getTime()) / 1000;
              for (const r of records) out.push({ body: r.body, delaySeconds });
              return { failedIds: [] };
            },
            { advance: (to) => clock.set(to) },
          );
          clock.set(T0);
          return out;
        },
        stop: async () => {},
      };
    },
  },
  {
    name: 'SQS (aws-sdk-client-mock: exact requests)',
    make: async () => {
      // No SQS implementation runs here. The mock accepts every entry; each request is checked to be
      // exactly what SendMessageBatch takes, within SQS's limits, before its entries count as enqueued.
      const sqs = mockClient(SQSClient);
      sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
        Successful: (input.Entries ?? []).map((e) => ({
          Id: e.Id,
          MessageId: `m-${e.Id}`,
          MD5OfMessageBody: '',
        })),
        Failed: [],
      }));
      return {
        port: new SqsProducer({ client: new SQSClient({ region: 'cn-north-1' }), queueUrl: URL }),
        enqueued: async () => {
          const requests = sqs.calls().map((c) => c.args[0].input as SendMessageBatchCommandInput);
          expect(sqs.calls().every((c) => c.args[0] instanceof SendMessageBatchCommand)).toBe(true);
          sqs.resetHistory();
          return requests.flatMap((request) => {
            const entries = request.Entries ?? [];
            expect(request).toEqual({ QueueUrl: URL, Entries: expect.any(Array) });
            expect(entries.length).toBeGreaterThan(0);
            expect(entries.length).toBeLessThanOrEqual(MAX_BATCH_ENTRIES);
            expect(new Set(entries.map((e) => e.Id)).size).toBe(entries.length);
            const bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? '', 'utf8'), 0);
            expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
            return entries.map((e) => {
              expect(e).toEqual({
                Id: expect.stringMatching(/^[A-Za-z0-9_-]{1,80}$/),
                MessageBody: expect.any(String),
                ...(e.DelaySeconds === undefined ? {} : { DelaySeconds: expect.any(Number) }),
              });
              return { body: e.MessageBody ?? '', delaySeconds: e.DelaySeconds ?? 0 };
            });
          });
        },
        stop: async () => sqs.restore(),
      };
    },
  },
];

const bodies = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ sendId: `${prefix}/c${i}`, name: '王小明' }));
const sorted = (xs: Enqueued[]) => [...xs].sort((a, b) => a.body.localeCompare(b.body));

contractSuite('queue producer', adapters, (made) => {
  const producer = () => made().port;

  it('enqueues every body of a call exactly once, byte for byte, however many there are and however large', async () => {
    const big = (i: number) => `{"pad":"${'x'.repeat(100 * 1024)}","i":${i}}`;
    const sent = [...bodies(20, 'd11/w1'), big(1), big(2), big(3), '双11 ✓ "quoted" \\ \n line'];
    await producer().send(sent);
    expect(sorted(await made().enqueued())).toEqual(sorted(sent.map((body) => ({ body, delaySeconds: 0 }))));
  });

  it('enqueues nothing for no bodies', async () => {
    await producer().send([]);
    expect(await made().enqueued()).toEqual([]);
  });

  it('delays messages by the seconds asked, and by 15 minutes at most', async () => {
    await producer().send(bodies(12, 'now'));
    await producer().send(bodies(2, 'later'), { delaySeconds: 60 });
    await producer().send(bodies(1, 'much-later'), { delaySeconds: 3_600 });
    await producer().send(bodies(1, 'zero'), { delaySeconds: 0 });
    const got = await made().enqueued();
    const delayOf = (prefix: string) => [
      ...new Set(got.filter((m) => m.body.includes(`"${prefix}/`)).map((m) => m.delaySeconds)),
    ];
    expect(got).toHaveLength(16);
    expect(delayOf('now')).toEqual([0]);
    expect(delayOf('later')).toEqual([60]);
    expect(delayOf('much-later')).toEqual([900]);
    expect(delayOf('zero')).toEqual([0]);
  });

  it('takes a message of exactly 256 KiB in UTF-8, and refuses one byte more before enqueuing any of the call', async () => {
    // 3 bytes a character: the limit is in bytes, not characters.
    const atLimit = '双'.repeat(MAX_MESSAGE_BYTES / 4) + 'x'.repeat(MAX_MESSAGE_BYTES / 4);
    expect(Buffer.byteLength(atLimit, 'utf8')).toBe(MAX_MESSAGE_BYTES);
    await producer().send([atLimit]);
    expect((await made().enqueued()).map((m) => m.body === atLimit)).toEqual([true]);

    await expect(producer().send(['fine', `${atLimit}x`, 'also fine'])).rejects.toThrow(MessageTooLargeError);
    expect(await made().enqueued()).toEqual([]);
  });
});
