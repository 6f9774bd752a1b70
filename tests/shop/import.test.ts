import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { importOrders } from '../../shared/shop/local/import/import-orders.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function query(sql: string) {
  const wh = await DuckDbWarehouse.open(join(dir, 'data'));
  try {
    return (await wh.query(sql)).rows;
  } finally {
    await wh.close();
  }
}

const TAOBAO_HEADER =
  '订单编号,买家会员名,买家实际支付金额,总金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间';
const TAOBAO_ROWS = [
  '="3801234567890001",小明同学,188.00,200.00,交易成功,王小明,浙江省 杭州市 西湖区 文三路1号,13812345678,2025-11-11 00:01:23,2025-11-11 00:02:00',
  '="3801234567890002",小明同学,59.90,59.90,等待买家付款,王小明,浙江省 杭州市 西湖区 文三路1号,13812345678,2025-11-12 09:00:00,',
  '="3801234567890003",lily_88,99.00,99.00,交易关闭,李丽,广东省 深圳市 南山区,138****5678,2025-06-18 20:00:00,2025-06-18 20:01:00',
  'abc,坏数据,1,1,交易成功,某人,北京市 北京市,13900000000,2025-01-01 10:00:00,2025-01-01 10:00:00',
  '="3801234567890005",王五,12x,12,交易成功,王五,上海市 上海市,13900000001,2025-01-01 10:00:00,2025-01-01 10:01:00',
  '="3801234567890006",赵六,10.00,10.00,已发货了,赵六,上海市 上海市,13900000002,2025-01-02 10:00:00,2025-01-02 10:01:00',
];

async function writeTaobao(name: string, encoding: 'gbk' | 'utf8'): Promise<string> {
  const file = join(dir, name);
  const text = `${[TAOBAO_HEADER, ...TAOBAO_ROWS].join('\r\n')}\r\n`;
  await writeFile(file, encoding === 'gbk' ? iconv.encode(text, 'gbk') : text);
  return file;
}

describe('import of a Taobao/Tmall order report', () => {
  it('detects GBK, imports good rows, rejects bad ones with line and reason, and reconciles the counts', async () => {
    const file = await writeTaobao('orders.csv', 'gbk');
    const rejectsFile = join(dir, 'rejects.csv');
    const r = await importOrders({ file, format: 'taobao', rejectsFile, dataDir: join(dir, 'data') });
    expect(r).toMatchObject({
      encoding: 'gb18030',
      read: 6,
      imported: 3,
      rejected: 3,
      orders: 3,
      ordersNew: 3,
      ordersUpdated: 0,
      customersNew: 2,
    });
    expect(r.read).toBe(r.imported + r.rejected);

    const rejects = readFileSync(rejectsFile, 'utf8');
    expect(rejects).toContain('5,"订单编号: expected the order number (digits), got ""abc"""');
    expect(rejects).toContain(
      '6,"买家实际支付金额: expected an amount like 1,299.00 (at most two decimals), got ""12x"""',
    );
    expect(rejects).toContain('7,"订单状态: unknown status ""已发货了""');

    const orders = await query(
      `SELECT order_id, status, amount, discount, created_at, paid_at, dt FROM orders ORDER BY order_id`,
    );
    expect(orders).toEqual([
      {
        order_id: '3801234567890001',
        status: 'paid',
        amount: 188,
        discount: 12,
        created_at: '2025-11-10 16:01:23',
        paid_at: '2025-11-10 16:02:00',
        dt: '2025-11',
      },
      {
        order_id: '3801234567890002',
        status: 'unpaid',
        amount: 59.9,
        discount: 0,
        created_at: '2025-11-12 01:00:00',
        paid_at: null,
        dt: '2025-11',
      },
      {
        order_id: '3801234567890003',
        status: 'refunded',
        amount: 99,
        discount: 0,
        created_at: '2025-06-18 12:00:00',
        paid_at: '2025-06-18 12:01:00',
        dt: '2025-06',
      },
    ]);
    const customers = await query(
      `SELECT name, province, city, phone, acquisition_channel FROM customers ORDER BY name`,
    );
    expect(customers).toEqual([
      { name: '李丽', province: '广东省', city: '深圳市', phone: null, acquisition_channel: 'taobao' },
      {
        name: '王小明',
        province: '浙江省',
        city: '杭州市',
        phone: '+8613812345678',
        acquisition_channel: 'taobao',
      },
    ]);
  });

  it('does not duplicate orders when the same file is imported twice (UTF-8 this time)', async () => {
    const file = await writeTaobao('orders-utf8.csv', 'utf8');
    const opts = {
      file,
      format: 'taobao' as const,
      rejectsFile: join(dir, 'r.csv'),
      dataDir: join(dir, 'data'),
    };
    const first = await importOrders(opts);
    const second = await importOrders(opts);
    expect(first.encoding).toBe('utf-8');
    expect(second).toMatchObject({ ordersNew: 0, ordersUpdated: 3, customersNew: 0 });
    expect(await query(`SELECT count(*) AS n, count(DISTINCT order_id) AS d FROM orders`)).toEqual([
      { n: 3, d: 3 },
    ]);
    expect(await query(`SELECT count(*) AS n FROM customers`)).toEqual([{ n: 2 }]);
  });

  it('names the missing columns when the file is not a Taobao report', async () => {
    const file = join(dir, 'other.csv');
    await writeFile(file, 'order,amount\n1,2\n');
    await expect(
      importOrders({ file, format: 'taobao', rejectsFile: join(dir, 'r.csv'), dataDir: join(dir, 'data') }),
    ).rejects.toThrow(
      new DataError(
        `${file}:1: missing column(s) 订单编号, 买家会员名, 买家实际支付金额, 订单状态, 订单创建时间; the header has order, amount`,
      ),
    );
  });
});

