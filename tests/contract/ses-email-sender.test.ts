import type { AddressInfo } from 'node:net';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import sesLocalModule from 'aws-ses-v2-local';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../shared/delivery/senders/aws/ses-email-sender.ts';
import type { EmailMessage } from '../../shared/delivery/senders/email-sender.ts';

/** The package is CommonJS with `exports.default`; Node and Vite disagree on which one a default import is. */
const startSesLocal = ((sesLocalModule as unknown as { default?: unknown }).default ??
  sesLocalModule) as typeof sesLocalModule.default;

const message = (i: number): EmailMessage => ({
  sendId: `d11/w1/c${i}`,
  to: `c${i}@example.com`,
  from: 'shop <crm@shop.example.com>',
  replyTo: 'service@shop.example.com',
  subject: `双11 for c${i}`,
  html: `<p>hello c${i}</p>`,
  text: `hello c${i}`,
  headers: {
    'List-Unsubscribe': `<https://s.example.cn/u/${i}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  configurationSet: 'campaign-events',
  tags: { campaign: 'd11', wave: 'w1', send: `d11/w1/c${i}` },
});

describe('SES email sender against aws-ses-v2-local (the SES v2 HTTP API)', () => {
  let server: Awaited<ReturnType<typeof startSesLocal>>;
  let base: string;
  beforeAll(async () => {
    server = await startSesLocal({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends each message with its subject, bodies and one-click unsubscribe headers', async () => {
    const client = new SESv2Client({
      endpoint: base,
      region: 'cn-north-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const results = await new SesEmailSender({ client }).send([message(1), message(2)]);
    expect(results.map((r) => r.kind)).toEqual(['sent', 'sent']);
    const store = (await (await fetch(`${base}/store`)).json()) as {
      emails: {
        messageId: string;
        subject: string;
        destination: { to: string[] };
        headers?: { name: string; value: string }[];
      }[];
    };
    const sent = store.emails.filter((e) =>
      results.some((r) => r.kind === 'sent' && r.messageId === e.messageId),
    );
    expect(sent.map((e) => [e.destination.to, e.subject])).toEqual([
      [['c1@example.com'], '双11 for c1'],
      [['c2@example.com'], '双11 for c2'],
    ]);
    expect(sent[0]?.headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://s.example.cn/u/1>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });
});

describe('SES email sender under throttling and rejection (aws-sdk-client-mock: the local server cannot throttle)', () => {
  // mockClient patches every SESv2Client, so it is installed only for these tests.
  let ses: ReturnType<typeof mockClient>;
  beforeAll(() => {
    ses = mockClient(SESv2Client);
  });
  afterAll(() => {
    ses.restore();
  });
  const throttled = () =>
    Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });

  it('retries throttled sends with backoff, then succeeds with the exact same request', async () => {
    ses.reset();
    ses.on(SendEmailCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MessageId: 'm-1' });
    const sleeps: number[] = [];
    const sender = new SesEmailSender({
      client: new SESv2Client({ region: 'cn-north-1' }),
      baseDelayMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await sender.send([message(1)])).toEqual([{ kind: 'sent', messageId: 'm-1' }]);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 3);
    expect(ses).toHaveReceivedNthCommandWith(SendEmailCommand, 3, {
      FromEmailAddress: 'shop <crm@shop.example.com>',
      Destination: { ToAddresses: ['c1@example.com'] },
      ReplyToAddresses: ['service@shop.example.com'],
      ConfigurationSetName: 'campaign-events',
      EmailTags: [
        { Name: 'campaign', Value: 'd11' },
        { Name: 'wave', Value: 'w1' },
        // base64url of the send id d11/w1/c1: SES tag values allow only letters, digits, _ and -.
        { Name: 'send-id', Value: 'ZDExL3cxL2Mx' },
      ],
    });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThan(100);
    expect(sleeps[1]).toBeLessThan(200);
  });

  it('uses the deployment’s configuration set when the campaign names none', async () => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    const sender = new SesEmailSender({
      client: new SESv2Client({ region: 'cn-north-1' }),
      defaultConfigurationSet: 'stack-events',
    });
    await sender.send([{ ...message(2), configurationSet: undefined }, message(3)]);
    const sets = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.ConfigurationSetName);
    expect(sets).toEqual(['stack-events', 'campaign-events']);
  });

  it('reports a message still throttled after every attempt as a retryable failure, and a rejection as permanent', async () => {
    ses.reset();
    ses.on(SendEmailCommand, { Destination: { ToAddresses: ['c1@example.com'] } }).rejects(throttled());
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: ['c2@example.com'] } })
      .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const sender = new SesEmailSender({
      client: new SESv2Client({ region: 'cn-north-1' }),
      maxAttempts: 3,
      sleep: async () => {},
    });
    expect(await sender.send([message(1), message(2)])).toEqual([
      { kind: 'failed', error: 'TooManyRequestsException after 3 attempts', retryable: true },
      { kind: 'failed', error: 'MessageRejected: Email address is not verified.', retryable: false },
    ]);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 4);
  });
});
