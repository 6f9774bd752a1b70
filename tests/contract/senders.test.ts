import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import sesLocalModule from 'aws-ses-v2-local';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { S3CallList } from '../../shared/delivery/senders/aws/s3-call-list.ts';
import { SesEmailSender } from '../../shared/delivery/senders/aws/ses-email-sender.ts';
import { SnsSmsSender } from '../../shared/delivery/senders/aws/sns-sms-sender.ts';
import type { CallListEntry, CallListWriter } from '../../shared/delivery/senders/call-list-writer.ts';
import type { EmailMessage, EmailSender } from '../../shared/delivery/senders/email-sender.ts';
import { CsvCallList } from '../../shared/delivery/senders/local/call-list-csv.ts';
import { OutboxEmailSender, OutboxSmsSender } from '../../shared/delivery/senders/local/outbox.ts';
import type { SendResult } from '../../shared/delivery/senders/send-result.ts';
import type { SmsMessage, SmsSender } from '../../shared/delivery/senders/sms-sender.ts';
import { ENTRY } from '../helpers/call-list-entry.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';

/**
 * The senders' promises (email-sender.ts, sms-sender.ts, call-list-writer.ts): one result per message, in
 * the order given; never a throw for one message's failure — that message is `failed`, retryable when
 * trying later may succeed (throttled, unavailable) and not when it cannot (refused). The local outbox
 * never refuses a message, so the failure tests run for the adapters that can be made to fail one.
 */
const NOW = new Date('2026-11-10T16:00:00Z');
const startSesLocal = ((sesLocalModule as unknown as { default?: unknown }).default ??
  sesLocalModule) as typeof sesLocalModule.default;

/** How an adapter can be made to fail one message: the message turned into one it refuses, or throttles. */
interface Failing<M> {
  refused?: (m: M) => M;
  throttled?: (m: M) => M;
}

/** One message as the provider (or the outbox) received it. */
interface Received {
  messageId: string;
  to: string;
  content: string;
}

type Sender<P, M> = Made<P> & { received: () => Promise<Received[]>; failing: Failing<M> };

const outboxDir = () => mkdtempSync(join(tmpdir(), 'senders-'));
const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);

/** Each result is the message at its index: sent, with a message id under which that very message arrived. */
async function expectInOrder(
  results: SendResult[],
  expected: ({ to: string; content: string } | { failed: boolean })[],
  received: Received[],
) {
  expect(results).toHaveLength(expected.length);
  const sentIds = results.flatMap((r) => (r.kind === 'sent' ? [r.messageId] : []));
  expect(new Set(sentIds).size).toBe(sentIds.length);
  results.forEach((r, i) => {
    const want = expected[i];
    if (!want || 'failed' in want) return;
    expect(r.kind, `message ${i}`).toBe('sent');
    const got = received.filter((x) => r.kind === 'sent' && x.messageId === r.messageId);
    expect(
      got.map(({ to, content }) => ({ to, content })),
      `message ${i}`,
    ).toEqual([want]);
  });
}

// Email: the outbox and SES v2 on aws-ses-v2-local.