describe('import of a Shopify orders export', () => {
  it('groups line items under their order and keeps consent from Accepts Marketing', async () => {
    const file = join(dir, 'shopify.csv');
    await writeFile(
      file,
      [
        'Name,Email,Financial Status,Paid at,Accepts Marketing,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing City,Billing Province,Billing Phone',
        '#1001,ann@example.com,paid,2025-11-11 10:05:00 +0800,yes,150.00,10.00,2025-11-11 10:00:00 +0800,2,Tee,40.00,TEE-1,Ann,Hangzhou,ZJ,',
        '#1001,,,,,,,,1,Trousers,80.00,TRS-1,,,,',
        '#1002,bob@example.com,pending,,no,20.00,0,2025-11-12 09:00:00 +0800,1,Socks,20.00,SOCK-1,Bob,Shanghai,SH,',
        '#1003,,,,,,,,1,Orphan,5.00,X,,,,',
      ].join('\n'),
    );
    const r = await importOrders({
      file,
      format: 'shopify',
      rejectsFile: join(dir, 'r.csv'),
      dataDir: join(dir, 'data'),
    });
    expect(r).toMatchObject({ read: 4, imported: 3, rejected: 1, orders: 2, ordersNew: 2 });
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toContain(
      "5,line item of order #1003 without the order's first row",
    );
    expect(
      await query(
        `SELECT order_id, line_no, sku, quantity, unit_price FROM order_items ORDER BY order_id, line_no`,
      ),
    ).toEqual([
      { order_id: '#1001', line_no: 1, sku: 'TEE-1', quantity: 2, unit_price: 40 },
      { order_id: '#1001', line_no: 2, sku: 'TRS-1', quantity: 1, unit_price: 80 },
      { order_id: '#1002', line_no: 1, sku: 'SOCK-1', quantity: 1, unit_price: 20 },
    ]);
    expect(await query(`SELECT email, email_consent FROM customers ORDER BY email`)).toEqual([
      { email: 'ann@example.com', email_consent: true },
      { email: 'bob@example.com', email_consent: false },
    ]);
  });
});

describe('import of any CSV with a mapping file', () => {
  const importMapped = (file: string, mapping: string) =>
    importOrders({
      file,
      format: 'mapped',
      mappingFile: mapping,
      rejectsFile: join(dir, 'r.csv'),
      dataDir: join(dir, 'data'),
    });

  it('maps columns and statuses, and reports mapping-file problems with their position', async () => {
    const file = join(dir, 'erp.csv');
    await writeFile(
      file,
      'No,Buyer,When,State,Paid\nA-1,b1,2025-03-01 12:00,done,66.6\nA-2,b2,2025-03-02 12:00,weird,1\n',
    );
    const mapping = join(dir, 'map.yaml');
    await writeFile(
      mapping,
      'columns:\n  order_id: No\n  customer_id: Buyer\n  created_at: When\n  status: State\n  amount: Paid\nstatuses:\n  done: paid\n',
    );
    const r = await importMapped(file, mapping);
    expect(r).toMatchObject({ read: 2, imported: 1, rejected: 1 });
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toContain(
      '3,"State: status ""weird"" is not in the mapping\'s statuses"',
    );

    await writeFile(mapping, 'columns:\n  order_id: No\nstatuses:\n  done: payed\n');
    await expect(importMapped(file, mapping)).rejects.toThrow(
      /map\.yaml:4:9 statuses\.done: expected one of paid, unpaid, closed, refunded/,
    );
  });

  it('writes no rejects file when every row is imported', async () => {
    const file = join(dir, 'ok.csv');
    await writeFile(file, 'No,Buyer,When,State,Paid\nA-1,b1,2025-03-01 12:00,done,66.6\n');
    const mapping = join(dir, 'map.yaml');
    await writeFile(
      mapping,
      'columns: { order_id: No, customer_id: Buyer, created_at: When, status: State, amount: Paid }\nstatuses: { done: paid }\n',
    );
    const r = await importMapped(file, mapping);
    expect(r).toMatchObject({ read: 1, imported: 1, rejected: 0, rejectsFile: null });
    expect(existsSync(join(dir, 'r.csv'))).toBe(false);
  });
});

