import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { effectivePolicy } from '../../shared/campaign/contact-policy.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { waveAudienceSql } from '../../shared/segment/audience-sql.ts';
import { type SegmentContext, segmentSql } from '../../shared/segment/compile-segment.ts';
import type { Rule } from '../../shared/segment/segment-schema.ts';
import { importPoints } from '../../shared/shop/local/import/import-points.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** Loyalty points: accrued on paid orders by the shop's rule, redeemed by import, expired oldest first. */
const policy = parseConfigText(
  ContactPolicy,
  'points: { perYuan: 1.5, expireAfter: 365d }\n',
  'contact-policy.yaml',
);
const NOW = new Date('2026-12-01T00:00:00Z');

const ORDERS = [
  '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间',
  // 甲: 99.9 × 1.5 = 149 points on 2025-01-01 (expire 2026-01-01), 400 × 1.5 = 600 on 2026-06-01.
  '3801000000000001,甲,99.90,交易成功,2025-01-01 08:00:00,2025-01-01 08:00:00',
  '3801000000000002,甲,400.00,交易成功,2026-06-01 08:00:00,2026-06-01 08:00:00',
  // 乙: an unpaid and a refunded order earn nothing.
  '3801000000000003,乙,500.00,等待买家付款,2026-11-30 08:00:00,',
  '3801000000000004,乙,500.00,交易关闭,2026-05-01 08:00:00,2026-05-01 08:00:00',
].join('\n');

// The tests build on each other's lake: the redemptions are of the points the first test's orders earned.
const ws = importWorkspace('points', { now: NOW, shared: true });
const query = ws.query;
const ledger = () =>
  query(
    `SELECT c.nickname, l.reason, l.points, strftime(l.occurred_at, '%Y-%m-%d %H:%M') AS at
     FROM points_ledger l JOIN customers c USING (customer_id) ORDER BY c.nickname, l.occurred_at, l.entry_id`,
  );
async function importOrderFile() {
  const file = await ws.write('orders.csv', ORDERS);
  return ws.importOrders({
    file,
    format: 'taobao',
    rejectsFile: ws.path('orders.rejects.csv'),
    points: policy.points,
  });
}
async function importPointsFile(text: string) {
  const file = await ws.write('积分兑换.csv', text);
  return importPoints({
    file,
    rejectsFile: ws.path('points.rejects.csv'),
    dataDir: ws.dataDir(),
    rule: policy.points,
    now: NOW,
  });
}

