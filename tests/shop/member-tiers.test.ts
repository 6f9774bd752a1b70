import { rm, writeFile } from 'node:fs/promises';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { loadCampaignWithPolicy } from '../../shared/campaign/shop-policy.ts';
import { ConfigError, formatProblem } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { memberTierSql } from '../../shared/shop/member-tiers.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** Member tiers by the shop's own rules (contact-policy.yaml memberTiers), with the shop's names. */
const POLICY = `memberTiers:
  - name: 普通
  - name: 高级
    minSpend: 1000
  - name: VIP
    minSpend: 3000
    minOrders: 5
    match: any
    within: 365d
  - name: 至尊VIP
    minSpend: 20000
`;
const tiers = () => parseConfigText(ContactPolicy, POLICY, 'contact-policy.yaml').memberTiers ?? [];
const AS_OF = new Date('2026-11-01T00:00:00Z');

const order = (id: string, customer: string, amount: number, paidAt: string, status = 'paid') => ({
  order_id: id,
  customer_id: customer,
  created_at: paidAt,
  paid_at: status === 'unpaid' ? null : paidAt,
  status,
  amount,
});

describe('member tiers from paid orders', () => {
  let dataDir: string;
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    dataDir = await writeFixtureLake({
      orders: [
        // a: 1,200 lifetime → 高级.
        order('1', 'a', 700, '2023-01-05 10:00:00'),
        order('2', 'a', 500, '2026-06-01 10:00:00'),
        // b: 3,500 in the last 365 days → VIP (spend); c: 5 small orders this year → VIP (orders, `any`).
        order('3', 'b', 3500, '2026-03-01 10:00:00'),
        ...[1, 2, 3, 4, 5].map((k) => order(`c${k}`, 'c', 10, `2026-0${k}-10 10:00:00`)),
        // d: 3,500, but two years ago → 高级 only (the VIP window is 365 days).
        order('4', 'd', 3500, '2024-03-01 10:00:00'),
        // e: 25,000 lifetime → 至尊VIP, the highest tier met wins.
        order('5', 'e', 25000, '2025-01-01 10:00:00'),
        // f: only a refunded and an unpaid order → no paid order, not in the result (the first tier).
        order('6', 'f', 9000, '2026-01-01 10:00:00', 'refunded'),
        order('7', 'f', 9000, '2026-01-02 10:00:00', 'unpaid'),
        // g: paid after the as-of time does not count yet (g, like f, stays in the first tier).
        order('8', 'g', 1500, '2026-11-02 10:00:00'),
      ],
    });
    wh = await DuckDbWarehouse.open(dataDir);
  });
  afterAll(async () => {
    await wh.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives each buyer the highest tier met, by lifetime or trailing spend and/or orders; parses as Trino', async () => {
    const tierSql = memberTierSql(tiers(), sql`orders`, AS_OF);
    expect(new TrinoSQL().validate(tierSql).map((e) => e.message)).toEqual([]);
    const { rows } = await wh.query(sql`${tierSql} ORDER BY customer_id`);
    expect(rows).toEqual([
      { customer_id: 'a', member_tier: '高级' },
      { customer_id: 'b', member_tier: 'VIP' },
      { customer_id: 'c', member_tier: 'VIP' },
      { customer_id: 'd', member_tier: '高级' },
      { customer_id: 'e', member_tier: '至尊VIP' },
    ]);
  });
});

describe('the memberTiers setting', () => {
  it('reports a duplicate name, thresholds on the first tier, a tier without any, a bad window at line:column', () => {
    const bad = `memberTiers:
  - { name: 普通, minSpend: 10 }
  - { name: VIP, minSpend: 100 }
  - { name: VIP, minOrders: 3, within: 1 year }
  - { name: 金卡 }
`;
    try {
      parseConfigText(ContactPolicy, bad, 'contact-policy.yaml');
      expect.unreachable('accepted');
    } catch (e) {
      expect((e as ConfigError).problems.map(formatProblem)).toEqual([
        'contact-policy.yaml:2:5 memberTiers[0]: tier "普通" is the first: every customer starts there, so it takes no minSpend or minOrders',
        'contact-policy.yaml:4:13 memberTiers[2].name: duplicate tier name "VIP"',
        'contact-policy.yaml:4:40 memberTiers[2].within: expected whole days, e.g. 365d (at most 9999d)',
        'contact-policy.yaml:5:5 memberTiers[3]: tier "金卡": expected minSpend, minOrders or both (only the first tier is for everyone)',
      ]);
    }
  });
});

describe('tiers on import and in campaigns', () => {
  const ws = importWorkspace('tiers', { shared: true });

  it('sets every customer’s tier on import under the shop’s rules, the same on a second import', async () => {
    const file = await ws.write(
      'orders.csv',
      [
        '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间',
        '3801000000000001,大客户,1500.00,交易成功,2026-05-01 10:00:00,2026-05-01 10:01:00',
        '3801000000000002,大客户,25000.00,交易成功,2026-06-01 10:00:00,2026-06-01 10:01:00',
        '3801000000000003,小客户,99.00,交易成功,2026-06-01 10:00:00,2026-06-01 10:01:00',
        '3801000000000004,未付款,5000.00,等待买家付款,2026-11-30 10:00:00,',
      ].join('\n'),
    );
    const run = () =>
      ws.importOrders({
        file,
        format: 'taobao',
        rejectsFile: ws.path('rejects.csv'),
        memberTiers: tiers(),
      });
    const tiersNow = () => ws.query('SELECT nickname, member_tier FROM customers ORDER BY nickname');
    await run();
    const expected = [
      { nickname: '大客户', member_tier: '至尊VIP' },
      { nickname: '小客户', member_tier: '普通' },
      { nickname: '未付款', member_tier: '普通' },
    ];
    expect(await tiersNow()).toEqual(expected);
    await run();
    expect(await tiersNow()).toEqual(expected);
  });

  it('refuses a memberTier value the shop’s tiers do not have, at its line and column, naming them', async () => {
    await writeFile(ws.path('contact-policy.yaml'), POLICY);
    const campaign = (tier: string) => `id: vip-call
name: 会员回访
channels:
  call-list: {}
segments:
  vip:
    where: { memberTier: [${tier}] }
waves:
  - id: a
    start: "2026-12-10T10:00"
    audience: { segment: vip }
    channel: call-list
    templates:
      call-list: { talkingPoints: "{{ customer.memberTier }}{{ customer.nickname }}您好" }
`;
    await writeFile(ws.path('good.yaml'), campaign('至尊VIP, VIP'));
    await expect(loadCampaignWithPolicy(ws.path('good.yaml'))).resolves.toMatchObject({
      campaign: { id: 'vip-call' },
    });
    await writeFile(ws.path('bad.yaml'), campaign('VIP, gold'));
    await expect(loadCampaignWithPolicy(ws.path('bad.yaml'))).rejects.toSatisfy(
      (e) =>
        e instanceof ConfigError &&
        JSON.stringify(e.problems.map(formatProblem)) ===
          JSON.stringify([
            `${ws.path('bad.yaml')}:7:32 segments.vip.where.memberTier[1]: unknown member tier "gold"; the shop's tiers are 普通, 高级, VIP, 至尊VIP (memberTiers: in contact-policy.yaml)`,
          ]),
    );
  });
});
