import { createHash } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { DynamoDbContactStore } from '../../shared/delivery/contact-policy/aws/dynamodb-contact-store.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';
import { laterClaim, RESPONSE_WRITER_ENV } from './response-writer.ts';

// DynamoDB (the contact store) through dynalite; S3, Athena and Firehose mocked, their requests asserted.
const s3 = mockClient(S3Client);
const athena = mockClient(AthenaClient);
const firehose = mockClient(FirehoseClient);
const saved = { ...process.env };
let ddb: Awaited<ReturnType<typeof startDynalite>>;
let contacts: DynamoDbContactStore;
let record: (event: unknown) => Promise<unknown>;
/** What the function wrote to stdout and stderr: its log lines. */
let logged = '';

const NOW = new Date('2026-11-12T02:00:00Z');
const HEADER =
  '发送编号,客户编号,客户,手机,会员等级,价值层级,省份,城市,建议致电时间,活动,波次,优惠,版本,最近订单,话术,结果';
const PHONE = /\+?86 ?1[3-9]\d{9}|(?<!\d)1[3-9]\d{9}(?!\d)/;
/** The key staff uploaded, as it is in the bucket, and as S3's notification gives it (URL-encoded, + for space). */
const KEY = 'call-outcomes/double-11-2026/已拨打 第1批+回访.csv';
const EVENT_KEY =
  'call-outcomes/double-11-2026/%E5%B7%B2%E6%8B%A8%E6%89%93+%E7%AC%AC1%E6%89%B9%2B%E5%9B%9E%E8%AE%BF.csv';
const RESULTS = 'call-outcomes-results/double-11-2026/已拨打 第1批+回访.csv';
const send = (customer: string) => `double-11-2026/d11-cashback/${customer}`;

/** The dialling export filled in and saved from Excel on a Chinese system: GBK, full numbers in 手机. */
const row = (customer: string, phone: string, outcome: string) =>
  [
    send(customer),
    customer,
    '王芳',
    phone,
    'VIP',
    'vip',
    '浙江省',
    '杭州市',
    '2026-11-11 09:00',
    '双11 2026',
    '老客返现',
    '返现20元',
    '',
    '',
    '',
    outcome,
  ]
    .map((v) => `"${v}"`)
    .join(',');
const FILLED = iconv.encode(
  `${[
    HEADER,
    row('c1', '+8613812345601', '已接通'),
    row('c2', '+8613812345602', '拒绝再联系'),
    row('c3', '+8613812345603', '回拨 13812345678'),
    row('c4', '+8613812345604', ''),
  ].join('\r\n')}\r\n`,
  'gbk',
);

const eventId = (sendId: string, type: string) =>
  createHash('sha256').update(['call', sendId, type].join('\n')).digest('hex').slice(0, 32);
const SENDS_SQL = `SELECT DISTINCT send_id FROM sends WHERE channel = 'call-list' AND status = 'sent' AND send_id IN ('${send('c1')}', '${send('c2')}')`;
const EVENTS_SQL = `SELECT DISTINCT event_id FROM events WHERE channel = 'call-list' AND send_id IN ('${send('c1')}', '${send('c2')}')`;
/** The events already in the table, as the Athena query of EVENTS_SQL returns them. */
let recordedEvents: string[] = [];

const athenaRows = (column: string, values: string[]) => ({
  ResultSet: {
    ResultSetMetadata: { ColumnInfo: [{ Name: column, Type: 'varchar' }] },
    Rows: [[column], ...values.map((v) => [v])].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
  },
});
const notification = (key: string, bucket = 'lake') => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'ap-southeast-1',
      eventTime: '2026-11-12T02:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'call-outcomes',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key, size: 1234, eTag: 'e', sequencer: '0A1B2C3D4E5F678901' },
      },
    },
  ],
});
const written = (stream: string) =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .filter((c) => c.args[0].input.DeliveryStreamName === stream)
    .flatMap((c) => c.args[0].input.Records ?? [])
    .map((r) => JSON.parse(new TextDecoder().decode(r.Data)));
