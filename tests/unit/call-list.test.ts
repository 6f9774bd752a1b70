import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  formatCallTime,
  fullPhone,
  suggestedCallTime,
} from '../../shared/delivery/senders/call-list-sheet.ts';
import { maskPhone } from '../../shared/delivery/senders/call-list-writer.ts';
import { CsvCallList } from '../../shared/delivery/senders/local/call-list-csv.ts';
import { ENTRY } from '../helpers/call-list-entry.ts';

describe('call list', () => {
  it('masks phone numbers: country code, first three and last four digits only', () => {
    expect(maskPhone('+8613812345678')).toBe('(+86) 138****5678');
    expect(maskPhone('+14155550123')).toBe('(+1) 415****0123');
    expect(maskPhone('not a phone')).toBe('****');
    // The dialling export: in full, but not as a formula (no leading +).
    expect(fullPhone('+8613812345678')).toBe('(+86) 13812345678');
  });

  it('writes one sheet per wave that Excel opens on a Chinese system: BOM, Chinese headers, masked phone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calls-'));
    const list = new CsvCallList(dir);
    const results = await list.add([ENTRY]);
    expect(results[0]?.kind).toBe('sent');
    await list.add([{ ...ENTRY, sendId: 'd11/vip/c2', customerId: 'c2', memberTier: 'gold' }]);
    const bytes = readFileSync(join(dir, 'call-list', 'd11__vip.csv'));
    // UTF-8 byte-order mark once, at the start (Excel reads a CSV without it as GBK on a Chinese system).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.match(/\uFEFF/g)).toHaveLength(1);
    const lines = text.slice(1).trim().split('\n');
    expect(lines[0]).toBe(
      '发送编号,客户编号,客户,手机,会员等级,价值层级,省份,城市,建议致电时间,活动,波次,优惠,版本,最近订单,话术,结果',
    );
    expect(lines).toHaveLength(3);
    const rows = parse(text.slice(1), { columns: true }) as Record<string, string>[];
    expect(rows[0]).toEqual({
      发送编号: 'd11/vip/c1',
      客户编号: 'c1',
      客户: `'=HYPERLINK("http://evil")`,
      手机: '(+86) 138****5678',
      会员等级: '钻石会员',
      价值层级: 'vip',
      省份: '浙江省',
      城市: '杭州市',
      建议致电时间: '2026-11-11 09:00',
      活动: '双11 2026',
      波次: '双11零点：老客返现',
      优惠: '老客返现20元（满199可用）',
      版本: 'urgency',
      最近订单: '2026-11-01 o1 ¥399.00',
      话术: '感谢支持, "双11" 老客返现',
      结果: '',
    });
    expect(rows[1]?.会员等级).toBe('金卡会员');
    expect(text).not.toContain('13812345678');
  });

  it("suggests the first half hour outside the call list's quiet hours, in the customer's zone", () => {
    const window = { start: '20:00', end: '09:00' };
    // 00:00 in Shanghai (16:00 UTC): inside 20:00–09:00, so 09:00 that morning.
    const midnight = new Date('2026-11-10T16:00:00Z');
    expect(
      formatCallTime(suggestedCallTime(midnight, window, 'Asia/Shanghai'), 'Asia/Shanghai', 'Asia/Shanghai'),
    ).toBe('2026-11-11 09:00');
    // 10:07 in Shanghai: the next half hour.
    const morning = new Date('2026-11-11T02:07:00Z');
    expect(
      formatCallTime(suggestedCallTime(morning, window, 'Asia/Shanghai'), 'Asia/Shanghai', 'Asia/Shanghai'),
    ).toBe('2026-11-11 10:30');
    // 19:50 in Shanghai rounds to 20:00, inside the window: 09:00 the next day.
    const evening = new Date('2026-11-11T11:50:00Z');
    expect(
      formatCallTime(suggestedCallTime(evening, window, 'Asia/Shanghai'), 'Asia/Shanghai', 'Asia/Shanghai'),
    ).toBe('2026-11-12 09:00');
    // A customer in Kathmandu (+05:45): half hours of their own clock, their zone shown.
    const noon = new Date('2026-11-11T06:07:00Z'); // 11:52 there
    expect(
      formatCallTime(suggestedCallTime(noon, window, 'Asia/Kathmandu'), 'Asia/Kathmandu', 'Asia/Shanghai'),
    ).toBe('2026-11-11 12:00 (Asia/Kathmandu)');
    // 07:52 there: inside its quiet hours, so 09:00 its time.
    expect(
      formatCallTime(suggestedCallTime(morning, window, 'Asia/Kathmandu'), 'Asia/Kathmandu', 'Asia/Shanghai'),
    ).toBe('2026-11-11 09:00 (Asia/Kathmandu)');
  });
});