describe('order status on order lines', () => {
  it('follows the order when a later import changes its status without sending lines', async () => {
    const dataDir = join(dir, 'data');
    const shopify = join(dir, 'shopify.csv');
    await writeFile(
      shopify,
      'Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem price,Lineitem sku\n#2001,a@example.com,paid,10.00,2025-11-11 10:00:00 +0800,1,10.00,SKU-1\n',
    );
    await importOrders({ file: shopify, format: 'shopify', rejectsFile: join(dir, 'r.csv'), dataDir });
    expect(await query('SELECT order_status FROM order_items')).toEqual([{ order_status: 'paid' }]);

    const erp = join(dir, 'erp.csv');
    await writeFile(erp, 'No,Buyer,When,State,Paid\n#2001,a@example.com,2025-11-11 10:00,refunded,10\n');
    const mapping = join(dir, 'map.yaml');
    await writeFile(
      mapping,
      'columns: { order_id: No, customer_id: Buyer, created_at: When, status: State, amount: Paid }\nstatuses: { refunded: refunded }\n',
    );
    await importOrders({
      file: erp,
      format: 'mapped',
      mappingFile: mapping,
      rejectsFile: join(dir, 'r.csv'),
      dataDir,
    });
    expect(
      await query('SELECT o.status, i.order_status, i.sku FROM orders o JOIN order_items i USING (order_id)'),
    ).toEqual([{ status: 'refunded', order_status: 'refunded', sku: 'SKU-1' }]);
  });
});

describe('import of an order-events feed (JSON lines)', () => {
  const order = (over: Record<string, unknown> = {}) => ({
    orderId: 'T-9001',
    customerId: 'c-42',
    createdAt: '2026-11-11T00:05:00+08:00',
    amount: 259,
    discount: 40,
    channel: '直播',
    customer: {
      name: '王小明',
      province: '浙江省',
      city: '杭州市',
      phone: '+8613812345678',
      smsConsent: true,
    },
    items: [
      { sku: 'tee-1', category: 'tshirt', quantity: 2, unitPrice: 99.5 },
      { sku: 'sock-1', category: 'socks', quantity: 1, unitPrice: 100 },
    ],
    ...over,
  });

  it('keeps the latest event of each order whatever the line order, and rejects bad lines with their reason', async () => {
    const dataDir = join(dir, 'data');
    const file = join(dir, 'orders.jsonl');
    const lines = [
      // Delivered out of order and twice: paid (00:06) comes before created (00:05).
      { event: 'paid', at: '2026-11-11T00:06:00+08:00', order: order() },
      { event: 'created', at: '2026-11-11T00:05:00+08:00', order: order() },
      { event: 'created', at: '2026-11-11T00:05:00+08:00', order: order() },
      { event: 'created', at: '2026-11-11T01:00:00+08:00', order: order({ orderId: 'T-9002', amount: 59 }) },
      { event: 'dispatched', at: '2026-11-11T02:00:00+08:00', order: order({ orderId: 'T-9003' }) },
      { event: 'paid', at: '2026-11-11T02:00:00+08:00', order: order({ orderId: 'T-9004', items: [] }) },
    ].map((l) => JSON.stringify(l));
    lines.push('{not json');
    await writeFile(file, `${lines.join('\n')}\n\n`);
    const result = await importOrders({
      file,
      format: 'order-events',
      rejectsFile: join(dir, 'rejects.csv'),
      dataDir,
    });
    expect(result).toMatchObject({
      read: 7,
      imported: 4,
      rejected: 3,
      orders: 2,
      ordersNew: 2,
      customersNew: 1,
    });
    const rejects = readFileSync(join(dir, 'rejects.csv'), 'utf8');
    expect(rejects).toContain('5,"event: Invalid option');
    expect(rejects).toContain('6,order.items: Too small');
    expect(rejects).toContain('7,not a JSON object');

    expect(
      await query('SELECT order_id, status, paid_at, amount, channel, source FROM orders ORDER BY order_id'),
    ).toEqual([
      {
        order_id: 'T-9001',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        amount: 259,
        channel: '直播',
        source: 'order-events',
      },
      {
        order_id: 'T-9002',
        status: 'unpaid',
        paid_at: null,
        amount: 59,
        channel: '直播',
        source: 'order-events',
      },
    ]);
    expect(
      await query(
        "SELECT sku, category, quantity, order_status FROM order_items WHERE order_id = 'T-9001' ORDER BY sku",
      ),
    ).toEqual([
      { sku: 'sock-1', category: 'socks', quantity: 1, order_status: 'paid' },
      { sku: 'tee-1', category: 'tshirt', quantity: 2, order_status: 'paid' },
    ]);

    // A refund arrives later: the order follows, nothing is duplicated.
    await writeFile(
      file,
      `${JSON.stringify({ event: 'refunded', at: '2026-11-15T10:00:00+08:00', order: order({ paidAt: '2026-11-11T00:06:00+08:00' }) })}\n`,
    );
    await importOrders({ file, format: 'order-events', rejectsFile: join(dir, 'rejects.csv'), dataDir });
    expect(
      await query("SELECT count(*) AS n, max(status) AS status FROM orders WHERE order_id = 'T-9001'"),
    ).toEqual([{ n: 1, status: 'refunded' }]);
  });
});
