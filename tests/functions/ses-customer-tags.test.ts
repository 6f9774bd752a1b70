import type { AddressInfo } from 'node:net';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import sesLocalModule from 'aws-ses-v2-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingestHandler } from '../../functions/ingest-events/handler.ts';
import { DynamoDbContactStore } from '../../shared/delivery/contact-policy/aws/dynamodb-contact-store.ts';
import { sendIdOf } from '../../shared/delivery/ledger/ledger.ts';
import { SesEmailSender } from '../../shared/delivery/senders/aws/ses-email-sender.ts';
import type { EmailMessage } from '../../shared/delivery/senders/email-sender.ts';
import type { SendResult } from '../../shared/delivery/senders/send-result.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';
import { laterClaim, RESPONSE_WRITER_ENV } from './response-writer.ts';

/**
 * End to end: customer ids the order-events import accepts (`:`, `/`, Chinese, `_`) are sent through the
 * SES v2 API (aws-ses-v2-local), their bounce and complaint come back as SES publishes them to EventBridge
 * with the tags of the request that went out, and ingest-events suppresses exactly those customers.
 */
const startSesLocal = ((sesLocalModule as unknown as { default?: unknown }).default ??
  sesLocalModule) as typeof sesLocalModule.default;
const ingest = invoke(ingestHandler);
const firehose = mockClient(FirehoseClient);

// The SES API's rule for tag names and values (aws-ses-v2-local does not check it):
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html
const SES_TAG = /^[A-Za-z0-9_-]{1,256}$/;
const CAMPAIGN = 'd11';
const WAVE = 'afternoon';
const BOUNCED = 'vip:2025/001';
const COMPLAINED = '会员/张伟:上海';
const UNDERSCORED = 'shop_7';
/** A different customer whose id is what the old tag encoding made of BOUNCED. */
const LOOKALIKE = 'vip_2025_001';

let ddb: Awaited<ReturnType<typeof startDynalite>>;
let ses: Awaited<ReturnType<typeof startSesLocal>>;
let client: SESv2Client;
let contacts: DynamoDbContactStore;
/** The EmailTags of every SendEmail request body that reached the SES endpoint. */
const wire: { Name: string; Value: string }[][] = [];
const saved = { ...process.env };

beforeAll(async () => {
  ddb = await startDynalite('contacts');
  contacts = new DynamoDbContactStore({ client: ddb.client, tableName: 'contacts' });
  ses = await startSesLocal({ host: '127.0.0.1', port: 0 });
  client = new SESv2Client({
    endpoint: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      // The serialized request body: a string, or UTF-8 bytes in newer SDKs.
      const body = (args.request as { body?: unknown }).body;
      const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body);
      wire.push((JSON.parse(text) as { EmailTags?: [] }).EmailTags ?? []);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordWireTags' },
  );
  firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
  Object.assign(process.env, handlerTestEnv(ddb.endpoint, RESPONSE_WRITER_ENV));
});
afterAll(async () => {
  process.env = saved;
  firehose.restore();
  client.destroy();
  await ddb.stop();
  await new Promise<void>((resolve) => ses.close(() => resolve()));
});

const message = (customerId: string): EmailMessage => ({
  sendId: sendIdOf(CAMPAIGN, WAVE, customerId),
  to: 'customer@example.com',
  from: 'shop <crm@shop.example.com>',
  subject: '双11',
  html: '<p>hello</p>',
  headers: {},
  configurationSet: 'campaign-events',
  tags: { campaign: CAMPAIGN, wave: WAVE, send: sendIdOf(CAMPAIGN, WAVE, customerId) },
});

