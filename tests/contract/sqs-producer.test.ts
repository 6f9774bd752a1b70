import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { batches, QueueSendError, SqsProducer } from '../../shared/delivery/queue/aws/sqs-producer.ts';

// No SQS implementation runs here, so the exact requests are asserted.
const sqs = mockClient(SQSClient);
const URL = 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/email-sends';
const producer = () => new SqsProducer({ client: new SQSClient({ region: 'cn-north-1' }), queueUrl: URL });

beforeEach(() => sqs.reset());

describe('SQS producer', () => {
  it('sends batches of at most 10 entries', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await producer().send(Array.from({ length: 23 }, (_, i) => `m${i}`));
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[2]).toEqual({
      QueueUrl: URL,
      Entries: [
        { Id: '0', MessageBody: 'm20' },
        { Id: '1', MessageBody: 'm21' },
        { Id: '2', MessageBody: 'm22' },
      ],
    });
  });

  it('keeps each request under 256 KiB', () => {
    const big = 'x'.repeat(100 * 1024);
    expect(batches([big, big, big, 'small']).map((b) => b.length)).toEqual([2, 2]);
  });

  it('sends again only the entries SQS reported as failed, and throws if they keep failing', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: '' }],
        Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
      })
      .resolves({ Successful: [{ Id: '1', MessageId: 'b', MD5OfMessageBody: '' }], Failed: [] });
    await producer().send(['first', 'second']);
    expect(sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries).toEqual([
      { Id: '1', MessageBody: 'second' },
    ]);

    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(producer().send(['doomed'])).rejects.toThrow(
      new QueueSendError('1 message(s) not accepted by SQS after 3 attempts (0: InternalError)'),
    );
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
  });
});
