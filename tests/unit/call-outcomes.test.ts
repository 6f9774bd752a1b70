import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { callOutcomeEvent, decodeCallList, readCallOutcomes } from '../../shared/responses/call-outcomes.ts';

const HEADER =
  '发送编号,客户编号,客户,手机,会员等级,价值层级,省份,城市,建议致电时间,活动,波次,优惠,版本,最近订单,话术,结果';

describe('reading a filled call list', () => {
  it('reads UTF-8 with or without the BOM, and GBK as Excel saves it on a Chinese system', () => {
    const text = `${HEADER}\n"d11/vip/c1","c1","王","(+86) 138****5678",,,,,,,,,,,,"已接通"\n`;
    expect(decodeCallList(Buffer.from(`\uFEFF${text}`, 'utf8'))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeCallList(Buffer.from(text, 'utf8'))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeCallList(iconv.encode(text, 'gbk'))).toEqual({ text, encoding: 'gbk' });
  });

  it('takes the columns by name, in any order, with cells over several lines', () => {
    const text = [
      '结果,备注,发送编号',
      '"成交","客户说：""明天再来""\n第二行","d11/vip/c1"',
      ',"没打","d11/vip/c2"',
      `"拒绝","","'=d11/vip/c3"`,
    ].join('\n');
    const read = readCallOutcomes(text, 'f.csv');
    expect(read.rows).toEqual([
      { line: 3, sendId: 'd11/vip/c1', outcome: '成交' },
      // The quote that neutralised a formula is not part of the id.
      { line: 5, sendId: '=d11/vip/c3', outcome: '拒绝' },
    ]);
    expect(read.notCalled).toBe(1);
    expect(read.read).toBe(3);
  });

  it("rejects a bad send id, an unknown outcome and a customer who is not the send's, with their lines", () => {
    const text = [
      HEADER,
      '"not-a-send","c1",,,,,,,,,,,,,,"已接通"',
      '"d11/vip/c2","c2",,,,,,,,,,,,,,"接通了"',
      '"d11/vip/c3","c9",,,,,,,,,,,,,,"回拨"',
    ].join('\r\n');
    expect(readCallOutcomes(text, 'f.csv').rejected.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [2, '发送编号'],
      [3, '结果'],
      [4, '客户编号'],
    ]);
  });

  it('keys each event by send and outcome: the same outcome is one event, another outcome a new one', () => {
    const at = new Date('2026-11-12T02:00:00Z');
    const later = new Date('2026-11-13T02:00:00Z');
    const answered = callOutcomeEvent({ line: 2, sendId: 'd11/vip/会员/1', outcome: '已接通' }, at);
    expect(answered).toMatchObject({
      eventType: 'call-answered',
      campaignId: 'd11',
      waveId: 'vip',
      customerId: '会员/1',
      channel: 'call-list',
      source: 'call-list',
      detail: '已接通',
    });
    const again = callOutcomeEvent({ line: 9, sendId: 'd11/vip/会员/1', outcome: '已接通' }, later);
    expect(again.eventId).toBe(answered.eventId);
    const other = callOutcomeEvent({ line: 2, sendId: 'd11/vip/会员/1', outcome: '未接通' }, at);
    expect(other.eventId).not.toBe(answered.eventId);
    const refused = callOutcomeEvent({ line: 2, sendId: 'd11/vip/c1', outcome: '拒绝再联系' }, at);
    expect(refused.eventType).toBe('unsubscribed');
  });
});

describe('hostile cells in a filled call list', () => {
  const header = '发送编号,客户编号,结果\n';
  it('rejects a send id with a control character or a page long, and keeps reading the rest', () => {
    const text = `${header}"d11/w1/c1\u0000",c1,已接通\n${'d11/w1/'}${'c'.repeat(400)},,已接通\nd11/w1/c2,c2,未接通\n`;
    const read = readCallOutcomes(text, 'calls.csv');
    expect(read.rows.map((r) => r.sendId)).toEqual(['d11/w1/c2']);
    expect(read.rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, '发送编号: not a send id of the call list (a control character, or longer than 300)'],
      [3, '发送编号: not a send id of the call list (a control character, or longer than 300)'],
    ]);
    expect(read.rejected[1]?.sendId.length).toBeLessThanOrEqual(300);
  });

  it('never shows a phone number typed into the send id or the customer id', () => {
    const text = `${header}13800138000,,已接通\nd11/w1/c3,13912345678,已接通\n`;
    const read = readCallOutcomes(text, 'calls.csv');
    expect(read.rejected).toHaveLength(2);
    expect(JSON.stringify(read.rejected)).not.toMatch(/1[3-9]\d{9}/);
  });
});
