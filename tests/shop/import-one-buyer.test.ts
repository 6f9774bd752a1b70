import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { importOrders } from '../../shared/shop/local/import/import-orders.ts';

/** A Taobao shop's two exports — the order report and the item report — make one customer per buyer. */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-buyer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));

async function query(sql: string) {
  const wh = await DuckDbWarehouse.open(join(dir, 'data'));
  try {
    return (await wh.query(sql)).rows;
  } finally {
    await wh.close();
  }
}

async function importFile(name: string, text: string, format: 'taobao' | 'mapped', mapping?: string) {
  const file = join(dir, name);
  await writeFile(file, iconv.encode(text, 'gbk'));
  let mappingFile: string | undefined;
  if (mapping) {
    mappingFile = join(dir, `${name}.yaml`);
    await writeFile(mappingFile, mapping);
  }
  return importOrders({
    file,
    format,
    mappingFile,
    rejectsFile: join(dir, `${name}.rejects.csv`),
    dataDir: join(dir, 'data'),
    clock,
  });
}

const ORDER_REPORT = [
  '订单编号,买家会员名,买家实际支付金额,总金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间',
  '="3801234567890001",小明同学,188.00,200.00,交易成功,王小明,浙江省 杭州市,13812345678,2025-11-11 00:01:23,2025-11-11 00:02:00',
  '="3801234567890002",lily_88,99.00,99.00,交易成功,李丽,广东省 深圳市,,2025-06-18 20:00:00,2025-06-18 20:01:00',
].join('\r\n');

// Taobao's 订单明细 (item report): order number, title, price, quantity, the seller's sku code — no buyer.
const ITEM_REPORT = [
  '订单编号,标题,价格,购买数量,商家编码,订单状态',
  '="3801234567890001",纯棉T恤 白色 L,100.00,1,tee-white-L,交易成功',
  '="3801234567890001",休闲裤 黑色,100.00,1,trousers-black,交易成功',
  '="3801234567890002",袜子 三双装,99.00,1,socks-3,交易成功',
  '="3801234567899999",不在订单报表里的订单,10.00,1,x-1,交易成功',
].join('\r\n');
const ITEM_MAPPING = 'columns: { order_id: 订单编号, sku: 商家编码, quantity: 购买数量, unit_price: 价格 }\n';

describe('one customer per buyer across the order report and the item report', () => {
  it('joins the item report’s lines to the orders the order report imported, creating no customer', async () => {
    await importFile('orders.csv', ORDER_REPORT, 'taobao');
    const items = await importFile('items.csv', ITEM_REPORT, 'mapped', ITEM_MAPPING);
    expect(items).toMatchObject({
      read: 4,
      imported: 3,
      rejected: 1,
      orders: 2,
      ordersNew: 0,
      ordersUpdated: 2,
      customersNew: 0,
    });
    expect(readFileSync(join(dir, 'items.csv.rejects.csv'), 'utf8')).toContain(
      '5,"order 3801234567899999: line items of an order that is not in the lake, and no row of the file carries its fields (import the orders first)"',
    );
    expect(await query('SELECT count(*) AS n FROM customers')).toEqual([{ n: 2 }]);
    expect(
      await query(
        'SELECT i.order_id, i.line_no, i.sku, i.customer_id = o.customer_id AS same_buyer, o.source, o.amount FROM order_items i JOIN orders o USING (order_id) ORDER BY i.order_id, i.line_no',
      ),
    ).toEqual([
      {
        order_id: '3801234567890001',
        line_no: 1,
        sku: 'tee-white-L',
        same_buyer: true,
        source: 'taobao',
        amount: 188,
      },
      {
        order_id: '3801234567890001',
        line_no: 2,
        sku: 'trousers-black',
        same_buyer: true,
        source: 'taobao',
        amount: 188,
      },
      {
        order_id: '3801234567890002',
        line_no: 1,
        sku: 'socks-3',
        same_buyer: true,
        source: 'taobao',
        amount: 99,
      },
    ]);

    // Imported again, the lines are replaced, not added.
    await importFile('items.csv', ITEM_REPORT, 'mapped', ITEM_MAPPING);
    expect(await query('SELECT count(*) AS n FROM order_items')).toEqual([{ n: 3 }]);
  });

  it('a mapped file with customerIds: taobao names the buyer as the order report does', async () => {
    await importFile('orders.csv', ORDER_REPORT, 'taobao');
    const erp = await importFile(
      'erp.csv',
      '单号,买家会员名,下单时间,状态,实付\nERP-1,小明同学,2025-12-01 10:00:00,已完成,50\n',
      'mapped',
      'customerIds: taobao\ncolumns: { order_id: 单号, customer_id: 买家会员名, created_at: 下单时间, status: 状态, amount: 实付 }\nstatuses: { 已完成: paid }\n',
    );
    expect(erp).toMatchObject({ imported: 1, customersNew: 0 });
    expect(
      await query(
        "SELECT count(DISTINCT customer_id) AS buyers FROM orders WHERE order_id IN ('3801234567890001', 'ERP-1')",
      ),
    ).toEqual([{ buyers: 1 }]);
  });

  it('a mapping that maps some order columns but not all is refused with its position', async () => {
    await expect(
      importFile(
        'bad.csv',
        '订单编号,价格\n1,2\n',
        'mapped',
        'columns: { order_id: 订单编号, amount: 价格 }\n',
      ),
    ).rejects.toThrow(
      /bad\.csv\.yaml:1:10 columns: map all of customer_id, created_at, status, amount .*missing customer_id, created_at, status/,
    );
  });

  it('takes the acquisition channel from the order’s own promotion mark (聚划算, 淘抢购 …) or a mapped column', async () => {
    await importFile(
      'marked.csv',
      [
        '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,订单类型',
        '="3801234567890011",flash,59.00,交易成功,2025-06-01 10:00:00,2025-06-01 10:01:00,聚划算',
        '="3801234567890012",flash,99.00,交易成功,2025-07-01 10:00:00,2025-07-01 10:01:00,',
        '="3801234567890013",plain,99.00,交易成功,2025-07-01 10:00:00,2025-07-01 10:01:00,',
      ].join('\r\n'),
      'taobao',
    );
    await importFile(
      'erp.csv',
      '单号,客户,下单时间,状态,实付,来源\nE-1,live-fan,2025-08-01 10:00:00,已完成,50,直播\n',
      'mapped',
      'customerIds: as-is\ncolumns: { order_id: 单号, customer_id: 客户, created_at: 下单时间, status: 状态, amount: 实付, channel: 来源 }\nstatuses: { 已完成: paid }\n',
    );
    expect(await query('SELECT order_id, channel FROM orders ORDER BY order_id')).toEqual([
      { order_id: '3801234567890011', channel: '聚划算' },
      { order_id: '3801234567890012', channel: 'taobao' },
      { order_id: '3801234567890013', channel: 'taobao' },
      { order_id: 'E-1', channel: '直播' },
    ]);
    expect(
      await query('SELECT acquisition_channel AS c, count(*) AS n FROM customers GROUP BY 1 ORDER BY 1'),
    ).toEqual([
      { c: 'taobao', n: 1 },
      { c: '直播', n: 1 },
      { c: '聚划算', n: 1 },
    ]);
  });
});
