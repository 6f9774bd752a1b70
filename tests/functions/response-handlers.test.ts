import { gzipSync } from 'node:zlib';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { handler as ingestHandler } from '../../functions/ingest-events/handler.ts';
import { handler as linksHandler } from '../../functions/links/handler.ts';
import { DynamoDbContactStore } from '../../shared/delivery/contact-policy/aws/dynamodb-contact-store.ts';
import {
  type ClaimRequest,
  type ClaimResult,
  claimChange,
} from '../../shared/delivery/contact-policy/claim.ts';
import { DynamoDbLinkStore } from '../../shared/delivery/links/aws/dynamodb-link-store.ts';
import { LinkIssuer } from '../../shared/delivery/links/short-links.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';

// Handlers are called as the Lambda runtime calls them: through their whole middy stack.
const ingest = invoke(ingestHandler);
const links = invoke(linksHandler);

// DynamoDB through dynalite (contacts, links); Firehose and Secrets Manager mocked, requests asserted.
const firehose = mockClient(FirehoseClient);
const secrets = mockClient(SecretsManagerClient);
const SECRET = 'a-link-secret-for-tests-0123456789';
const saved = { ...process.env };
let ddb: Awaited<ReturnType<typeof startDynalite>>;
let contacts: DynamoDbContactStore;

beforeAll(async () => {
  ddb = await startDynalite('contacts', { moreTables: ['links'] });
  contacts = new DynamoDbContactStore({ client: ddb.client, tableName: 'contacts' });
  secrets.on(GetSecretValueCommand, { SecretId: 'arn:link-secret' }).resolves({ SecretString: SECRET });
  Object.assign(
    process.env,
    handlerTestEnv(ddb.endpoint, {
      [FUNCTION_ENV.contactsTable]: 'contacts',
      [FUNCTION_ENV.linksTable]: 'links',
      [FUNCTION_ENV.linkSecretArn]: 'arn:link-secret',
      [FUNCTION_ENV.eventsStream]: 'events',
      [FUNCTION_ENV.suppressionsStream]: 'suppressions',
    }),
  );
});
afterAll(async () => {
  process.env = saved;
  await ddb.stop();
  firehose.restore();
  secrets.restore();
});
beforeEach(() => {
  firehose.reset();
  firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
});

/** Every record Firehose received, per stream, decoded. */
function written(): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const call of firehose.commandCalls(PutRecordBatchCommand)) {
    const { DeliveryStreamName = '', Records = [] } = call.args[0].input;
    const rows = out[DeliveryStreamName] ?? [];
    for (const r of Records) rows.push(JSON.parse(new TextDecoder().decode(r.Data)));
    out[DeliveryStreamName] = rows;
  }
  return out;
}
const rawFirehose = () =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .flatMap((c) => c.args[0].input.Records ?? [])
    .map((r) => new TextDecoder().decode(r.Data))
    .join('\n');

const claim = async (customerId: string, channel: 'email' | 'sms'): Promise<ClaimResult> => {
  const req: ClaimRequest = {
    wave: 'later/w',
    sendId: `later/w/${customerId}`,
    customerId,
    priority: 50,
    channel,
    category: 'transactional',
    at: new Date('2026-11-12T00:00:00Z'),
    caps: [],
  };
  return (await contacts.apply([claimChange(req)]))[0] as ClaimResult;
};

