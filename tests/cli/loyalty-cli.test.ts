import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignCli } from '../helpers/campaign-cli.ts';

/** The loyalty fields through the CLI: validate's sample knows them, the points import reports its counts. */
let dir: string;
const campaign = (args: string[]) => campaignCli(args, { timeout: 120_000 });
const CAMPAIGN = (sms: string) => `id: members
name: 会员日
channels:
  sms: { signature: 【优品小店】, optOutText: 回T退订 }
waves:
  - id: a
    start: "2026-12-10T10:00"
    audience: { where: { all: [{ points: { min: 500 } }, { birthday: { within: 7d } }] } }
    channel: sms
    templates:
      sms: "{{ signature }}${sms} {{ optOut }}"
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loyalty-cli-'));
  await writeFile(join(dir, 'contact-policy.yaml'), 'points: { perYuan: 1 }\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loyalty through the CLI', () => {
  it('validates templates that use customer.nickname and customer.points, and rejects a misspelt one', async () => {
    await writeFile(join(dir, 'ok.yaml'), CAMPAIGN('{{ customer.nickname }}您有{{ customer.points }}积分'));
    const ok = campaign(['validate', join(dir, 'ok.yaml'), '--data-dir', dir]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    await writeFile(join(dir, 'bad.yaml'), CAMPAIGN('{{ customer.nick }}'));
    const bad = campaign(['validate', join(dir, 'bad.yaml'), '--data-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('customer.nick');
  });

  it('imports orders and then points redemptions under the policy given, and prints the counts', async () => {
    const orders = join(dir, 'orders.csv');
    await writeFile(
      orders,
      '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间\n3801000000000001,甲,800.00,交易成功,2026-05-01 10:00:00,2026-05-01 10:01:00\n',
    );
    const policy = join(dir, 'contact-policy.yaml');
    const data = join(dir, 'data');
    const o = campaign([
      'data',
      'import',
      orders,
      '--format',
      'taobao',
      '--policy',
      policy,
      '--data-dir',
      data,
    ]);
    expect(o.code).toBe(0);
    const points = join(dir, 'points.csv');
    await writeFile(
      points,
      '买家会员名,积分,类型,时间\n甲,300,兑换,2026-06-01 10:00:00\n乙,1,兑换,2026-06-01 10:00:00\n',
    );
    const p = campaign([
      'data',
      'import',
      points,
      '--format',
      'points',
      '--policy',
      policy,
      '--data-dir',
      data,
    ]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('read 2 rows (utf-8): 1 imported, 1 rejected');
    expect(p.stdout).toContain('points: 1 redemptions, 0 adjustments; ledger rows: 2');
    expect(p.stdout).not.toContain('乙');
    const sum = campaign([
      'sql',
      'SELECT sum(points) AS balance FROM points_ledger',
      '--data-dir',
      data,
      '--json',
    ]);
    expect(sum.code).toBe(0);
    expect(JSON.parse(sum.stdout)).toEqual([{ balance: 500 }]);
  });
});