/** An SES event as the configuration set publishes it to EventBridge, carrying the request's tags. */
const sesEvent = (
  sent: SendResult,
  tags: { Name: string; Value: string }[],
  eventType: 'Bounce' | 'Complaint',
) => ({
  version: '0',
  id: `eb-${eventType}-${sent.kind === 'sent' ? sent.messageId : ''}`,
  'detail-type': eventType === 'Bounce' ? 'Email Bounced' : 'Email Complaint Received',
  source: 'aws.ses',
  account: '123456789012',
  time: '2026-11-11T06:00:03Z',
  region: 'cn-north-1',
  resources: [],
  detail: {
    eventType,
    mail: {
      timestamp: '2026-11-11T06:00:00.000Z',
      source: 'crm@shop.example.com',
      sendingAccountId: '123456789012',
      messageId: sent.kind === 'sent' ? sent.messageId : '',
      destination: ['customer@example.com'],
      headersTruncated: false,
      tags: {
        'ses:configuration-set': ['campaign-events'],
        'ses:source-ip': ['192.0.2.0'],
        'ses:from-domain': ['shop.example.com'],
        'ses:caller-identity': ['send-batches'],
        ...Object.fromEntries(tags.map((t) => [t.Name, [t.Value]])),
      },
    },
    ...(eventType === 'Bounce'
      ? {
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: 'customer@example.com', status: '5.1.1' }],
            timestamp: '2026-11-11T06:00:03.000Z',
            feedbackId: '0100018c-feedback',
          },
        }
      : {
          complaint: {
            complainedRecipients: [{ emailAddress: 'customer@example.com' }],
            timestamp: '2026-11-11T06:10:00.000Z',
            feedbackId: '0100018c-feedback',
            complaintFeedbackType: 'abuse',
          },
        }),
  },
});

const claim = (customerId: string) =>
  laterClaim(contacts, customerId, 'email', new Date('2026-11-12T00:00:00Z'));

describe('SES tags name the customer exactly, through SES and back', () => {
  it('a hard bounce and a complaint for ids with `:`, `/`, Chinese and `_` suppress exactly those customers', async () => {
    const ids = [BOUNCED, COMPLAINED, UNDERSCORED];
    const results = await new SesEmailSender({ client }).send(ids.map(message));
    expect(results.map((r) => r.kind)).toEqual(['sent', 'sent', 'sent']);
    expect(wire).toHaveLength(3);
    for (const tags of wire)
      for (const t of tags) {
        expect(t.Name, JSON.stringify(t)).toMatch(SES_TAG);
        expect(t.Value, JSON.stringify(t)).toMatch(SES_TAG);
      }

    const events = ids.map((_, i) =>
      sesEvent(results[i] as SendResult, wire[i] ?? [], i === 1 ? 'Complaint' : 'Bounce'),
    );
    const out = await ingest({
      Records: events.map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })),
    });
    expect(out).toEqual({ batchItemFailures: [] });

    const rows = (stream: string) =>
      firehose
        .commandCalls(PutRecordBatchCommand)
        .filter((c) => c.args[0].input.DeliveryStreamName === stream)
        .flatMap((c) => c.args[0].input.Records ?? [])
        .map((r) => JSON.parse(new TextDecoder().decode(r.Data)) as Record<string, unknown>);
    expect(rows('suppressions').map((r) => [r.customer_id, r.channel, r.reason])).toEqual([
      [BOUNCED, 'email', 'bounced'],
      [COMPLAINED, 'any', 'complained'],
      [UNDERSCORED, 'email', 'bounced'],
    ]);
    expect(rows('events').map((r) => [r.event_type, r.customer_id, r.send_id])).toEqual([
      ['bounced', BOUNCED, `d11/afternoon/${BOUNCED}`],
      ['complained', COMPLAINED, `d11/afternoon/${COMPLAINED}`],
      ['bounced', UNDERSCORED, `d11/afternoon/${UNDERSCORED}`],
    ]);
    // The contact store stops the real customers at once; the look-alike is untouched.
    expect(await claim(BOUNCED)).toEqual({ kind: 'suppressed', reason: 'bounced' });
    expect(await claim(COMPLAINED)).toEqual({ kind: 'suppressed', reason: 'complained' });
    expect(await claim(UNDERSCORED)).toEqual({ kind: 'suppressed', reason: 'bounced' });
    expect(await claim(LOOKALIKE)).toEqual({ kind: 'claimed' });
  });

  it('does not send a message whose send id is too long for the tags: its events could not be matched', async () => {
    const before = wire.length;
    const [result] = await new SesEmailSender({ client }).send([message('长'.repeat(300))]);
    expect(result).toEqual({
      kind: 'failed',
      error: 'not sent: send id is 914 UTF-8 bytes; SES tags carry 768 at most (shorten the customer id)',
      retryable: false,
    });
    expect(wire).toHaveLength(before);
  });
});
