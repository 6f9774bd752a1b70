import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { effectivePolicy } from '../../shared/campaign/contact-policy.ts';
import { DEFAULT_CONTACT_POLICY } from '../../shared/campaign/contact-policy-schema.ts';
import { waveAudienceSql } from '../../shared/segment/audience-sql.ts';
import { campaignCli, copyOfLake, type WaveStatus as Status } from '../helpers/campaign-cli.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';
import { queryLake } from '../helpers/lake-query.ts';

/**
 * Shipping and delivery notices end to end: an order feed with `shipped` and `delivered` events, a campaign
 * with triggered `notice` waves on them, run locally — one notice per shipped (delivered) order, to
 * customers who withdrew marketing consent and customers the monthly marketing cap holds, every run reconciled.
 */
const campaign = campaignCli;
const sql = queryLake;

const NOTICES = `id: shipping-notices
name: 发货通知
timeZone: Asia/Shanghai
channels:
  sms: { signature: 【优品小店】, optOutText: 回T退订 }
waves:
  - id: shipped
    trigger: { on: order-shipped, after: 5m, every: 15m, from: "2026-10-20", until: "2026-10-21" }
    sendBy: 1h
    category: notice
    audience: { where: { everyone: true } }
    channel: sms
    templates:
      sms: "{{ signature }}{{ customer.name }}，您的订单已发货"
  - id: delivered
    trigger: { on: order-delivered, after: 0m, every: 15m, from: "2026-10-20", until: "2026-10-21" }
    sendBy: 1h
    category: notice
    audience: { where: { everyone: true } }
    channel: sms
    templates:
      sms: "{{ signature }}{{ customer.name }}，您的订单已签收"
`;

/** A marketing SMS to everyone five days before: the monthly marketing cap (1 per 30 days) holds them all. */
const MARKETING = `id: autumn-sale
name: 秋季促销
timeZone: Asia/Shanghai
holdoutPercent: 0
channels:
  sms: { signature: 【优品小店】, optOutText: 回T退订 }
waves:
  - id: sale
    start: "2026-10-15T10:00"
    sendBy: 4h
    audience: { where: { everyone: true } }
    channel: sms
    templates:
      sms: "{{ signature }}秋季促销开始了 {{ optOut }}"
`;

const SHIPPED = 24;
const DELIVERED = 6;
const MINUTE = 60_000;
/** The local time (UTC+8) of an instant, as run ids name it. */
const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

let dataDir: string;
let dir: string;
let orders: { order_id: string; customer_id: string; shipped: number; delivered: number | null }[];
beforeAll(async () => {
  const shop = await sampleShop(2_000);
  dataDir = await copyOfLake(shop, 'shipping');
  dir = await mkdtemp(join(tmpdir(), 'shipping-files-'));
  // Paid orders of distinct customers with a phone, each customer's latest, paid before the notices' days.
  const picked = await sql(
    dataDir,
    `SELECT o.order_id, o.customer_id, o.created_at, o.paid_at, o.amount, o.discount, o.channel FROM orders o
     JOIN customers c USING (customer_id)
     WHERE o.status = 'paid' AND o.paid_at < TIMESTAMP '2026-10-19 00:00:00' AND c.phone IS NOT NULL
     QUALIFY row_number() OVER (PARTITION BY o.customer_id ORDER BY o.created_at DESC) = 1
     ORDER BY o.order_id LIMIT ${SHIPPED}`,
  );
  expect(picked).toHaveLength(SHIPPED);
  const items = await sql(
    dataDir,
    `SELECT order_id, sku, category, quantity, unit_price FROM order_items
     WHERE order_id IN (${picked.map((o) => `'${o.order_id}'`).join(', ')}) ORDER BY order_id, line_no`,
  );
  const iso = (text: unknown) => `${String(text).replace(' ', 'T')}Z`;
  const lines: string[] = [];
  orders = picked.map((o, k) => {
    // Shipped on 20 Oct from 10:00 Beijing time, 7 minutes apart; the first few delivered on 21 Oct.
    const shipped = Date.parse('2026-10-20T02:00:00Z') + k * 7 * MINUTE;
    const delivered = k < DELIVERED ? Date.parse('2026-10-21T03:00:00Z') + k * 11 * MINUTE : null;
    const order = {
      orderId: o.order_id,
      customerId: o.customer_id,
      createdAt: iso(o.created_at),
      paidAt: iso(o.paid_at),
      amount: o.amount,
      discount: o.discount,
      channel: o.channel,
      items: items
        .filter((i) => i.order_id === o.order_id)
        .map((i) => ({ sku: i.sku, category: i.category, quantity: i.quantity, unitPrice: i.unit_price })),
    };
    lines.push(JSON.stringify({ event: 'shipped', at: new Date(shipped).toISOString(), order }));
    if (delivered !== null)
      lines.push(JSON.stringify({ event: 'delivered', at: new Date(delivered).toISOString(), order }));
    return { order_id: String(o.order_id), customer_id: String(o.customer_id), shipped, delivered };
  });
  writeFileSync(join(dir, 'feed.jsonl'), `${lines.join('\n')}\n`);
  // Three of the customers withdrew marketing SMS consent on 16 Oct.
  writeFileSync(
    join(dir, 'consent.csv'),
    `customer_id,channel,consent,at\n${orders
      .slice(0, 3)
      .map((o) => `${o.customer_id},sms,退订,2026-10-16 09:00:00`)
      .join('\n')}\n`,
  );
  writeFileSync(join(dir, 'notices.yaml'), NOTICES);
  writeFileSync(join(dir, 'marketing.yaml'), MARKETING);
  // A month after the first (32 days: its cap has run out), four weeks after the notices.
  writeFileSync(
    join(dir, 'winter.yaml'),
    MARKETING.replace('id: autumn-sale', 'id: winter-sale').replace('2026-10-15T10:00', '2026-11-16T10:00'),
  );
}, 120_000);

