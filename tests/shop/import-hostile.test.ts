import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../shared/errors.ts';
import type { ImportFormat } from '../../shared/shop/local/import/import-orders.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** Hostile and broken rows in every import format: each bad row is rejected with its reason, the rest imported. */
const ws = importWorkspace('import-hostile');
const query = ws.query;

/** Imports the file (the workspace checks read = imported + rejected) and reads its rejects by line. */
async function run(name: string, content: string | Buffer, format: ImportFormat, mappingFile?: string) {
  const result = await ws.importFile(name, content, format, { mappingFile });
  const rejectsFile = ws.path(`${name}.rejects.csv`);
  const rejects = existsSync(rejectsFile)
    ? (parse(readFileSync(rejectsFile, 'utf8'), { bom: true, relax_column_count: true }) as string[][])
        .slice(1)
        .map((r) => [Number(r[0]), r[1] as string] as const)
    : [];
  expect(rejects.length).toBe(result.rejected);
  return { result, rejects: new Map(rejects) };
}

const TAOBAO =
  '订单编号,买家会员名,买家实际支付金额,总金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间';
const tb = (id: number, amount: string, created: string, paid = '') =>
  `="${3_801_234_567_890_000 + id}",buyer${id},${amount},${amount},${paid ? '交易成功' : '等待买家付款'},名${id},浙江省 杭州市,,${created},${paid}`;

