import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importConsents } from '../../shared/shop/local/import/import-consents.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** Consent the shop collected reaches the customers a Taobao import created (without consent, all false). */
const ws = importWorkspace('import-consents');
const query = ws.query;

async function consents(text: string) {
  const file = await ws.write('consent.csv', text);
  return importConsents({
    file,
    rejectsFile: ws.path('consent.rejects.csv'),
    dataDir: ws.dataDir(),
    now: ws.clock.now(),
  });
}

describe('data import --format consent', () => {
  it('records consent and opt-outs with source and time; the latest per channel sets the customer’s flags', async () => {
    await ws.importFile(
      'orders.csv',
      [
        '订单编号,买家会员名,买家实际支付金额,订单状态,联系手机,订单创建时间,订单付款时间',
        '="3801234567890001",小明同学,10.00,交易成功,13812345678,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890002",lily_88,10.00,交易成功,13912345678,2025-11-11 00:01:23,2025-11-11 00:02:00',
      ].join('\n'),
      'taobao',
    );
    expect(await query('SELECT count(*) FILTER (WHERE sms_consent) AS sms FROM customers')).toEqual([
      { sms: 0 },
    ]);

    const r = await consents(
      [
        '买家会员名,手机,渠道,同意,来源,时间',
        '小明同学,,短信,同意,会员入会表单,2025-12-01 10:00:00',
        ',13912345678,全部,同意,客服登记,2025-12-02 10:00:00',
        ',13912345678,短信,退订,短信回复TD,2025-12-03 10:00:00',
        ',13700000000,短信,同意,客服登记,2025-12-03 10:00:00',
        '小明同学,,微信,同意,客服登记,2025-12-03 10:00:00',
        '小明同学,,短信,也许,客服登记,2025-12-03 10:00:00',
        '小明同学,,邮件,同意,客服登记,2025-02-30 10:00:00',
        '小明同学,,邮件,同意,门店,2025-12-04 10:00:00',
        '小明同学,,邮件,退订,门店,2025-12-04 10:00:00',
      ].join('\n'),
    );
    expect(r).toMatchObject({
      read: 9,
      imported: 3,
      rejected: 6,
      given: 2,
      withdrawn: 1,
      customersChanged: 2,
    });
    const rejects = readFileSync(ws.path('consent.rejects.csv'), 'utf8');
    expect(rejects).toContain('5,no customer in the lake with this phone,');
    expect(rejects).toContain(
      '6,"渠道: ""微信"" is not a channel; expected email, sms or any (邮件, 短信, 全部)"',
    );
    expect(rejects).toMatch(/7,"同意: ""也许"" is neither given/);
    expect(rejects).toContain('8,"时间: ""2025-02-30 10:00:00"" is not a time: day 30 does not exist');
    expect(rejects).toContain('9,"the same customer, channel and time are recorded both given and withdrawn');
    expect(rejects).toContain(
      '10,"the same customer, channel and time are recorded both given and withdrawn',
    );

    expect(
      await query(
        "SELECT CASE WHEN phone = '+8613812345678' THEN 'xiaoming' ELSE 'lily' END AS who, email_consent, sms_consent FROM customers ORDER BY who",
      ),
    ).toEqual([
      { who: 'lily', email_consent: true, sms_consent: false }, // any → yes on the 2nd, SMS opt-out on the 3rd
      { who: 'xiaoming', email_consent: false, sms_consent: true },
    ]);
    expect(await query('SELECT channel, consent, source, given_at FROM consents ORDER BY given_at')).toEqual([
      { channel: 'sms', consent: true, source: '会员入会表单', given_at: '2025-12-01 02:00:00' },
      { channel: 'any', consent: true, source: '客服登记', given_at: '2025-12-02 02:00:00' },
      { channel: 'sms', consent: false, source: '短信回复TD', given_at: '2025-12-03 02:00:00' },
    ]);

    // An older record imported later does not override a newer one.
    await consents('买家会员名,渠道,同意,时间\n小明同学,短信,退订,2025-11-01 10:00:00\n');
    expect(await query("SELECT sms_consent FROM customers WHERE phone = '+8613812345678'")).toEqual([
      { sms_consent: true },
    ]);
  });
});