describe('shipping and delivery notices from an order feed', async () => {
  it('sends one notice per shipped and per delivered order, to opted-out and marketing-capped customers too', async () => {
    const imported = campaign([
      'data',
      'import',
      join(dir, 'feed.jsonl'),
      '--format',
      'order-events',
      '--data-dir',
      dataDir,
    ]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`orders: 0 new, ${SHIPPED} updated`);
    expect(
      (
        await sql(
          dataDir,
          `SELECT count(*) AS n FROM orders WHERE shipped_at IS NOT NULL AND status = 'paid'`,
        )
      )[0]?.n,
    ).toBe(SHIPPED);
    expect(
      campaign(['data', 'import', join(dir, 'consent.csv'), '--format', 'consent', '--data-dir', dataDir])
        .code,
    ).toBe(0);
    const marketing = campaign(['run', join(dir, 'marketing.yaml'), '--data-dir', dataDir]);
    expect(marketing.code).toBe(0);
    const ids = orders.map((o) => `'${o.customer_id}'`).join(', ');
    // Before the notices, the marketing wave reached the customers who had consented; the cap now holds them.
    const [reached] = await sql(
      dataDir,
      `SELECT count(DISTINCT customer_id) AS n FROM sends WHERE campaign_id = 'autumn-sale' AND status = 'sent'
       AND customer_id IN (${ids})`,
    );
    expect(Number(reached?.n)).toBeGreaterThan(5);

    const run = campaign(['run', join(dir, 'notices.yaml'), '--data-dir', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sends = await sql(
      dataDir,
      `SELECT DISTINCT send_id, wave_id, customer_id, status, channel FROM sends
       WHERE campaign_id = 'shipping-notices' ORDER BY wave_id, customer_id`,
    );
    // Each shipped order: the 15-minute run 5 minutes after it; each delivered order: the run at or after it.
    const tick = (ms: number) => Math.ceil(ms / (15 * MINUTE)) * 15 * MINUTE;
    const expected = [
      ...orders.map((o) => ({
        wave_id: `shipped@${local(tick(o.shipped + 5 * MINUTE))}`,
        customer_id: o.customer_id,
      })),
      ...orders
        .filter((o) => o.delivered !== null)
        .map((o) => ({ wave_id: `delivered@${local(tick(o.delivered ?? 0))}`, customer_id: o.customer_id })),
    ];
    const key = (s: Record<string, unknown>) => `${s.wave_id} ${s.customer_id}`;
    expect(sends.map(key).sort()).toEqual(expected.map(key).sort());
    expect(sends.every((s) => s.status === 'sent' && s.channel === 'sms')).toBe(true);
    // Among them, the customers who withdrew SMS consent and those the marketing wave reached five days before.
    const optedOut = new Set(orders.slice(0, 3).map((o) => o.customer_id));
    expect(
      sends.filter((s) => optedOut.has(String(s.customer_id)) && String(s.wave_id).startsWith('shipped@')),
    ).toHaveLength(3);
    const capped = (
      await sql(
        dataDir,
        `SELECT DISTINCT customer_id FROM sends WHERE campaign_id = 'autumn-sale' AND status = 'sent' AND customer_id IN (${ids})`,
      )
    ).map((r) => String(r.customer_id));
    expect(capped.every((c) => sends.some((s) => s.customer_id === c))).toBe(true);

    const statuses = JSON.parse(
      campaign(['status', join(dir, 'notices.yaml'), '--data-dir', dataDir, '--json']).stdout,
    ) as Status[];
    expect(statuses.every((s) => s.reconciles)).toBe(true);
    expect(statuses.reduce((n, s) => n + s.audience, 0)).toBe(SHIPPED + DELIVERED);
    expect(statuses.reduce((n, s) => n + (s.sent.sms ?? 0), 0)).toBe(SHIPPED + DELIVERED);
    expect(statuses.flatMap((s) => Object.keys(s.suppressed))).toEqual([]);

    // The notices are not counted by the monthly marketing cap: a month after the first marketing SMS (and
    // within 30 days of the notices) the same customers get the next one.
    expect(campaign(['run', join(dir, 'winter.yaml'), '--data-dir', dataDir]).code).toBe(0);
    const winter = await sql(
      dataDir,
      `SELECT DISTINCT customer_id, status, reason FROM sends WHERE campaign_id = 'winter-sale'
       AND customer_id IN (${capped.map((c) => `'${c}'`).join(', ')})`,
    );
    expect(winter).toHaveLength(capped.length);
    expect(winter.filter((w) => w.status !== 'sent')).toEqual([]);
  }, 300_000);

  it('compiles the shipped and delivered triggers to SQL that parses as Trino, on the orders’ own times', async () => {
    const c = parseConfigText(Campaign, NOTICES, 'notices.yaml');
    for (const [wave, column] of [
      [c.waves[0], 'shipped_at'],
      [c.waves[1], 'delivered_at'],
    ] as const) {
      const sqlText = waveAudienceSql({
        campaign: c,
        wave: { ...wave, id: `${wave?.id}@2026-10-20T10:15` } as (typeof c.waves)[number],
        policy: effectivePolicy(DEFAULT_CONTACT_POLICY, c),
        runAt: new Date('2026-10-20T02:15:00Z'),
        dialect: 'trino',
      });
      expect(new TrinoSQL().validate(sqlText).map((e) => e.message)).toEqual([]);
      expect(sqlText).toContain(`SELECT o.customer_id, o.${column} AS at FROM orders o`);
      expect(sqlText).toContain(`AND o.status = 'paid'`);
    }
  });
});