describe('impossible times are rejected per row, never rolled over', () => {
  const bad: [string, string, RegExp][] = [
    ['2025-13-45 99:00:00', '', /订单创建时间: "2025-13-45 99:00:00" is not a time: month 13 does not exist/],
    ['2025-02-30 10:00:00', '', /day 30 does not exist: February 2025 has 28 days/],
    ['2025-01-01 25:00:00', '', /hour 25 does not exist/],
    ['2025-01-01 10:61:00', '', /minute 61 does not exist/],
    ['2025-01-01 24:00:00', '', /hour 24 does not exist \(midnight is 00:00 of the next day\)/],
    ['0000-01-01 10:00:00', '', /year 0 does not exist/],
    ['9999-12-31 10:00:00', '', /created 9999-12-31 02:00:00 UTC, in the future/],
    ['1970-01-01 10:00:00', '', /before 1995: not an order time/],
    ['2025-11-11 10:00:00', '2025-11-11 09:59:59', /paid 2025-11-11 01:59:59 UTC before it was created/],
    [
      '2025-11-11 10:00:00',
      '2025-11-31 10:00:00',
      /订单付款时间: "2025-11-31 10:00:00" is not a time: day 31/,
    ],
  ];

  it('Taobao order report', async () => {
    const rows = [tb(0, '10.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00')];
    bad.forEach(([created, paid], i) => {
      rows.push(tb(i + 1, '10.00', created, paid));
    });
    const { result, rejects } = await run('times.csv', [TAOBAO, ...rows].join('\n'), 'taobao');
    expect(result).toMatchObject({ read: 11, imported: 1, rejected: 10, ordersNew: 1 });
    bad.forEach(([, , reason], i) => {
      expect(rejects.get(i + 3), `line ${i + 3}`).toMatch(reason);
    });
    expect(await query('SELECT created_at FROM orders')).toEqual([{ created_at: '2025-11-11 02:00:00' }]);
  });

  it('Shopify export (times with their own offset)', async () => {
    const header = 'Name,Email,Financial Status,Paid at,Total,Created at,Lineitem quantity,Lineitem price';
    const row = (n: number, created: string, paid = '') =>
      `#${n},b${n}@example.com,paid,${paid},10.00,${created},1,10.00`;
    const { result, rejects } = await run(
      'shopify.csv',
      [
        header,
        row(1, '2025-11-11 10:00:00 +0800'),
        row(2, '2025-02-30 10:00:00 +0800'),
        row(3, '2025-11-11 10:00:00 +2500'),
        row(4, '2025-11-11 10:00:00 +0800', '2025-11-11 09:00:00 +0800'),
        row(5, '2025-11-11 10:00:00 +0800', '2025-11-11 24:00:00 +0800'),
      ].join('\n'),
      'shopify',
    );
    expect(result).toMatchObject({ read: 5, imported: 1, rejected: 4 });
    expect(rejects.get(3)).toMatch(/^Created at: "2025-02-30 10:00:00 \+0800" is not a time: day 30/);
    expect(rejects.get(4)).toMatch(/no such offset from UTC/);
    expect(rejects.get(5)).toMatch(/paid 2025-11-11 01:00:00 UTC before it was created/);
    expect(rejects.get(6)).toMatch(/^Paid at: .*hour 24 does not exist/);
  });

  it('mapped CSV', async () => {
    const mapping = await ws.write(
      'map.yaml',
      'columns: { order_id: No, customer_id: Buyer, created_at: When, status: State, amount: Paid }\nstatuses: { done: paid }\n',
    );
    const mapped = await run(
      'erp.csv',
      'No,Buyer,When,State,Paid\nA-1,b1,2025-03-01 12:00,done,6\nA-2,b2,2025-02-29 12:00,done,6\n',
      'mapped',
      mapping,
    );
    expect(mapped.rejects.get(3)).toBe(
      'When: "2025-02-29 12:00" is not a time: day 29 does not exist: February 2025 has 28 days',
    );
  });

  it('mapped CSV: an order id, customer id or sku longer than 200 characters (as for a feed or a product) rejects its row', async () => {
    const mapping = await ws.write(
      'map-ids.yaml',
      'customerIds: as-is\ncolumns: { order_id: No, customer_id: Buyer, created_at: When, status: State, amount: Paid, sku: Sku }\nstatuses: { done: paid }\n',
    );
    const long = 'x'.repeat(201);
    const ok = 'y'.repeat(200);
    const mapped = await run(
      'erp-ids.csv',
      [
        'No,Buyer,When,State,Paid,Sku',
        `A-${ok.slice(2)},${ok},2025-03-01 12:00,done,6,${ok}`,
        `A-${long},b2,2025-03-01 12:00,done,6,s`,
        `A-3,${long},2025-03-01 12:00,done,6,s`,
        `A-4,b4,2025-03-01 12:00,done,6,${long}`,
      ].join('\n'),
      'mapped',
      mapping,
    );
    expect(mapped.result).toMatchObject({ read: 4, imported: 1, rejected: 3 });
    expect(mapped.rejects.get(3)).toBe('No: longer than 200 characters');
    expect(mapped.rejects.get(4)).toBe('Buyer: longer than 200 characters');
    expect(mapped.rejects.get(5)).toBe('Sku: longer than 200 characters');
  });

  it('order feed', async () => {
    const event = (id: string, at: string, createdAt: string, amount: number) =>
      JSON.stringify({
        event: 'paid',
        at,
        order: {
          orderId: id,
          customerId: 'c:1/客户',
          createdAt,
          amount,
          items: [{ sku: 's', quantity: 1, unitPrice: 1 }],
        },
      });
    const feed = await run(
      'feed.jsonl',
      [
        event('E-1', '2026-11-11T10:01:00+08:00', '2026-11-11T10:00:00+08:00', 5),
        event('E-2', '2026-02-30T10:01:00+08:00', '2026-02-28T10:00:00+08:00', 5),
        event('E-3', '2026-11-11T10:01:00+08:00', '2026-11-11T10:00:00+08:00', 1e308),
        event('E-4', '2026-11-11T09:00:00+08:00', '2026-11-11T10:00:00+08:00', 5),
      ].join('\n'),
      'order-events',
    );
    expect(feed.result).toMatchObject({ read: 4, imported: 1, rejected: 3 });
    expect(feed.rejects.get(2)).toMatch(/^at: "2026-02-30T10:01:00\+08:00" is not a time: day 30/);
    expect(feed.rejects.get(3)).toMatch(/^order\.amount: 1e\+308 is more than an amount can be/);
    expect(feed.rejects.get(4)).toMatch(/paid 2026-11-11 01:00:00 UTC before it was created/);
  });

  it('order feed: a lone surrogate or a NUL escaped in a string rejects its line with the field, not the import', async () => {
    const event = (id: string, customerId: string, sku = 's') =>
      `{"event":"paid","at":"2026-11-11T10:01:00+08:00","order":{"orderId":"${id}","customerId":"${customerId}","createdAt":"2026-11-11T10:00:00+08:00","amount":5,"items":[{"sku":"${sku}","quantity":1,"unitPrice":5}]}}`;
    const feed = await run(
      'escapes.jsonl',
      [
        event('E-1', 'c1'),
        event('E-2', 'c2\\ud800'),
        event('E-3\\u0000', 'c3'),
        event('E-4', 'c4', 's😀\\udc00x'),
      ].join('\n'),
      'order-events',
    );
    expect(feed.result).toMatchObject({ read: 4, imported: 1, rejected: 3 });
    expect(feed.rejects.get(2)).toBe(
      'order.customerId: not text: a lone surrogate (\\ud800 without its pair)',
    );
    expect(feed.rejects.get(3)).toBe('order.orderId: holds a NUL character (\\u0000)');
    expect(feed.rejects.get(4)).toBe(
      'order.items.0.sku: not text: a lone surrogate (\\udc00 without its pair)',
    );
    expect(await query('SELECT order_id FROM orders')).toEqual([{ order_id: 'E-1' }]);
  });
});