describe('the points ledger', () => {
  it('accrues floor(amount × perYuan) per paid order, expires a year later, and never accrues twice', async () => {
    await importOrderFile();
    const expected = [
      // Times in UTC: 08:00 Beijing is 00:00 UTC.
      { nickname: '甲', reason: 'accrue', points: 149, at: '2025-01-01 00:00' },
      { nickname: '甲', reason: 'expire', points: -149, at: '2026-01-01 00:00' },
      { nickname: '甲', reason: 'accrue', points: 600, at: '2026-06-01 00:00' },
      { nickname: '甲', reason: 'expire', points: -600, at: '2027-06-01 00:00' },
    ];
    expect(await ledger()).toEqual(expected);
    await importOrderFile();
    expect(await ledger()).toEqual(expected);
  });

  it('imports redemptions (oldest points first, so less expires), rejects what it cannot use, and is idempotent', async () => {
    const text = [
      '买家会员名,积分,类型,时间,兑换单号',
      '甲,100,兑换,2025-06-01 10:00:00,R1',
      '甲,50,调整,2026-07-01 10:00:00,A1',
      '甲,200,兑换,2026-08-01 10:00:00,R2',
      '不存在,10,兑换,2026-08-01 10:00:00,R3',
      '甲,-5,兑换,2026-08-01 10:00:00,R4',
      '甲,10,赠送,2026-08-01 10:00:00,R5',
    ].join('\n');
    const first = await importPointsFile(text);
    expect(first).toMatchObject({ read: 6, imported: 3, rejected: 3, redeemed: 2, adjusted: 1 });
    expect(first.firstRejects).toEqual([
      { line: 6, reason: '积分: expected the points redeemed, a whole number above 0, got "-5"' },
      { line: 7, reason: '类型: "赠送" is not a reason; expected redeem (兑换, 使用) or adjust (调整)' },
      { line: 5, reason: 'no customer in the lake with this id or nickname' },
    ]);
    const expected = [
      { nickname: '甲', reason: 'accrue', points: 149, at: '2025-01-01 00:00' },
      { nickname: '甲', reason: 'redeem', points: -100, at: '2025-06-01 02:00' },
      // 149 − 100 redeemed: 49 expire.
      { nickname: '甲', reason: 'expire', points: -49, at: '2026-01-01 00:00' },
      { nickname: '甲', reason: 'accrue', points: 600, at: '2026-06-01 00:00' },
      { nickname: '甲', reason: 'adjust', points: 50, at: '2026-07-01 02:00' },
      { nickname: '甲', reason: 'redeem', points: -200, at: '2026-08-01 02:00' },
      // 600 − 200 from the June lot; the July adjustment's 50 expire a year after it.
      { nickname: '甲', reason: 'expire', points: -400, at: '2027-06-01 00:00' },
      { nickname: '甲', reason: 'expire', points: -50, at: '2027-07-01 02:00' },
    ];
    expect(await ledger()).toEqual(expected);
    await importPointsFile(text);
    expect(await ledger()).toEqual(expected);
    // An order import afterwards keeps the redemptions.
    await importOrderFile();
    expect(await ledger()).toEqual(expected);
    expect(
      await query(
        `SELECT sum(points) AS balance FROM points_ledger WHERE occurred_at < TIMESTAMP '2026-12-01 00:00:00'`,
      ),
    ).toEqual([{ balance: 450 }]);
  });

  it('selects by balance at the run with `points` (no points is 0), as DuckDB and Trino SQL', async () => {
    const ctx = (dialect: SegmentContext['dialect']): SegmentContext => ({
      runAt: NOW,
      timeZone: 'Asia/Shanghai',
      campaignId: 'c',
      segments: {},
      dialect,
    });
    const nicknames = async (rule: Rule) => {
      expect(new TrinoSQL().validate(segmentSql(rule, ctx('trino'))).map((e) => e.message)).toEqual([]);
      const ids = (await query(segmentSql(rule, ctx('duckdb')))).map((r) => `'${r.customer_id}'`);
      if (ids.length === 0) return [];
      return (
        await query(
          `SELECT nickname FROM customers WHERE customer_id IN (${ids.join(', ')}) ORDER BY nickname`,
        )
      ).map((r) => r.nickname);
    };
    expect(await nicknames({ points: { min: 400 } })).toEqual(['甲']);
    expect(await nicknames({ points: { min: 451 } })).toEqual([]);
    expect(await nicknames({ points: { max: 100 } })).toEqual(['乙']);
    expect(await nicknames({ points: { min: 0 } })).toEqual(['乙', '甲']);
  });

  it('carries each recipient’s nickname and balance at the run to the sender (DuckDB and Trino SQL)', async () => {
    const c = Campaign.parse({
      id: 'p',
      name: 'P',
      channels: { 'call-list': {} },
      waves: [
        {
          id: 'w',
          start: '2026-12-01T10:00',
          audience: { where: { everyone: true } },
          channel: 'call-list',
          templates: { 'call-list': { talkingPoints: '{{ customer.points }}' } },
        },
      ],
    });
    const wave = c.waves[0] ?? (undefined as never);
    const input = {
      campaign: c,
      wave,
      policy: effectivePolicy({ ...policy, caps: [] }, c),
      runAt: NOW,
      recipients: { byValue: false },
    };
    expect(
      new TrinoSQL().validate(waveAudienceSql({ ...input, dialect: 'trino' })).map((e) => e.message),
    ).toEqual([]);
    const rows = await query(
      `SELECT nickname, points FROM (${waveAudienceSql({ ...input, dialect: 'duckdb' })}) a ORDER BY nickname`,
    );
    expect(rows).toEqual([
      { nickname: '乙', points: 0 },
      { nickname: '甲', points: 450 },
    ]);
  });

  it('refuses a points import when the shop has no points rule', async () => {
    await expect(
      importPoints({
        file: ws.path('x.csv'),
        rejectsFile: ws.path('x.rejects.csv'),
        dataDir: ws.dataDir(),
        rule: undefined,
        now: NOW,
      }),
    ).rejects.toThrow('the shop has no points rule; add points: { perYuan: 1 } to contact-policy.yaml');
  });
});
