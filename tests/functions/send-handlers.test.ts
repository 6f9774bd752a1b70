import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import sesLocalModule from 'aws-ses-v2-local';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as deadLettersHandler } from '../../functions/dead-letters/handler.ts';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { handler as sendBatchesHandler } from '../../functions/send-batches/handler.ts';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import type { DeployedCampaigns } from '../../shared/delivery/aws/s3-campaign-catalog.ts';
import type { SendBatchMessage } from '../../shared/delivery/send-batch-message.ts';
import { instantToLocal } from '../../shared/time/zoned-time.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';

// Handlers are called as the Lambda runtime calls them: through their whole middy stack.
const deadLetters = invoke(deadLettersHandler);
const sendBatches = invoke(sendBatchesHandler);

const startSesLocal = ((sesLocalModule as unknown as { default?: unknown }).default ??
  sesLocalModule) as typeof sesLocalModule.default;

// Real protocols where one runs here (DynamoDB through dynalite, SES v2 through aws-ses-v2-local);
// S3, Secrets Manager, Firehose, SQS and SNS are mocked, and their requests asserted.
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);
const firehose = mockClient(FirehoseClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);

let ddb: Awaited<ReturnType<typeof startDynalite>>;
let ses: Awaited<ReturnType<typeof startSesLocal>>;
let sesBase: string;
let campaign: Campaign;
const saved = { ...process.env };

beforeAll(async () => {
  ddb = await startDynalite('contacts', { moreTables: ['links'] });
  ses = await startSesLocal({ host: '127.0.0.1', port: 0 });
  sesBase = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  const d11 = await loadDouble11();
  // A wave that is on now, so the handler's real clock is inside its window (email has no quiet hours).
  const start = instantToLocal(new Date(Date.now() - 3_600_000), d11.timeZone).slice(0, 16);
  const wave = d11.waves.find((w) => w.id === 'd11-afternoon');
  if (!wave) throw new Error('no afternoon wave');
  campaign = { ...d11, waves: d11.waves.map((w) => (w === wave ? { ...w, start, sendBy: '12h' } : w)) };
  const deployed: DeployedCampaigns = { policy: await loadShopPolicy(), campaigns: [campaign] };
  s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'config/campaigns.json' }).resolves({
    Body: { transformToString: async () => JSON.stringify(deployed) } as never,
  });
  s3.on(PutObjectCommand).resolves({});
  secrets
    .on(GetSecretValueCommand, { SecretId: 'arn:link-secret' })
    .resolves({ SecretString: 'a-link-secret-for-tests-0123456789' });
  firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  Object.assign(
    process.env,
    handlerTestEnv(ddb.endpoint, {
      AWS_ENDPOINT_URL_SESV2: sesBase,
      [FUNCTION_ENV.contactsTable]: 'contacts',
      [FUNCTION_ENV.linksTable]: 'links',
      [FUNCTION_ENV.sendsStream]: 'sends',
      [FUNCTION_ENV.lakeBucket]: 'lake',
      [FUNCTION_ENV.campaignsKey]: 'config/campaigns.json',
      [FUNCTION_ENV.linkSecretArn]: 'arn:link-secret',
      [FUNCTION_ENV.linkBase]: 'https://s.example.cn',
      [FUNCTION_ENV.emailQueueUrl]: 'https://sqs/email',
      [FUNCTION_ENV.smsQueueUrl]: 'https://sqs/sms',
      [FUNCTION_ENV.callListQueueUrl]: 'https://sqs/call-list',
    }),
  );
});
afterAll(async () => {
  process.env = saved;
  await ddb.stop();
  await new Promise<void>((resolve) => ses.close(() => resolve()));
  for (const m of [s3, secrets, firehose, sqs, sns]) m.restore();
});

const batch = (ids: string[]): SendBatchMessage => ({
  v: 1,
  campaignId: campaign.id,
  waveId: 'd11-afternoon',
  channel: 'email',
  category: 'marketing',
  plannedAt: new Date().toISOString(),
  recipients: ids.map((id) => ({
    customerId: id,
    address: `${id}@example.com`,
    name: '王<b>小明</b>',
    province: '浙江省',
    city: '杭州市',
    memberTier: 'gold',
    timeZone: null,
    variant: null,
    tier: null,
    attempt: 1,
  })),
});
const sqsEvent = (records: { id: string; body: string }[]) => ({
  Records: records.map((r) => ({
    messageId: r.id,
    body: r.body,
    attributes: { ApproximateReceiveCount: '1' },
  })),
});
const ledgerRows = () =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .flatMap((c) => c.args[0].input.Records ?? [])
    .map((r) => JSON.parse(new TextDecoder().decode(r.Data)) as Record<string, unknown>);
const sesEmails = async () =>
  (
    (await (await fetch(`${sesBase}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { html?: string } }[];
    }
  ).emails;

describe('send-batches Lambda handler', () => {
  it('sends a batch through SES, writes the ledger to Firehose, reports only the poison record as failed', async () => {
    const out = await sendBatches(
      sqsEvent([
        { id: 'm1', body: JSON.stringify(batch(['c1', 'c2'])) },
        { id: 'poison', body: '{"v":1,' },
      ]),
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    const emails = await sesEmails();
    expect(emails.map((e) => e.destination.to).sort()).toEqual([['c1@example.com'], ['c2@example.com']]);
    // What the template inserts into email HTML is escaped.
    expect(emails[0]?.body.html).toContain('王&lt;b&gt;小明&lt;/b&gt;');
    expect(ledgerRows().map((r) => [r.send_id, r.status, r.channel])).toEqual([
      [`${campaign.id}/d11-afternoon/c1`, 'sent', 'email'],
      [`${campaign.id}/d11-afternoon/c2`, 'sent', 'email'],
    ]);
    const item = await ddb.client.send(
      new GetItemCommand({ TableName: 'contacts', Key: { pk: { S: 'C#c1' } } }),
    );
    expect(JSON.parse(item.Item?.state?.S ?? '{}').claimed).toEqual([
      {
        id: `${campaign.id}/d11-afternoon/c1`,
        at: expect.any(Number),
        state: 'sent',
        channel: 'email',
        category: 'marketing',
        // The caps it was claimed under, for claims of earlier-dated sends (claim.ts, keptCaps).
        caps: 'marketing-monthly:2:30d:marketing:any',
      },
    ]);
  });

  it('a redelivered batch sends nothing and records nothing again', async () => {
    const before = { emails: (await sesEmails()).length, rows: ledgerRows().length };
    expect(await sendBatches(sqsEvent([{ id: 'm1', body: JSON.stringify(batch(['c1', 'c2'])) }]))).toEqual({
      batchItemFailures: [],
    });
    expect((await sesEmails()).length).toBe(before.emails);
    expect(ledgerRows().length).toBe(before.rows);
  });
});

describe('dead-letters Lambda handler', () => {
  it('records every open recipient of a dead-lettered batch as failed, and counts unreadable ones', async () => {
    firehose.resetHistory();
    const out = await deadLetters(
      sqsEvent([
        { id: 'd1', body: JSON.stringify(batch(['c1', 'c3'])) },
        { id: 'd2', body: 'not json' },
      ]),
    );
    // c1 was sent already; c3 never was.
    expect(out).toEqual({ failed: 1, unreadable: 1 });
    expect(ledgerRows().map((r) => [r.customer_id, r.status, String(r.reason).slice(0, 14)])).toEqual([
      ['c3', 'failed', 'dead-lettered:'],
    ]);
  });
});
