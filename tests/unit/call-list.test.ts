import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../shared/delivery/senders/call-list-writer.ts';
import { CsvCallList } from '../../shared/delivery/senders/local/call-list-csv.ts';

describe('call list', () => {
  it('masks phone numbers: country code, first three and last four digits only', () => {
    expect(maskPhone('+8613812345678')).toBe('(+86) 138****5678');
    expect(maskPhone('+14155550123')).toBe('(+1) 415****0123');
    expect(maskPhone('not a phone')).toBe('****');
  });

  it('writes one CSV per wave, quoted, with no spreadsheet formulas and no full number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calls-'));
    const list = new CsvCallList(dir);
    const entry = {
      sendId: 'd11/vip/c1',
      campaignId: 'd11',
      waveId: 'vip',
      customerId: 'c1',
      name: '=HYPERLINK("http://evil")',
      phone: '+8613812345678',
      tier: 'vip',
      lastOrders: [{ orderId: 'o1', at: '2026-11-01 10:00:00', amount: 399 }],
      talkingPoints: '感谢支持, "双11" 老客返现',
    };
    const results = await list.add([entry]);
    expect(results[0]?.kind).toBe('sent');
    await list.add([{ ...entry, sendId: 'd11/vip/c2', customerId: 'c2' }]);
    const text = readFileSync(join(dir, 'call-list', 'd11__vip.csv'), 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('send_id,customer_id,name,phone_masked,tier,last_orders,talking_points');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain('"(+86) 138****5678"');
    expect(lines[1]).toContain('"2026-11-01 o1 ¥399.00"');
    expect(lines[1]).toContain('"感谢支持, ""双11"" 老客返现"');
    expect(text).not.toContain('13812345678');
  });
});
