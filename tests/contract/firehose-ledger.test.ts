import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { FirehoseLedger } from '../../shared/delivery/ledger/aws/firehose-ledger.ts';
import { S3CallList } from '../../shared/delivery/senders/aws/s3-call-list.ts';
import { TableWriteError } from '../../shared/lake/aws/firehose-table-writer.ts';
import { ENTRY } from '../helpers/call-list-entry.ts';
import { sampleLedgerRow } from './sample-ledger-row.ts';

// No Firehose or S3 implementation runs here, so the exact requests are asserted.
const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  firehose.reset();
  s3.reset();
});

const row = (i: number) => sampleLedgerRow(`c${i}`, { smsSegments: 1, cost: 0.045, messageId: `sns-${i}` });
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
  const entry = { ...ENTRY, name: '王小明', talkingPoints: '感谢支持' };
  const list = () =>
    new S3CallList({ client: new S3Client({ region: 'cn-north-1' }), bucket: 'lake-bucket' });

  it('writes a batch as one sheet with the phone masked, and its full numbers under a prefix of their own', async () => {
    s3.on(PutObjectCommand).resolves({});
    const results = await list().add([entry]);
    const inputs = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.Key)).toEqual([
      expect.stringMatching(/^call-list-dial\/d11\/vip\/[0-9a-f]{16}\.csv$/),
      expect.stringMatching(/^call-list\/d11\/vip\/[0-9a-f]{16}\.csv$/),
    ]);
    const [dial, masked] = inputs;
    expect(dial?.Key?.slice('call-list-dial/'.length)).toBe(masked?.Key?.slice('call-list/'.length));
    for (const input of inputs) {
      expect(input.Bucket).toBe('lake-bucket');
      expect(input.ContentType).toBe('text/csv; charset=utf-8');
    }
    const header =
      '\uFEFF发送编号,客户编号,客户,手机,会员等级,价值层级,省份,城市,建议致电时间,活动,波次,优惠,版本,最近订单,话术,结果\n';
    const row = (phone: string) =>
      `"d11/vip/c1","c1","王小明","${phone}","钻石会员","vip","浙江省","杭州市","2026-11-11 09:00","双11 2026","双11零点：老客返现","老客返现20元（满199可用）","urgency","2026-11-01 o1 ¥399.00","感谢支持",""\n`;
    expect(String(masked?.Body)).toBe(header + row('(+86) 138****5678'));
    expect(String(dial?.Body)).toBe(header + row('(+86) 13812345678'));
    expect(results).toEqual([{ kind: 'sent', messageId: masked?.Key }]);
  });

  it('reports a failed upload as retryable for every entry of the batch', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    expect(await list().add([entry])).toEqual([
      { kind: 'failed', error: 'SlowDown: slow down', retryable: true },
    ]);
  });
});