const emailAdapters: ContractAdapter<Sender<EmailSender, EmailMessage>>[] = [
  {
    name: 'outbox (.eml files)',
    make: async () => {
      const dir = outboxDir();
      return {
        port: new OutboxEmailSender(dir, new ManualClock(NOW)),
        received: async () =>
          jsonLines(join(dir, 'email', 'index.jsonl')).map((l) => ({
            messageId: l.messageId ?? '',
            to: l.to ?? '',
            content: l.subject ?? '',
          })),
        failing: {},
        stop: async () => {},
      };
    },
  },
  {
    name: 'SES v2 (aws-ses-v2-local)',
    make: async () => {
      const server = await startSesLocal({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new SESv2Client({
        endpoint: base,
        region: 'cn-north-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      return {
        port: new SesEmailSender({ client }),
        received: async () => {
          const store = (await (await fetch(`${base}/store`)).json()) as {
            emails: { messageId: string; subject: string; destination: { to: string[] } }[];
          };
          return store.emails.map((e) => ({
            messageId: e.messageId,
            to: e.destination.to.join(','),
            content: e.subject,
          }));
        },
        // SES tags name the send; a campaign id that is no tag value cannot be, so SES is not asked.
        failing: { refused: (m) => ({ ...m, tags: { ...m.tags, campaign: '双11' } }) },
        stop: async () => {
          client.destroy();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  },
];

const email = (test: string, i: number): EmailMessage => ({
  sendId: `${test}/w1/c${i}`,
  to: `c${i}.${test}@example.com`,
  from: '优品小店 <crm@shop.example.com>',
  subject: `双11 ${test} for c${i}`,
  html: `<p>hello c${i}</p>`,
  text: `hello c${i}`,
  headers: { 'List-Unsubscribe': `<https://s.example.cn/u/${i}>` },
  configurationSet: 'campaign-events',
  tags: { campaign: test, wave: 'w1', send: `${test}/w1/c${i}` },
});
const emailWant = (m: EmailMessage) => ({ to: m.to, content: m.subject });

contractSuite('email sender', emailAdapters, (made) => {
  it('answers one result per message, in the order given, each naming the message that went out', async () => {
    const messages = Array.from({ length: 6 }, (_, i) => email('order', i));
    const results = await made().port.send(messages);
    await expectInOrder(results, messages.map(emailWant), await made().received());
  });

  it('answers nothing for no messages', async () => {
    expect(await made().port.send([])).toEqual([]);
  });

  it('fails a message it refuses, not retryable, without throwing, and sends the others in order', async (ctx) => {
    const refused = made().failing.refused;
    if (!refused) return ctx.skip('this adapter refuses no message');
    const messages = [email('refused', 1), refused(email('refused', 2)), email('refused', 3)];
    const results = await made().port.send(messages);
    expect(results[1]).toEqual({ kind: 'failed', error: expect.any(String), retryable: false });
    await expectInOrder(
      results,
      [emailWant(messages[0] as EmailMessage), { failed: true }, emailWant(messages[2] as EmailMessage)],
      await made().received(),
    );
  });
});

// SMS: the outbox and SNS (no SNS implementation runs here: aws-sdk-client-mock, exact requests).

const REFUSED_PHONE = '+8613800009990';
const THROTTLED_PHONE = '+8613800009991';

const smsAdapters: ContractAdapter<Sender<SmsSender, SmsMessage>>[] = [
  {
    name: 'outbox (sms.jsonl)',
    make: async () => {
      const dir = outboxDir();
      return {
        port: new OutboxSmsSender(dir, new ManualClock(NOW)),
        received: async () =>
          jsonLines(join(dir, 'sms.jsonl')).map((l) => ({
            messageId: l.messageId ?? '',
            to: l.phone ?? '',
            content: l.text ?? '',
          })),
        failing: {},
        stop: async () => {},
      };
    },
  },
  {
    name: 'SNS (aws-sdk-client-mock: exact requests)',
    make: async () => {
      const sns = mockClient(SNSClient);
      const accepted: Received[] = [];
      sns.on(PublishCommand).callsFake(async (input: PublishCommandInput) => {
        // Answered out of order, as parallel publishes are.
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        if (input.PhoneNumber === REFUSED_PHONE)
          throw Object.assign(new Error('Invalid parameter: PhoneNumber'), {
            name: 'InvalidParameterException',
          });
        if (input.PhoneNumber === THROTTLED_PHONE)
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
        const messageId = `sns-${accepted.length + 1}`;
        accepted.push({ messageId, to: input.PhoneNumber ?? '', content: input.Message ?? '' });
        return { MessageId: messageId };
      });
      return {
        port: new SnsSmsSender({
          client: new SNSClient({ region: 'ap-southeast-1' }),
          maxAttempts: 2,
          sleep: async () => {},
        }),
        received: async () => {
          for (const call of sns.calls()) {
            expect(call.args[0]).toBeInstanceOf(PublishCommand);
            const input = call.args[0].input as PublishCommandInput;
            expect(input).toEqual({
              PhoneNumber: expect.stringMatching(/^\+\d{8,15}$/),
              Message: expect.any(String),
              MessageAttributes: {
                'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' },
                'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'YOUPIN' },
              },
            });
          }
          return accepted;
        },
        failing: {
          refused: (m) => ({ ...m, phone: REFUSED_PHONE }),
          throttled: (m) => ({ ...m, phone: THROTTLED_PHONE }),
        },
        stop: async () => sns.restore(),
      };
    },
  },
];

const sms = (test: string, i: number): SmsMessage => ({
  sendId: `${test}/w1/c${i}`,
  phone: `+86138${String(test.length * 1000 + i).padStart(8, '0')}`,
  text: `【小店】${test} 双11快乐 c${i} 回T退订`,
  senderId: 'YOUPIN',
  messageType: 'Promotional',
  tags: { campaign: test, wave: 'w1', send: `${test}/w1/c${i}` },
});
const smsWant = (m: SmsMessage) => ({ to: m.phone, content: m.text });

contractSuite('SMS sender', smsAdapters, (made) => {
  it('answers one result per message, in the order given, each naming the message that went out', async () => {
    const messages = Array.from({ length: 12 }, (_, i) => sms('order', i));
    const results = await made().port.send(messages);
    await expectInOrder(results, messages.map(smsWant), await made().received());
  });

  it('answers nothing for no messages', async () => {
    expect(await made().port.send([])).toEqual([]);
  });

  it('fails a refused message as not retryable and a throttled one as retryable, without throwing, and sends the others in order', async (ctx) => {
    const { refused, throttled } = made().failing;
    if (!refused || !throttled) return ctx.skip('this adapter neither refuses nor throttles a message');
    const messages = [sms('fail', 1), refused(sms('fail', 2)), sms('fail', 3), throttled(sms('fail', 4))];
    const results = await made().port.send(messages);
    expect(results[1]).toEqual({ kind: 'failed', error: expect.any(String), retryable: false });
    expect(results[3]).toEqual({ kind: 'failed', error: expect.any(String), retryable: true });
    await expectInOrder(
      results,
      [
        smsWant(messages[0] as SmsMessage),
        { failed: true },
        smsWant(messages[2] as SmsMessage),
        { failed: true },
      ],
      await made().received(),
    );
  });
});

// Call list: a CSV sheet per wave in the outbox, and sheets in S3 (aws-sdk-client-mock, exact requests).

/** A row of the list staff read: the send it is for and the phone as they see it. */
interface StaffRow {
  sendId: string;
  phone: string;
}
const sheetRows = (csv: string): StaffRow[] =>
  (parse(csv, { bom: true, columns: true }) as Record<string, string>[]).map((r) => ({
    sendId: r.发送编号 ?? '',
    phone: r.手机 ?? '',
  }));

type CallList = Made<CallListWriter> & {
  staffRows: () => Promise<StaffRow[]>;
  failing: { unavailable?: string };
};

const callListAdapters: ContractAdapter<CallList>[] = [
  {
    name: 'CSV in the outbox',
    make: async () => {
      const dir = outboxDir();
      return {
        port: new CsvCallList(dir),
        staffRows: async () => {
          const sheets = join(dir, 'call-list');
          return readdirSync(sheets)
            .filter((f) => f.endsWith('.csv'))
            .flatMap((f) => sheetRows(readFileSync(join(sheets, f), 'utf8')));
        },
        failing: {},
        stop: async () => {},
      };
    },
  },
  {
    name: 'S3 (aws-sdk-client-mock: exact requests)',
    make: async () => {
      const s3 = mockClient(S3Client);
      s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
        if (String(input.Key).includes('/unavailable/'))
          throw Object.assign(new Error('slow down'), { name: 'SlowDown' });
        return {};
      });
      return {
        port: new S3CallList({ client: new S3Client({ region: 'cn-north-1' }), bucket: 'lake-bucket' }),
        staffRows: async () => {
          const inputs = s3.calls().map((c) => {
            expect(c.args[0]).toBeInstanceOf(PutObjectCommand);
            return c.args[0].input as PutObjectCommandInput;
          });
          for (const input of inputs)
            expect(input).toEqual({
              Bucket: 'lake-bucket',
              Key: expect.stringMatching(/^call-list(-dial)?\/[^/]+\/[^/]+\/[0-9a-f]{16}\.csv$/),
              Body: expect.any(String),
              ContentType: 'text/csv; charset=utf-8',
            });
          return inputs
            .filter((i) => String(i.Key).startsWith('call-list/') && !String(i.Key).includes('/unavailable/'))
            .flatMap((i) => sheetRows(String(i.Body)));
        },
        failing: { unavailable: 'unavailable' },
        stop: async () => s3.restore(),
      };
    },
  },
];

const entry = (waveId: string, i: number): CallListEntry => ({
  ...ENTRY,
  sendId: `d11/${waveId}/c${i}`,
  waveId,
  customerId: `c${i}`,
  phone: `+86139${String(i).padStart(8, '0')}`,
});

contractSuite('call list writer', callListAdapters, (made) => {
  it('lists every entry once, its phone masked, and answers one sent result per entry', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => entry('vip', i));
    const results = await made().port.add(entries);
    expect(results).toEqual(entries.map(() => ({ kind: 'sent', messageId: expect.any(String) })));
    const rows = (await made().staffRows()).filter((r) => r.sendId.startsWith('d11/vip/'));
    expect(rows.sort((a, b) => a.sendId.localeCompare(b.sendId))).toEqual(
      entries.map((e, i) => ({ sendId: e.sendId, phone: `(+86) 139****000${i}` })),
    );
  });

  it('answers nothing for no entries', async () => {
    expect(await made().port.add([])).toEqual([]);
  });

  it('fails every entry of a list it cannot write as retryable, without throwing', async (ctx) => {
    const wave = made().failing.unavailable;
    if (!wave) return ctx.skip('this adapter has no store that can be unavailable here');
    const entries = [entry(wave, 1), entry(wave, 2)];
    expect(await made().port.add(entries)).toEqual(
      entries.map(() => ({ kind: 'failed', error: expect.any(String), retryable: true })),
    );
    expect((await made().staffRows()).filter((r) => r.sendId.includes(`/${wave}/`))).toEqual([]);
  });
});
