import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimChange } from '../../shared/delivery/contact-policy/claim.ts';
import { JournalContactStore } from '../../shared/delivery/contact-policy/local/journal-contact-store.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { sql } from '../../shared/lake/sql.ts';
import { EVENTS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import { ingestEvents, type ResponseInput } from '../../shared/responses/ingest-events.ts';

// Shaped like what an SES configuration set publishes (and EventBridge wraps in `detail`).
const mail = (customer: string) => ({
  messageId: `0100018c-${customer}`,
  timestamp: '2026-11-11T06:00:00.000Z',
  source: 'crm@youpin.example.com',
  destination: [`${customer}@example.com`],
  tags: {
    campaign: ['double-11-2026'],
    wave: ['d11-afternoon'],
    send: [`double-11-2026_d11-afternoon_${customer}`],
  },
});
const ses = (record: unknown): ResponseInput => ({ source: 'ses', record });

const inputs: ResponseInput[] = [
  ses({
    eventType: 'Delivery',
    mail: mail('c1'),
    delivery: { timestamp: '2026-11-11T06:00:02.000Z', recipients: ['c1@example.com'] },
  }),
  ses({
    detail: {
      eventType: 'Open',
      mail: mail('c1'),
      open: { timestamp: '2026-11-11T07:30:00.000Z', ipAddress: '1.2.3.4' },
    },
  }),
  ses({
    eventType: 'Click',
    mail: mail('c1'),
    click: { timestamp: '2026-11-11T07:31:00.000Z', link: 'https://s.example.cn/Ab3dEf6hJk' },
  }),
  ses({
    eventType: 'Bounce',
    mail: mail('c2'),
    bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2026-11-11T06:00:03.000Z' },
  }),
  ses({
    eventType: 'Bounce',
    mail: mail('c3'),
    bounce: { bounceType: 'Transient', timestamp: '2026-11-11T06:00:03.000Z' },
  }),
  ses({ eventType: 'Complaint', mail: mail('c4'), complaint: { timestamp: '2026-11-11T09:00:00.000Z' } }),
  ses({
    eventType: 'Subscription',
    mail: mail('c5'),
    subscription: { timestamp: '2026-11-11T09:10:00.000Z', newTopicPreferences: { unsubscribeAll: true } },
  }),
  {
    source: 'sms-receipt',
    record: {
      notification: { messageId: 'sns-77', timestamp: '2026-11-11 00:00:05.123' },
      delivery: { destination: '+8613800000007', providerResponse: 'Message has been accepted by phone' },
      status: 'SUCCESS',
    },
  },
  {
    source: 'link',
    record: {
      kind: 'click',
      channel: 'sms',
      sendId: 'double-11-2026/d11-cashback/c6',
      at: '2026-11-11T08:00:00.000Z',
      target: 'https://youpin.example.com/d11',
    },
  },
  {
    source: 'link',
    record: {
      kind: 'unsubscribe',
      sendId: 'double-11-2026/d11-afternoon/c7',
      at: '2026-11-11T10:00:00.000Z',
    },
  },
  // Bad input: rejected with its reason, counted, and the batch goes on.
  ses({
    eventType: 'Open',
    mail: { messageId: 'x', timestamp: '2026-11-11T06:00:00Z' },
    open: { timestamp: '2026-11-11T06:00:00Z' },
  }),
  ses({ eventType: 'Teleport', mail: mail('c8') }),
  ses('not an object'),
  { source: 'link', record: { kind: 'click', sendId: 'no-slashes', at: 'yesterday' } },
];

describe('ingesting response events', () => {
  it('normalizes SES events, SMS receipts and our link events into the events table, rejecting bad ones with reasons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'events-'));
    const contacts = new JournalContactStore(join(dir, 'contacts'));
    const events = new StagedParquetWriter(dir, EVENTS);
    const suppressions = new StagedParquetWriter(dir, SUPPRESSIONS);
    const report = await ingestEvents({ events, suppressions, contacts }, inputs);
    expect(report.received).toBe(inputs.length);
    expect(report.accepted).toBe(10);
    expect(Object.values(report.rejected).reduce((a, b) => a + b, 0)).toBe(4);
    expect(Object.keys(report.rejected).sort()).toEqual([
      'link: sendId: Invalid string: must match pattern /^[^/]+\\/[^/]+\\/.+$/; at: Invalid ISO datetime',
      'ses: (record): Invalid input: expected object, received string',
      'ses: eventType: Invalid option: expected one of "Send"|"Delivery"|"Bounce"|"Complaint"|"Open"|"Click"|"Reject"|"Rendering Failure"|"DeliveryDelay"|"Subscription"',
      'ses: no campaign/wave/send-id tags: not one of our sends',
    ]);
    expect(report.suppressed).toBe(4);

    await events.flush();
    await suppressions.flush();
    const wh = await DuckDbWarehouse.open(dir);
    const rows = (
      await wh.query(
        sql`SELECT event_type, customer_id, send_id, message_id, detail, source, dt FROM events ORDER BY occurred_at, event_type`,
      )
    ).rows;
    expect(rows.map((r) => [r.event_type, r.customer_id, r.source])).toEqual([
      ['delivered', null, 'sms-receipt'],
      ['delivered', 'c1', 'ses'],
      ['bounced', 'c2', 'ses'],
      ['bounced', 'c3', 'ses'],
      ['opened', 'c1', 'ses'],
      ['clicked', 'c1', 'ses'],
      ['clicked', 'c6', 'link'],
      ['complained', 'c4', 'ses'],
      ['unsubscribed', 'c5', 'ses'],
      ['unsubscribed', 'c7', 'link'],
    ]);
    const channels = await wh.query(
      sql`SELECT customer_id, channel FROM events WHERE source = 'link' ORDER BY customer_id`,
    );
    // The click's channel comes from its link; an unsubscribe link is only ever an email's.
    expect(channels.rows).toEqual([
      { customer_id: 'c6', channel: 'sms' },
      { customer_id: 'c7', channel: 'email' },
    ]);
    expect(rows[1]).toMatchObject({
      send_id: 'double-11-2026/d11-afternoon/c1',
      message_id: '0100018c-c1',
      dt: '2026-11-11',
    });
    // Never an address or a phone number in the events table.
    expect(JSON.stringify(rows)).not.toMatch(/@example\.com|\+86138/);
    const supp = (
      await wh.query(sql`SELECT customer_id, channel, reason FROM suppressions ORDER BY customer_id`)
    ).rows;
    expect(supp).toEqual([
      { customer_id: 'c2', channel: 'email', reason: 'bounced' },
      { customer_id: 'c4', channel: 'any', reason: 'complained' },
      { customer_id: 'c5', channel: 'email', reason: 'opt-out' },
      { customer_id: 'c7', channel: 'email', reason: 'opt-out' },
    ]);
    // At once: the next claim for a suppressed customer is refused; a transient bounce suppresses nothing.
    const claim = (customerId: string, channel: 'email' | 'sms') =>
      claimChange({
        sendId: `x/y/${customerId}`,
        wave: 'x/y',
        customerId,
        channel,
        category: 'transactional',
        priority: 50,
        at: new Date('2026-11-12T00:00:00Z'),
        caps: [],
      });
    expect(
      await contacts.apply([
        claim('c2', 'email'),
        claim('c4', 'sms'),
        claim('c3', 'email'),
        claim('c2', 'sms'),
      ]),
    ).toEqual([
      { kind: 'suppressed', reason: 'bounced' },
      { kind: 'suppressed', reason: 'complained' },
      { kind: 'claimed' },
      { kind: 'claimed' },
    ]);
    await contacts.close();
    await wh.close();
  });
});
