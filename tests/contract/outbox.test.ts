import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import type { EmailMessage } from '../../shared/delivery/senders/email-sender.ts';
import {
  localMessageId,
  OutboxEmailSender,
  OutboxSmsSender,
} from '../../shared/delivery/senders/local/outbox.ts';

let dir: string;
const clock = new ManualClock(new Date('2026-11-10T16:00:00Z'));
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const email: EmailMessage = {
  sendId: 'd11/w1/c1',
  to: 'c1@example.com',
  from: '优品小店 <crm@shop.example.com>',
  replyTo: 'service@shop.example.com',
  subject: '王小明，双11老客返现20元',
  html: '<p>王小明，您好：&lt;b&gt;</p>',
  text: '王小明，您好',
  headers: {
    'List-Unsubscribe': '<https://s.example.cn/u/1>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  tags: { campaign: 'd11', wave: 'w1', send: 'd11/w1/c1' },
};

describe('local outbox', () => {
  it('writes each email as an .eml a mail parser reads back exactly, plus an index line', async () => {
    const results = await new OutboxEmailSender(dir, clock).send([email]);
    expect(results).toEqual([{ kind: 'sent', messageId: localMessageId('d11/w1/c1') }]);
    const parsed = await simpleParser(readFileSync(join(dir, 'email', 'd11_w1_c1.eml')));
    expect(parsed.subject).toBe('王小明，双11老客返现20元');
    expect(parsed.from?.value).toEqual([{ name: '优品小店', address: 'crm@shop.example.com' }]);
    expect(parsed.html).toBe('<p>王小明，您好：&lt;b&gt;</p>');
    expect(parsed.text?.trim()).toBe('王小明，您好');
    expect(parsed.headerLines.filter((h) => h.key.startsWith('list-unsubscribe')).map((h) => h.line)).toEqual(
      ['List-Unsubscribe: <https://s.example.cn/u/1>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'],
    );
    expect(parsed.date?.toISOString()).toBe('2026-11-10T16:00:00.000Z');
    const index = readFileSync(join(dir, 'email', 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(index).toEqual([
      {
        sendId: 'd11/w1/c1',
        messageId: localMessageId('d11/w1/c1'),
        to: 'c1@example.com',
        subject: email.subject,
        file: 'd11_w1_c1.eml',
        at: '2026-11-10T16:00:00.000Z',
      },
    ]);
  });

  it('names each email apart whatever its customer id holds, and short enough for the file system', async () => {
    const own = await mkdtemp(join(tmpdir(), 'outbox-names-'));
    const customers = ["c'q", 'c:q', 'c;q', 'c_q', 'c/q', '客户甲', '客户乙', 'c'.repeat(300)];
    const sendIds = customers.map((c) => `d11/w1/${c}`);
    const results = await new OutboxEmailSender(own, clock).send(
      sendIds.map((sendId) => ({ ...email, sendId, tags: { ...email.tags, send: sendId } })),
    );
    expect(results.map((r) => r.kind)).toEqual(sendIds.map(() => 'sent'));
    const index = readFileSync(join(own, 'email', 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sendId: string; file: string });
    expect(index.map((l) => l.sendId)).toEqual(sendIds);
    expect(new Set(index.map((l) => l.file)).size).toBe(sendIds.length);
    for (const { file } of index) {
      expect(Buffer.byteLength(file)).toBeLessThanOrEqual(255);
      expect(readdirSync(join(own, 'email'))).toContain(file);
    }
    await rm(own, { recursive: true, force: true });
  });

  it('appends each SMS as a JSON line', async () => {
    const sms = new OutboxSmsSender(dir, clock);
    for (const i of [1, 2]) {
      await sms.send([
        {
          sendId: `d11/w1/c${i}`,
          phone: `+861380000000${i}`,
          text: '【小店】hi 回T退订',
          messageType: 'Promotional',
          tags: { campaign: 'd11', wave: 'w1', send: `d11/w1/c${i}` },
        },
      ]);
    }
    const lines = readFileSync(join(dir, 'sms.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.sendId, l.phone, l.text])).toEqual([
      ['d11/w1/c1', '+8613800000001', '【小店】hi 回T退订'],
      ['d11/w1/c2', '+8613800000002', '【小店】hi 回T退订'],
    ]);
  });

  it('cuts a line a crash left unfinished before appending, so the next message is not glued to it', async () => {
    const own = await mkdtemp(join(tmpdir(), 'outbox-cut-'));
    writeFileSync(
      join(own, 'sms.jsonl'),
      '{"sendId":"d11/w1/c1","phone":"+8613800000001"}\n{"sendId":"d11/w1/c2","pho',
    );
    await new OutboxSmsSender(own, clock).send([
      {
        sendId: 'd11/w1/c3',
        phone: '+8613800000003',
        text: 'hi',
        messageType: 'Promotional',
        tags: email.tags,
      },
    ]);
    const lines = readFileSync(join(own, 'sms.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).sendId)).toEqual(['d11/w1/c1', 'd11/w1/c3']);
    await rm(own, { recursive: true, force: true });
  });
});
