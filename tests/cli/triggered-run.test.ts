import { readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
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

const campaign = campaignCli;

const UNPAID = `id: unpaid-reminders
name: 催付
channels:
  sms: { signature: 【优品小店】, optOutText: 回T退订 }
  email: { from: 优品小店 <crm@youpin.example.com> }
waves:
  - id: unpaid
    trigger: { on: order-unpaid, after: 2h, every: 15m, from: "2026-10-19", until: "2026-10-21" }
    sendBy: 2h
    category: transactional
    audience: { where: { everyone: true } }
    channel: sms
    fallback: [email]
    templates:
      sms: "{{ signature }}{{ customer.name }}，您的订单还未付款 {{ optOut }}"
      email: { subject: 订单未付款, html: "<p>{{ customer.name }}，您的订单还未付款</p>" }
`;

const sql = queryLake;

let dataDir: string;
let file: string;
beforeAll(async () => {
  const shop = await sampleShop(2_000);
  dataDir = await copyOfLake(shop, 'triggered');
  file = join(await mkdtemp(join(tmpdir(), 'triggered-campaign-')), 'unpaid.yaml');
  writeFileSync(file, UNPAID);
  // A customer who orders again, unpaid, half an hour after an unpaid order (the sample shop's unpaid
  // orders are its last day's, one each): the reminder two hours after the first covers the second.
  const [first] = await sql(
    dataDir,
    `SELECT customer_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS at FROM orders WHERE status = 'unpaid'
     AND created_at > TIMESTAMP '2026-10-18 15:45:00' ORDER BY created_at, customer_id LIMIT 1`,
  );
  const again = new Date(Date.parse(String(first?.at)) + 30 * 60_000).toISOString();
  const feed = join(dataDir, 'again.jsonl');
  writeFileSync(
    feed,
    `${JSON.stringify({
      event: 'created',
      at: again,
      order: {
        orderId: 'again-1',
        customerId: first?.customer_id,
        createdAt: again,
        amount: 99,
        items: [{ sku: 'tee-1', category: 'tshirt', quantity: 1, unitPrice: 99 }],
      },
    })}\n`,
  );
  expect(
    campaign(['data', 'import', feed, '--format', 'order-events', '--data-dir', dataDir]).stdout,
  ).toContain('1 imported');
});

describe('a triggered wave run locally', async () => {
  it('reminds each unpaid order once, in the 15-minute run two hours after it, each run reconciled', async () => {
    const first = campaign(['run', file, '--data-dir', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const unpaid = await sql(
      dataDir,
      `SELECT customer_id, created_at FROM orders WHERE status = 'unpaid'
       AND created_at > TIMESTAMP '2026-10-18 15:45:00' AND created_at <= TIMESTAMP '2026-10-21 13:45:00'
       ORDER BY customer_id, created_at`,
    );
    expect(unpaid.length).toBeGreaterThan(10); // enough orders to see the runs answer each
    // Each unpaid order is answered by the 15-minute run two hours after it (Asia/Shanghai is UTC+8), unless
    // an earlier reminder to the customer went out after the order was made: that one reminded them of it.
    const expected = new Map<string, number[]>();
    for (const u of unpaid) {
      const created = new Date(`${String(u.created_at).replace(' ', 'T')}Z`).getTime();
      const tick = Math.ceil((created + 2 * 3_600_000) / 900_000) * 900_000;
      const runs = expected.get(String(u.customer_id)) ?? [];
      const last = runs.at(-1);
      if (last === undefined || last < created) runs.push(tick);
      expected.set(String(u.customer_id), runs);
    }
    const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
    const rows = await sql(
      dataDir,
      `SELECT DISTINCT send_id, wave_id, customer_id, status FROM sends WHERE campaign_id = 'unpaid-reminders'`,
    );
    const actual = new Map<string, string[]>();
    for (const r of rows)
      actual.set(String(r.customer_id), [...(actual.get(String(r.customer_id)) ?? []), String(r.wave_id)]);
    expect(new Map([...actual].map(([c, runs]) => [c, runs.sort()]))).toEqual(
      new Map([...expected].map(([c, ticks]) => [c, ticks.map((t) => `unpaid@${local(t)}`)])),
    );
    const reminders = [...expected.values()].reduce((n, t) => n + t.length, 0);
    expect(reminders).toBeLessThan(unpaid.length); // some orders were covered by an earlier reminder
    const statuses = JSON.parse(
      campaign(['status', file, '--data-dir', dataDir, '--json']).stdout,
    ) as Status[];
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s.reconciles && s.waveId.startsWith('unpaid@'))).toBe(true);
    expect(statuses.reduce((n, s) => n + s.audience, 0)).toBe(reminders);
    // Transactional: no holdout, and only the cap that counts every message (1 SMS a day) holds it back.
    expect(statuses.some((s) => s.suppressed.holdout)).toBe(false);

    const again = campaign(['run', file, '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^✔ \d{4}-/m); // no run fired again
    expect(again.stdout.match(/already run .*nothing sent again/g)).toHaveLength(statuses.length);
    expect(
      (
        await sql(
          dataDir,
          `SELECT count(DISTINCT send_id) AS n FROM sends WHERE campaign_id = 'unpaid-reminders'`,
        )
      )[0]?.n,
    ).toBe(rows.length);
  }, 180_000);

  it('compiles a run’s audience to SQL that parses as Trino: unpaid at the run, one reminder per order', async () => {
    const c = parseConfigText(Campaign, UNPAID, 'unpaid.yaml');
    for (const on of ['order-unpaid', 'order-created', 'click'] as const) {
      const wave = { ...c.waves[0], id: 'unpaid@2026-10-20T10:15', trigger: { ...c.waves[0]?.trigger, on } };
      const sqlText = waveAudienceSql({
        campaign: c,
        wave: wave as (typeof c.waves)[number],
        policy: effectivePolicy(DEFAULT_CONTACT_POLICY, c),
        runAt: new Date('2026-10-20T02:15:00Z'),
        dialect: 'trino',
      });
      expect(new TrinoSQL().validate(sqlText).map((e) => e.message)).toEqual([]);
      // Window (10:15 − 15m − 2h, 10:15 − 2h] local, i.e. (00:00, 00:15] UTC.
      expect(sqlText).toContain("> TIMESTAMP '2026-10-20 00:00:00' AND");
      expect(sqlText).toContain("<= TIMESTAMP '2026-10-20 00:15:00'");
      expect(sqlText).toContain("s.wave_id LIKE 'unpaid@%'");
      if (on === 'click')
        expect(sqlText).toContain("e.event_type = 'clicked' AND e.campaign_id = 'unpaid-reminders'");
    }
  });

  it('sends a service notice to every customer it concerns: no holdout, no marketing opt-out, no opt-out line', async () => {
    const notices = await mkdtemp(join(tmpdir(), 'notice-'));
    await cp(join(dataDir, 'lake'), join(notices, 'lake'), { recursive: true });
    const notice = (category: string) =>
      UNPAID.replace('id: unpaid-reminders', `id: ${category}-check`)
        .replace(
          'on: order-unpaid, after: 2h, every: 15m, from: "2026-10-19", until: "2026-10-21"',
          'on: order-created, after: 1h, every: 6h, from: "2026-10-20", until: "2026-10-20"',
        )
        .replace('category: transactional', `category: ${category}`)
        .replace('您的订单还未付款 {{ optOut }}', '您的订单已发货')
        .replace('waves:', 'holdoutPercent: 20\nwaves:');
    const dir = await mkdtemp(join(tmpdir(), 'notice-campaign-'));
    const [noticeFile, transactionalFile] = [join(dir, 'notice.yaml'), join(dir, 'transactional.yaml')];
    writeFileSync(noticeFile, notice('notice'));
    writeFileSync(transactionalFile, notice('transactional'));
    // Without the opt-out line: a notice validates, any other SMS does not.
    expect(campaign(['validate', noticeFile]).code).toBe(0);
    expect(campaign(['validate', transactionalFile]).stderr).toContain(
      'SMS must carry the opt-out text "回T退订"',
    );

    expect(campaign(['run', noticeFile, '--data-dir', notices]).code).toBe(0);
    const runs = JSON.parse(
      campaign(['status', noticeFile, '--data-dir', notices, '--json']).stdout,
    ) as Status[];
    expect(runs.length).toBeGreaterThan(0);
    const reasons = new Set(runs.flatMap((r) => Object.keys(r.suppressed)));
    expect(runs.every((r) => r.reconciles)).toBe(true);
    expect(reasons.has('holdout') || reasons.has('opt-out')).toBe(false);
    // Sent to customers who never agreed to marketing SMS, with the shop's signature and no opt-out line.
    const [unconsented] = await sql(
      notices,
      `SELECT count(*) AS n FROM (SELECT DISTINCT send_id, customer_id, channel FROM sends
         WHERE campaign_id = 'notice-check' AND status = 'sent') s JOIN customers c USING (customer_id)
       WHERE s.channel = 'sms' AND NOT coalesce(c.sms_consent, false)`,
    );
    expect(Number(unconsented?.n)).toBeGreaterThan(0);
    const texts = readFileSync(join(notices, 'outbox', 'sms.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sendId: string; text: string })
      .filter((m) => m.sendId.startsWith('notice-check/'));
    expect(texts.length).toBe(runs.reduce((n, r) => n + (r.sent.sms ?? 0), 0));
    expect(texts.every((m) => m.text.startsWith('【优品小店】') && !m.text.includes('回T退订'))).toBe(true);

    // The same wave as a transactional reminder keeps the holdout and the marketing opt-outs.
    writeFileSync(
      transactionalFile,
      notice('transactional').replace('您的订单已发货', '您的订单已发货 {{ optOut }}'),
    );
    expect(campaign(['run', transactionalFile, '--data-dir', notices]).code).toBe(0);
    const reminders = JSON.parse(
      campaign(['status', transactionalFile, '--data-dir', notices, '--json']).stdout,
    ) as Status[];
    const held = new Set(reminders.flatMap((r) => Object.keys(r.suppressed)));
    expect(held.has('holdout') && held.has('opt-out')).toBe(true);
  }, 180_000);
});
