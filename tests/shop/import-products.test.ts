import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { raw, sql } from '../../shared/lake/sql.ts';
import { segmentSql } from '../../shared/segment/compile-segment.ts';
import { importProducts } from '../../shared/shop/local/import/import-products.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** A real shop's product list makes `earlyBuyer` (launch dates) and category predicates match its orders. */
const ws = importWorkspace('import-products');
const write = (name: string, text: string, gbk = false) => ws.write(name, text, { gbk });

async function earlyBuyers(): Promise<string[]> {
  const wh = await DuckDbWarehouse.open(ws.dataDir());
  try {
    const sql = segmentSql(
      { earlyBuyer: { category: ['tshirt'], withinDaysOfLaunch: 7 } },
      {
        runAt: new Date('2025-12-01T00:00:00Z'),
        timeZone: 'Asia/Shanghai',
        campaignId: 'c',
        segments: {},
        dialect: 'duckdb',
      },
    );
    return (await wh.query(raw(sql))).rows // a segment's SQL, whatever type its module returns
      .map((r) => String(r.customer_id))
      .sort();
  } finally {
    await wh.close();
  }
}

describe('data import --format products', () => {
  it('stores the products and brings the order lines in step, so earlyBuyer matches real orders', async () => {
    const orders = await write(
      'orders.csv',
      [
        '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间',
        '="3801234567890001",early,100.00,交易成功,2025-03-03 10:00:00,2025-03-03 10:01:00',
        '="3801234567890002",late,100.00,交易成功,2025-05-01 10:00:00,2025-05-01 10:01:00',
      ].join('\n'),
    );
    await ws.importOrders({
      file: orders,
      format: 'taobao',
      rejectsFile: ws.path('r1.csv'),
    });
    const items = await write(
      'items.csv',
      '订单编号,商家编码,购买数量,价格\n="3801234567890001",tee-1,1,100\n="3801234567890002",tee-1,1,100\n',
    );
    const mapping = await write(
      'items.yaml',
      'columns: { order_id: 订单编号, sku: 商家编码, quantity: 购买数量, unit_price: 价格 }\n',
    );
    await ws.importOrders({
      file: items,
      format: 'mapped',
      mappingFile: mapping,
      rejectsFile: ws.path('r2.csv'),
    });
    expect(await earlyBuyers(), 'without launch dates nobody is an early buyer').toEqual([]);

    const products = await write(
      'products.csv',
      [
        '商家编码,宝贝标题,类目,季节,上新日期,一口价',
        'tee-1,纯棉T恤,tshirt,夏,2025-03-01,129.00',
        'sock-1,袜子,socks,四季,2025/1/5 00:00:00,19.9',
        'bad-1,坏,tshirt,雨季,2025-03-01,1',
        'bad-2,坏,tshirt,夏,2025-02-30,1',
        'sock-1,袜子,socks,四季,2025-01-06,19.9',
      ].join('\n'),
      true,
    );
    const r = await importProducts({ file: products, rejectsFile: ws.path('r3.csv'), dataDir: ws.dataDir() });
    expect(r).toMatchObject({
      encoding: 'gb18030',
      read: 5,
      imported: 1,
      rejected: 4,
      conflicts: 2,
      products: 1,
      productsNew: 1,
      orderLinesUpdated: 2,
    });
    const rejects = readFileSync(ws.path('r3.csv'), 'utf8');
    expect(rejects).toContain(
      '4,"季节: ""雨季"" is not a season; expected spring, summer, autumn, winter, all (or 春, 夏, 秋, 冬, 四季)"',
    );
    expect(rejects).toContain(
      '5,"上新日期: ""2025-02-30"" is not a date: day 30 does not exist: February 2025 has 28 days"',
    );
    expect(rejects).toContain(
      '3,"sku sock-1 is listed 2 times with different content (lines 3, 6): none of its rows imported; keep one row per sku"',
    );

    const wh = await DuckDbWarehouse.open(ws.dataDir());
    try {
      expect(
        (await wh.query(sql`SELECT sku, category, season, launch_date, list_price FROM products`)).rows,
      ).toEqual([
        { sku: 'tee-1', category: 'tshirt', season: 'summer', launch_date: '2025-03-01', list_price: 129 },
      ]);
      expect(
        (
          await wh.query(
            sql`SELECT order_id, category, season, launch_date FROM order_items ORDER BY order_id`,
          )
        ).rows,
      ).toEqual([
        { order_id: '3801234567890001', category: 'tshirt', season: 'summer', launch_date: '2025-03-01' },
        { order_id: '3801234567890002', category: 'tshirt', season: 'summer', launch_date: '2025-03-01' },
      ]);
    } finally {
      await wh.close();
    }
    const early = await earlyBuyers();
    expect(early).toHaveLength(1);
    expect(early[0]).toMatch(/^tb-/);

    // Imported again: nothing changes.
    const again = await importProducts({
      file: products,
      rejectsFile: ws.path('r3.csv'),
      dataDir: ws.dataDir(),
    });
    expect(again).toMatchObject({ products: 1, productsNew: 0, orderLinesUpdated: 0 });
  });
});