describe('a bad amount rejects its row, not the import', () => {
  it('amounts beyond what the lake holds, exponents and junk are rejected; the rest is imported', async () => {
    const rows = [
      tb(1, '188.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
      tb(2, '99999999999999999999.99', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
      tb(3, '1e308', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
      tb(4, '10000000000.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
      tb(5, '9999999999.99', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
      tb(6, '-1', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
    ];
    const { result, rejects } = await run('amounts.csv', [TAOBAO, ...rows].join('\n'), 'taobao');
    expect(result).toMatchObject({ read: 6, imported: 2, rejected: 4, ordersNew: 2 });
    expect(rejects.get(3)).toBe(
      '买家实际支付金额: "99999999999999999999.99" is more than an amount can be (at most 9,999,999,999.99)',
    );
    expect(rejects.get(4)).toBe(
      '买家实际支付金额: expected an amount like 1,299.00 (at most two decimals), got "1e308"',
    );
    expect(rejects.get(5)).toMatch(/"10000000000.00" is more than an amount can be/);
    expect(rejects.get(7)).toBe(
      '买家实际支付金额: expected an amount like 1,299.00 (at most two decimals), got "-1"',
    );
    expect(await query('SELECT amount FROM orders ORDER BY amount')).toEqual([
      { amount: 188 },
      { amount: 9_999_999_999.99 },
    ]);
  });
});

describe('copies of an order in one file', () => {
  it('that disagree are a conflict: every row rejected naming lines and fields; the lake keeps its version', async () => {
    await run(
      'first.csv',
      [TAOBAO, tb(1, '188.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00')].join('\n'),
      'taobao',
    );
    const { result, rejects } = await run(
      'second.csv',
      [
        TAOBAO,
        tb(1, '288.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
        tb(2, '20.00', '2025-11-12 10:00:00', '2025-11-12 10:01:00'),
        tb(1, '188.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
        tb(2, '20.00', '2025-11-12 10:00:00', '2025-11-12 10:01:00'),
      ].join('\n'),
      'taobao',
    );
    expect(result).toMatchObject({
      read: 4,
      imported: 2,
      rejected: 2,
      conflicts: 2,
      orders: 1,
      ordersNew: 1,
    });
    const reason =
      'order 3801234567890001 comes in 2 versions that differ in amount (lines 2, 4): none of its 2 rows imported; keep one version in the file';
    expect(rejects.get(2)).toBe(reason);
    expect(rejects.get(4)).toBe(reason);
    expect(await query('SELECT order_id, amount FROM orders ORDER BY order_id')).toEqual([
      { order_id: '3801234567890001', amount: 188 },
      { order_id: '3801234567890002', amount: 20 },
    ]);
  });

  it('Shopify blocks of one order with other line items conflict; mapped rows of one order must agree', async () => {
    const header =
      'Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem price,Lineitem sku';
    const shopify = await run(
      'shopify.csv',
      [
        header,
        '#1,a@example.com,paid,10.00,2025-11-11 10:00:00 +0800,1,10.00,A',
        '#1,a@example.com,paid,10.00,2025-11-11 10:00:00 +0800,1,10.00,B',
      ].join('\n'),
      'shopify',
    );
    expect(shopify.rejects.get(2)).toMatch(
      /^order #1 comes in 2 versions that differ in line items \(lines 2, 3\)/,
    );

    const mapping = await ws.write(
      'map.yaml',
      'columns: { order_id: No, customer_id: Buyer, created_at: When, status: State, amount: Paid, sku: Sku }\nstatuses: { done: paid }\n',
    );
    const mapped = await run(
      'erp.csv',
      'No,Buyer,When,State,Paid,Sku\nA-1,b1,2025-03-01 12:00,done,6,x\nA-2,b2,2025-03-01 12:00,done,6,x\nA-1,b1,2025-03-01 12:00,done,7,y\nA-2,,,,,z\n',
      'mapped',
      mapping,
    );
    expect(mapped.result).toMatchObject({ read: 4, imported: 2, rejected: 2, orders: 1 });
    expect(mapped.rejects.get(2)).toMatch(
      /^order A-1 comes in 2 versions that differ in amount \(lines 2, 4\)/,
    );
    expect(await query("SELECT sku FROM order_items WHERE order_id = 'A-2' ORDER BY line_no")).toEqual([
      { sku: 'x' },
      { sku: 'z' },
    ]);
  });

  it('that agree are one order; a feed’s events of one order at the same time must agree', async () => {
    const same = await run(
      'same.csv',
      [
        TAOBAO,
        tb(1, '188.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
        tb(1, '188.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'),
      ].join('\n'),
      'taobao',
    );
    expect(same.result).toMatchObject({ read: 2, imported: 2, rejected: 0, orders: 1 });

    const event = (at: string, amount: number) =>
      JSON.stringify({
        event: 'paid',
        at,
        order: {
          orderId: 'E-1',
          customerId: 'c',
          createdAt: '2026-11-11T10:00:00+08:00',
          amount,
          items: [{ sku: 's', quantity: 1, unitPrice: 1 }],
        },
      });
    const feed = await run(
      'feed.jsonl',
      [event('2026-11-11T10:01:00+08:00', 5), event('2026-11-11T10:01:00+08:00', 6)].join('\n'),
      'order-events',
    );
    expect(feed.rejects.get(1)).toMatch(
      /^order E-1 comes in 2 versions that differ in amount \(lines 1, 2\)/,
    );
  });
});

describe('encodings', () => {
  it('refuses Latin-1 with the line where it shows, and imports nothing', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(
        'Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem price,Billing Name\n',
      ),
      Buffer.from('#1,a@example.com,paid,10.00,2025-11-11 10:00:00 +0800,1,10.00,Ann\n'),
      iconv.encode('#2,j@example.com,paid,10.00,2025-11-11 10:00:00 +0800,1,10.00,José María\n', 'latin1'),
    ]);
    const file = await ws.write('latin1.csv', latin1);
    const attempt = ws.importOrders({
      file,
      format: 'shopify',
      rejectsFile: ws.path('r.csv'),
    });
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(
      /latin1\.csv:3: not UTF-8 and not GBK .*Latin-1\/Windows-1252.*Save it as UTF-8.*nothing was imported/,
    );
    expect(existsSync(join(ws.dataDir(), 'lake', 'orders'))).toBe(false);
    expect(existsSync(ws.path('r.csv'))).toBe(false);
  });

  it('refuses Latin-1 that happens to be valid GBK byte pairs (accented letters before ASCII ones)', async () => {
    const rows = ['No,Buyer,When,State,Paid'];
    for (let i = 0; i < 20; i++) rows.push(`A-${i},Müller Gonçalves Ñandú,2025-03-01 12:00,done,6`);
    const file = await ws.write('latin1-pairs.csv', iconv.encode(`${rows.join('\n')}\n`, 'latin1'));
    const mapping = await ws.write(
      'map.yaml',
      'columns: { order_id: No, customer_id: Buyer, created_at: When, status: State, amount: Paid }\nstatuses: { done: paid }\n',
    );
    await expect(
      ws.importOrders({
        file,
        format: 'mapped',
        mappingFile: mapping,
        rejectsFile: ws.path('r.csv'),
      }),
    ).rejects.toThrow(/latin1-pairs\.csv:2: not UTF-8.*Latin-1/);
  });

  it('reads UTF-16 with a byte-order mark, tab-separated as Excel saves "Unicode text"; refuses it without one', async () => {
    const text = `${TAOBAO.replaceAll(',', '\t')}\r\n${tb(1, '188.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00').replaceAll(',', '\t')}\r\n`;
    const withBom = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const ok = await run('unicode.txt', withBom, 'taobao');
    expect(ok.result).toMatchObject({ encoding: 'utf-16le', read: 1, imported: 1 });
    expect(await query('SELECT order_id, amount FROM orders')).toEqual([
      { order_id: '3801234567890001', amount: 188 },
    ]);

    const file = await ws.write('nobom.txt', Buffer.from(text, 'utf16le'));
    await expect(ws.importOrders({ file, format: 'taobao', rejectsFile: ws.path('r.csv') })).rejects.toThrow(
      /nobom\.txt:1: .*looks like UTF-16 without a byte-order mark/,
    );
  });

  it('refuses a file that starts with UTF-8’s byte-order mark and goes on in GBK, naming the first GBK line', async () => {
    const rows = [TAOBAO, tb(1, '10.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00')];
    const gbk = [tb(2, '10.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00').replace('buyer2', '买家二')];
    const file = await ws.write(
      'bom-then-gbk.csv',
      Buffer.concat([Buffer.from(`\uFEFF${rows.join('\n')}\n`), iconv.encode(`${gbk.join('\n')}\n`, 'gbk')]),
    );
    const attempt = ws.importOrders({ file, format: 'taobao', rejectsFile: ws.path('r.csv') });
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(
      /bom-then-gbk\.csv:3: not UTF-8, though the file starts with UTF-8's byte-order mark: .*nothing was imported/,
    );
    expect(existsSync(join(ws.dataDir(), 'lake', 'orders'))).toBe(false);
  });

  it('refuses a NUL byte anywhere in the file, with its line, not only in the first 4 KiB', async () => {
    const rows = [TAOBAO];
    for (let i = 1; i <= 800; i++) rows.push(tb(i, '10.00', '2025-11-11 10:00:00', '2025-11-11 10:01:00'));
    rows[750] = (rows[750] as string).replace(',buyer', ',\0buyer');
    const text = `${rows.join('\n')}\n`;
    // past the first 64 KiB chunk, so the GBK file is found not UTF-8 before the NUL is reached
    expect(text.indexOf('\0')).toBeGreaterThan(65_536);
    for (const [name, content] of [
      ['late-nul.csv', Buffer.from(text)],
      ['late-nul-gbk.csv', iconv.encode(text.replace('buyer1,', '买家1,'), 'gbk')],
    ] as const) {
      const file = await ws.write(name, content);
      const attempt = ws.importOrders({ file, format: 'taobao', rejectsFile: ws.path('r.csv') });
      await expect(attempt).rejects.toThrow(DataError);
      await expect(attempt).rejects.toThrow(
        new RegExp(`${name.replace('.', '\\.')}:751: the file has NUL bytes.*nothing was imported`),
      );
    }
    expect(existsSync(join(ws.dataDir(), 'lake', 'orders'))).toBe(false);
    expect(existsSync(ws.path('r.csv'))).toBe(false);
  });
});
