import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbSession } from '../../shared/lake/local/duckdb-session.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import type { importOrders } from '../../shared/shop/local/import/import-orders.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** What an order import keeps about the buyer besides the order: nickname, city tier, member tier. */
const ws = importWorkspace('import-fields');
const query = ws.query;

async function importTaobao(text: string, opts: Partial<Parameters<typeof importOrders>[0]> = {}) {
  const file = await ws.write('orders.csv', text, { gbk: true });
  return ws.importOrders({ file, format: 'taobao', rejectsFile: ws.path('orders.rejects.csv'), ...opts });
}

const HEADER =
  '订单编号,买家会员名,买家实际支付金额,总金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间';
const ORDER_REPORT = [
  HEADER,
  '="3801234567890001",小明同学,188.00,200.00,交易成功,王小明,浙江省 杭州市 西湖区 文三路1号,13812345678,2025-11-11 00:01:23,2025-11-11 00:02:00',
  '="3801234567890002",lily_88,99.00,99.00,交易成功,李丽,广东省 深圳市 南山区,,2025-06-18 20:00:00,2025-06-18 20:01:00',
].join('\r\n');

describe('the buyer nickname (买家会员名)', () => {
  it('is kept on the customer as well as hashed into the id', async () => {
    await importTaobao(ORDER_REPORT);
    expect(await query('SELECT nickname, name FROM customers ORDER BY nickname')).toEqual([
      { nickname: 'lily_88', name: '李丽' },
      { nickname: '小明同学', name: '王小明' },
    ]);
  });

  it('reads and imports into a lake whose customers were written before the column existed', async () => {
    const data = ws.dataDir();
    const customers = tableDir(data, 'customers');
    await mkdir(customers, { recursive: true });
    const db = await DuckDbSession.open({ threads: 1 });
    try {
      // The customers table as lakes wrote it before nickname (and the loyalty columns) were added.
      await db.run(sql`COPY (SELECT 'c00000001' AS customer_id, '赵六' AS name, '北京市' AS province,
        '北京市' AS city, 1 AS city_tier, 'F' AS gender, 'unknown' AS age_band, 'normal' AS member_tier,
        'organic' AS acquisition_channel, CAST(NULL AS VARCHAR) AS email, false AS email_consent,
        CAST(NULL AS VARCHAR) AS phone, false AS sms_consent, CAST(NULL AS VARCHAR) AS time_zone,
        TIMESTAMP '2024-01-01 00:00:00' AS registered_at) TO ${sqlString(join(customers, 'part-0.parquet'))} (FORMAT parquet)`);
    } finally {
      db.close();
    }
    expect(await query('SELECT customer_id, nickname FROM customers')).toEqual([
      { customer_id: 'c00000001', nickname: null },
    ]);
    const result = await importTaobao(ORDER_REPORT);
    expect(result).toMatchObject({ imported: 2, rejected: 0, customersNew: 2 });
    expect(await query('SELECT name, nickname FROM customers ORDER BY nickname NULLS FIRST')).toEqual([
      { name: '赵六', nickname: null },
      { name: '李丽', nickname: 'lily_88' },
      { name: '王小明', nickname: '小明同学' },
    ]);
  });
});

describe('the city tier', () => {
  it('comes from the address’s city by the bundled table (municipalities by province); unknown cities are NULL and counted', async () => {
    const result = await importTaobao(
      [
        HEADER,
        '="3801234567890001",a1,10.00,10.00,交易成功,甲,浙江省 杭州市 西湖区,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890002",a2,10.00,10.00,交易成功,乙,北京 朝阳区 建国路,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890003",a3,10.00,10.00,交易成功,丙,广东省 佛山 南海区,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890004",a4,10.00,10.00,交易成功,丁,四川省 乐山市 市中区,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890005",a5,10.00,10.00,交易成功,戊,江苏省 扬州市,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890006",a6,10.00,10.00,交易成功,己,某省 不存在市,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890007",a7,10.00,10.00,交易成功,庚,,,2025-11-11 00:01:23,2025-11-11 00:02:00',
        '="3801234567890008",a8,10.00,10.00,交易成功,辛,湖北省 襄阳市,,2025-11-11 00:01:23,2025-11-11 00:02:00',
      ].join('\r\n'),
    );
    expect(result).toMatchObject({ imported: 8, customersNew: 8, cityTierUnknown: 2 });
    expect(await query('SELECT name, city_tier FROM customers ORDER BY nickname')).toEqual([
      { name: '甲', city_tier: 2 },
      { name: '乙', city_tier: 1 },
      { name: '丙', city_tier: 2 },
      { name: '丁', city_tier: 5 },
      { name: '戊', city_tier: 4 },
      { name: '己', city_tier: null },
      { name: '庚', city_tier: null },
      { name: '辛', city_tier: 3 },
    ]);
  });

  it('is read from Shopify’s shipping city (Latin names of the first tiers too)', async () => {
    const result = await ws.importFile(
      'shopify.csv',
      [
        'Name,Email,Financial Status,Paid at,Accepts Marketing,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing City,Shipping City',
        '#1001,a@example.com,paid,2025-11-11 00:02:00 +0800,no,10.00,2025-11-11 00:01:00 +0800,1,T,10.00,t-1,Nowhere,Shenzhen',
        '#1002,b@example.com,paid,2025-11-11 00:02:00 +0800,no,10.00,2025-11-11 00:01:00 +0800,1,T,10.00,t-1,温州,',
      ].join('\n'),
      'shopify',
    );
    expect(result).toMatchObject({ imported: 2, cityTierUnknown: 0 });
    expect(await query('SELECT city, city_tier FROM customers ORDER BY city')).toEqual([
      { city: 'Shenzhen', city_tier: 1 },
      { city: '温州', city_tier: 3 },
    ]);
  });
});
