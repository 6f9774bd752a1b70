import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { FirehoseLedger } from '../../shared/delivery/ledger/aws/firehose-ledger.ts';
import type { LedgerRow } from '../../shared/delivery/ledger/ledger.ts';
import { S3CallList } from '../../shared/delivery/senders/aws/s3-call-list.ts';
import { TableWriteError } from '../../shared/lake/aws/firehose-table-writer.ts';

// No Firehose or S3 implementation runs here, so the exact requests are asserted.
const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  firehose.reset();
  s3.reset();
});

const row = (i: number): LedgerRow => ({
  sendId: `d11/w1/c${i}`,
  campaignId: 'd11',
  waveId: 'w1',
  customerId: `c${i}`,
  segment: 'lapsed',
  category: 'marketing',
  channel: 'sms',
  variant: null,
  status: 'sent',
  reason: null,
  smsSegments: 1,
  cost: 0.045,
  messageId: `sns-${i}`,
  plannedAt: new Date('2026-11-10T16:00:00Z'),
  sentAt: new Date('2026-11-11T00:00:01.250Z'),
  arm: 'treatment',
});
const ledger = () =>
  new FirehoseLedger({ client: new FirehoseClient({ region: 'cn-north-1' }), deliveryStreamName: 'sends' });
const decode = (data: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(data));

describe('Firehose ledger', () => {
  it('puts each row as one JSON line with the sends columns and its dt, at most 500 per request', async () => {
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
    await ledger().append(Array.from({ length: 501 }, (_, i) => row(i)));
    const calls = firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.DeliveryStreamName, c.Records?.length])).toEqual([
      ['sends', 500],
      ['sends', 1],
    ]);
    expect(decode(calls[1]?.Records?.[0]?.Data)).toEqual({
      send_id: 'd11/w1/c500',
      campaign_id: 'd11',
      wave_id: 'w1',
      customer_id: 'c500',
      segment: 'lapsed',
      category: 'marketing',
      channel: 'sms',
      variant: null,
      status: 'sent',
      reason: null,
      sms_segments: 1,
      cost: 0.045,
      message_id: 'sns-500',
      arm: 'treatment',
      planned_at: '2026-11-10 16:00:00.000',
      sent_at: '2026-11-11 00:00:01.250',
      dt: '2026-11-10',
    });
  });

  it('resends only the failed records, and throws when they keep failing (the batch is redelivered)', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'a' },
          { ErrorCode: 'ServiceUnavailableException' },
          { RecordId: 'c' },
        ],
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'b' }] });
    await ledger().append([row(0), row(1), row(2)]);
    const calls = firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.Records?.map((r) => decode(r.Data).send_id)).toEqual(['d11/w1/c1']);

    firehose.reset();
    firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 1,
      RequestResponses: [{ ErrorCode: 'ServiceUnavailableException' }],
    });
    await expect(ledger().append([row(0)])).rejects.toThrow(TableWriteError);
    expect(firehose).toHaveReceivedCommandTimes(PutRecordBatchCommand, 3);
  });
});

describe('S3 call list', () => {
  const entry = {
    sendId: 'd11/vip/c1',
    campaignId: 'd11',
    waveId: 'vip',
    customerId: 'c1',
    name: '王小明',
    phone: '+8613812345678',
    tier: 'vip',
    lastOrders: [{ orderId: 'o1', at: '2026-11-01 10:00:00', amount: 399 }],
    talkingPoints: '感谢支持',
  };
  const list = () =>
    new S3CallList({ client: new S3Client({ region: 'cn-north-1' }), bucket: 'lake-bucket' });

  it('writes a batch as one CSV object with the phone masked', async () => {
    s3.on(PutObjectCommand).resolves({});
    const results = await list().add([entry]);
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input?.Bucket).toBe('lake-bucket');
    expect(input?.Key).toMatch(/^call-list\/d11\/vip\/[0-9a-f]{16}\.csv$/);
    expect(input?.ContentType).toBe('text/csv; charset=utf-8');
    expect(String(input?.Body)).toBe(
      'send_id,customer_id,name,phone_masked,tier,last_orders,talking_points\n' +
        '"d11/vip/c1","c1","王小明","(+86) 138****5678","vip","2026-11-01 o1 ¥399.00","感谢支持"\n',
    );
    expect(results).toEqual([{ kind: 'sent', messageId: input?.Key }]);
  });

  it('reports a failed upload as retryable for every entry of the batch', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    expect(await list().add([entry])).toEqual([
      { kind: 'failed', error: 'SlowDown: slow down', retryable: true },
    ]);
  });
});