const puts = () =>
  s3.commandCalls(PutObjectCommand).map((c) => ({ ...c.args[0].input, Body: String(c.args[0].input.Body) }));
const claim = (customerId: string) => laterClaim(contacts, customerId, 'sms', NOW);

beforeAll(async () => {
  ddb = await startDynalite('contacts');
  contacts = new DynamoDbContactStore({ client: ddb.client, tableName: 'contacts' });
  Object.assign(
    process.env,
    handlerTestEnv(ddb.endpoint, {
      ...RESPONSE_WRITER_ENV,
      [FUNCTION_ENV.lakeBucket]: 'lake',
      [FUNCTION_ENV.athenaWorkGroup]: 'analysts',
      [FUNCTION_ENV.athenaDatabase]: 'campaign_lake',
    }),
    // The function's logs are read here: Powertools reads its level when the module loads.
    { POWERTOOLS_LOG_LEVEL: 'INFO' },
  );
  record = invoke((await import('../../functions/record-call-outcomes/handler.ts')).handler);
});
afterAll(async () => {
  process.env = saved;
  await ddb.stop();
  for (const m of [s3, athena, firehose]) m.restore();
});
beforeEach(() => {
  for (const m of [s3, athena, firehose]) m.reset();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  logged = '';
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged += String(chunk);
      return true;
    });
  s3.on(GetObjectCommand, { Bucket: 'lake', Key: KEY }).resolves({
    Body: { transformToByteArray: async () => new Uint8Array(FILLED) } as never,
  });
  s3.on(PutObjectCommand).resolves({});
  firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => ({
    QueryExecutionId: input.QueryString.includes('FROM sends') ? 'q-sends' : 'q-events',
  }));
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena
    .on(GetQueryResultsCommand)
    .callsFake((input: { QueryExecutionId: string }) =>
      input.QueryExecutionId === 'q-sends'
        ? athenaRows('send_id', [send('c1'), send('c2')])
        : athenaRows('event_id', recordedEvents),
    );
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('the record-call-outcomes handler (a filled call list uploaded to S3)', () => {
  it('reads the GBK upload under its decoded Chinese key, records its outcomes, and writes the report and rejects next to it', async () => {
    recordedEvents = [];
    expect(await record(notification(EVENT_KEY))).toEqual({
      uploads: [{ file: KEY, recorded: 2, alreadyRecorded: 0, rejected: 1, error: null }],
    });
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake', Key: KEY },
    ]);
    // Is each row a call that was made, and recorded already? Athena, in the stack's workgroup.
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryString: SENDS_SQL, WorkGroup: 'analysts', QueryExecutionContext: { Database: 'campaign_lake' } },
      {
        QueryString: EVENTS_SQL,
        WorkGroup: 'analysts',
        QueryExecutionContext: { Database: 'campaign_lake' },
      },
    ]);
    // The events and the opt-out through the same streams as every response.
    const event = (customer: string, type: string, detail: string) => ({
      event_id: eventId(send(customer), type),
      event_type: type,
      campaign_id: 'double-11-2026',
      wave_id: 'd11-cashback',
      customer_id: customer,
      channel: 'call-list',
      send_id: send(customer),
      message_id: null,
      occurred_at: '2026-11-12 02:00:00.000',
      detail,
      source: 'call-list',
      sku: null,
      dt: '2026-11-12',
    });
    expect(written('events')).toEqual([
      event('c1', 'call-answered', '已接通'),
      event('c2', 'unsubscribed', '拒绝再联系'),
    ]);
    expect(written('suppressions')).toEqual([
      { customer_id: 'c2', channel: 'any', reason: 'opt-out', created_at: '2026-11-12 02:00:00.000' },
    ]);
    // 拒绝再联系 stops every channel at once, before the next audience query.
    expect(await claim('c2')).toEqual({ kind: 'suppressed', reason: 'opt-out' });
    expect(await claim('c1')).toEqual({ kind: 'claimed' });

    const rejects = `\uFEFF行,发送编号,结果,原因\n"4","${send('c3')}","回拨 <phone>","结果: expected one of 已接通, 未接通, 拒绝, 成交, 回拨, 拒绝再联系 (or empty: not called yet)"\n`;
    const report = {
      file: KEY,
      encoding: 'gbk',
      read: 4,
      recorded: 2,
      alreadyRecorded: 0,
      notCalled: 1,
      rejected: [
        {
          line: 4,
          sendId: send('c3'),
          outcome: '回拨 <phone>',
          reason:
            '结果: expected one of 已接通, 未接通, 拒绝, 成交, 回拨, 拒绝再联系 (or empty: not called yet)',
        },
      ],
      optedOut: 1,
      byOutcome: { 已接通: 1, 拒绝再联系: 1 },
      rejectsKey: `${RESULTS}.rejects.csv`,
    };
    expect(puts()).toEqual([
      {
        Bucket: 'lake',
        Key: `${RESULTS}.rejects.csv`,
        Body: rejects,
        ContentType: 'text/csv; charset=utf-8',
      },
      {
        Bucket: 'lake',
        Key: `${RESULTS}.json`,
        Body: `${JSON.stringify(report, null, 2)}\n`,
        ContentType: 'application/json',
      },
    ]);
    // The sheet had a full number on every row and one in 结果: none reaches the report, rejects or logs.
    expect(logged).toContain('call outcomes recorded');
    for (const text of [logged, ...puts().map((p) => p.Body)]) expect(text).not.toMatch(PHONE);
  });

  it('records nothing new when the same file is uploaded again: its outcomes are in the events table', async () => {
    recordedEvents = [eventId(send('c1'), 'call-answered'), eventId(send('c2'), 'unsubscribed')];
    expect(await record(notification(EVENT_KEY))).toEqual({
      uploads: [{ file: KEY, recorded: 0, alreadyRecorded: 2, rejected: 1, error: null }],
    });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toEqual([]);
    const report = JSON.parse(puts().find((p) => p.Key === `${RESULTS}.json`)?.Body ?? '{}');
    expect(report).toMatchObject({ read: 4, recorded: 0, alreadyRecorded: 2, notCalled: 1, optedOut: 0 });
  });

  it('answers a file that is not a call list with a report saying why, recording nothing, and no phone of its name', async () => {
    const key = 'call-outcomes/double-11-2026/王芳 13812345678.csv';
    s3.on(GetObjectCommand, { Bucket: 'lake', Key: key }).resolves({
      Body: {
        transformToByteArray: async () => new TextEncoder().encode('姓名,手机\n王芳,13812345678\n'),
      } as never,
    });
    const out = await record(notification('call-outcomes/double-11-2026/%E7%8E%8B%E8%8A%B3+13812345678.csv'));
    const file = 'call-outcomes/double-11-2026/王芳 <phone>.csv';
    const error = `${file}:1:1 expected the call list's header with 发送编号 and 结果 (as \`campaign run\` writes it), got: 姓名,手机`;
    expect(out).toEqual({ uploads: [{ file, recorded: 0, alreadyRecorded: 0, rejected: 0, error }] });
    expect(athena.commandCalls(StartQueryExecutionCommand)).toEqual([]);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toEqual([]);
    expect(puts()).toEqual([
      {
        Bucket: 'lake',
        Key: 'call-outcomes-results/double-11-2026/王芳 13812345678.csv.json',
        Body: `${JSON.stringify({ file, error, rejectsKey: null }, null, 2)}\n`,
        ContentType: 'application/json',
      },
    ]);
    expect(logged).toContain('not a call list');
    expect(logged).not.toMatch(PHONE);
  });

  it('refuses an event that is not an object created in the lake bucket, reading nothing', async () => {
    await expect(record({ Records: [] })).rejects.toThrow();
    await expect(
      record({
        ...notification(EVENT_KEY),
        Records: [{ ...notification(EVENT_KEY).Records[0], eventName: 'ObjectRemoved:Delete' }],
      }),
    ).rejects.toThrow(/ObjectCreated/);
    await expect(record(notification(EVENT_KEY, 'another-bucket'))).rejects.toThrow(
      'an upload to bucket another-bucket, not the lake bucket lake',
    );
    expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
  });
});