// As EventBridge delivers an SES configuration-set event, and the rule puts it on the events queue.
const sesEvent = (customer: string, eventType: string, extra: Record<string, unknown>) => ({
  version: '0',
  id: `eb-${customer}-${eventType}`,
  'detail-type': `Email ${eventType}`,
  source: 'aws.ses',
  detail: {
    eventType,
    mail: {
      messageId: `0100018c-${customer}`,
      timestamp: '2026-11-11T06:00:00.000Z',
      destination: [`${customer}@example.com`],
      tags: { campaign: ['d11'], wave: ['afternoon'], send: [`d11_afternoon_${customer}`] },
    },
    ...extra,
  },
});
const sqsEvent = (bodies: string[]) => ({
  Records: bodies.map((body, i) => ({
    messageId: `m${i}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
  })),
});

describe('the ingest-events handler', () => {
  it('writes SES events from the queue, suppresses a hard bounce at once, and counts what it rejects', async () => {
    const out = await ingest(
      sqsEvent([
        JSON.stringify(sesEvent('c1', 'Delivery', { delivery: { timestamp: '2026-11-11T06:00:02.000Z' } })),
        JSON.stringify(
          sesEvent('c2', 'Bounce', {
            bounce: { bounceType: 'Permanent', timestamp: '2026-11-11T06:00:03.000Z' },
          }),
        ),
        'not json at all',
        JSON.stringify({ ...sesEvent('c3', 'Open', {}), detail: { eventType: 'Open' } }),
      ]),
    );
    // Rejected records never fail the batch.
    expect(out).toEqual({ batchItemFailures: [] });
    const streams = written();
    expect(streams.events?.map((e) => [e.event_type, e.send_id, e.message_id, e.source, e.dt])).toEqual([
      ['delivered', 'd11/afternoon/c1', '0100018c-c1', 'ses', '2026-11-11'],
      ['bounced', 'd11/afternoon/c2', '0100018c-c2', 'ses', '2026-11-11'],
    ]);
    expect(streams.suppressions).toEqual([
      { customer_id: 'c2', channel: 'email', reason: 'bounced', created_at: '2026-11-11 06:00:03.000' },
    ]);
    expect(rawFirehose()).not.toContain('@example.com');
    expect(await claim('c2', 'email')).toEqual({ kind: 'suppressed', reason: 'bounced' });
    expect(await claim('c1', 'email')).toEqual({ kind: 'claimed' });
  });

  it('writes SMS delivery receipts from the SNS delivery-status logs, never the phone number', async () => {
    const receipt = (id: string, status: string) =>
      JSON.stringify({
        notification: { messageId: id, timestamp: '2026-11-11 00:00:05.123' },
        delivery: { destination: '+8613800000007', providerResponse: 'Message has been accepted by phone' },
        status,
      });
    const payload = {
      messageType: 'DATA_MESSAGE',
      logGroup: 'sns/cn-north-1/123456789012/DirectPublishToPhoneNumber',
      logEvents: [
        { id: '1', timestamp: 1, message: receipt('sns-1', 'SUCCESS') },
        { id: '2', timestamp: 2, message: receipt('sns-2', 'FAILURE') },
      ],
    };
    await ingest({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } });
    expect(written().events?.map((e) => [e.event_type, e.message_id, e.channel, e.source])).toEqual([
      ['delivered', 'sns-1', 'sms', 'sms-receipt'],
      ['sms-failed', 'sns-2', 'sms', 'sms-receipt'],
    ]);
    expect(rawFirehose()).not.toContain('13800000007');
  });

  it('refuses an event that is neither', async () => {
    await expect(ingest({ hello: 'world' })).rejects.toThrow(/not an SQS batch/);
    expect(firehose).not.toHaveReceivedCommand(PutRecordBatchCommand);
  });
});

describe('the links handler (click redirect and one-click unsubscribe)', () => {
  const NOW = new Date();
  const issuer = new LinkIssuer(SECRET, 'https://s.example.cn');
  const email = issuer.issue('d11/afternoon/c7', 'https://shop.example/d11', NOW, 'email');
  const sms = issuer.issue('d11/cashback/c8', 'https://shop.example/d11', NOW, 'sms', [
    { sku: 'coat-2026A-07', url: 'https://shop.example/coat' },
    { sku: '羽绒服:2026W-03', url: 'https://shop.example/item?id=羽绒服' },
  ]);
  const code = (url: string) => url.slice('https://s.example.cn/'.length);
  const request = (method: string, c: string) => ({
    version: '2.0',
    routeKey: `${method} /{code}`,
    rawPath: `/${c}`,
    requestContext: { http: { method, path: `/${c}` } },
    pathParameters: { code: c },
  });

  beforeAll(async () => {
    const store = new DynamoDbLinkStore({ client: ddb.client, tableName: 'links' });
    await store.put([...email.records, ...sms.records]);
  });

  it('redirects a click to the landing page and records it, with the link’s channel', async () => {
    const res = await links(request('GET', code(sms.click)));
    expect(res.statusCode).toBe(302);
    expect(res.headers?.location).toBe('https://shop.example/d11');
    expect(written().events?.map((e) => [e.event_type, e.send_id, e.channel, e.source, e.sku])).toEqual([
      ['clicked', 'd11/cashback/c8', 'sms', 'link', null],
    ]);
  });

  it('redirects a product link to its page and records the click with its sku', async () => {
    const down = sms.products.find((p) => p.sku === '羽绒服:2026W-03');
    const res = await links(request('GET', code(down?.url ?? '')));
    expect(res.statusCode).toBe(302);
    expect(res.headers?.location).toBe('https://shop.example/item?id=羽绒服');
    const [event] = written().events ?? [];
    expect([event?.event_type, event?.send_id, event?.sku, event?.detail]).toEqual([
      'clicked',
      'd11/cashback/c8',
      '羽绒服:2026W-03',
      'https://shop.example/item?id=羽绒服',
    ]);
  });

  it('asks before unsubscribing on GET, unsubscribes on POST (the one-click header’s method), at once', async () => {
    const page = await links(request('GET', code(email.unsubscribe)));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(firehose).not.toHaveReceivedCommand(PutRecordBatchCommand);

    const done = await links(request('POST', code(email.unsubscribe)));
    expect(done.statusCode).toBe(200);
    expect(written().suppressions).toEqual([
      { customer_id: 'c7', channel: 'email', reason: 'opt-out', created_at: expect.any(String) },
    ]);
    expect(await claim('c7', 'email')).toEqual({ kind: 'suppressed', reason: 'opt-out' });
    expect(await claim('c7', 'sms')).toEqual({ kind: 'claimed' });
  });

  it('refuses tampered, unknown and wrong-method links alike, revealing nothing', async () => {
    const real = code(sms.click);
    const tampered = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
    const answers = await Promise.all([
      links(request('GET', tampered)),
      links(request('GET', 'short')),
      links(request('POST', real)),
      links(request('DELETE', real)),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toMatch(/c8|d11|cashback|shop\.example/);
    }
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(firehose).not.toHaveReceivedCommand(PutRecordBatchCommand);
  });

  it('still redirects when the click cannot be recorded, but never claims an unsubscribe it did not record', async () => {
    firehose.reset();
    firehose.on(PutRecordBatchCommand).rejects(new Error('ServiceUnavailable'));
    const click = await links(request('GET', code(email.click)));
    expect(click.statusCode).toBe(302);
    await expect(links(request('POST', code(email.unsubscribe)))).rejects.toThrow(/ServiceUnavailable/);
  });
});
