import { describe, expect, it } from 'vitest';
import { DataError } from '../../shared/errors.ts';
import type { ImportFormat } from '../../shared/shop/local/import/import-orders.ts';
import { importWorkspace, orderEvent } from '../helpers/import-workspace.ts';

/**
 * Findings of an adversarial pass over `campaign data import` (i17-attack). Each test fails on the code it
 * was written against: it states the behaviour docs/import.md promises (or a clear refusal instead).
 */
const ws = importWorkspace('import-attack');
const run = (name: string, content: string, format: ImportFormat) => ws.importFile(name, content, format);
const query = ws.query;

const event = (orderId: string, ev: string, at: string, createdAt: string) =>
  orderEvent(orderId, ev, at, { createdAt });

describe('import attack findings', () => {
  it('a feed time with a space before its offset is rejected or read, never a RangeError (exit 2)', async () => {
    const feed = `${event('E3', 'paid', '2026-11-11T00:06:00 +08:00', '2026-11-11T00:05:00 +08:00')}\n`;
    const result = await run('feed.jsonl', feed, 'order-events');
    expect(result.read).toBe(result.imported + result.rejected);
  });

  it('a header naming a column twice is refused, not read as its last copy', async () => {
    const csv = [
      '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,买家实际支付金额',
      '9000000000000001,bob,100.00,交易成功,2025-11-11 10:00:00,5.00',
    ].join('\n');
    await expect(run('dup.csv', csv, 'taobao')).rejects.toThrow(DataError);
  });

  it('an amount with a decimal comma ("1.299,00", "12,50") is rejected, not imported as 1.3 or 1250', async () => {
    const csv = [
      '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间',
      '9000000000000011,a,"1.299,00",交易成功,2025-11-11 10:00:00',
      '9000000000000012,a,"12,50",交易成功,2025-11-11 10:00:00',
    ].join('\n');
    const result = await run('comma.csv', csv, 'taobao');
    expect(result).toMatchObject({ read: 2, imported: 0, rejected: 2 });
  });

  it('a feed event older than the one the lake holds does not roll the order back (paid → unpaid)', async () => {
    await run(
      'a.jsonl',
      `${event('R1', 'paid', '2026-11-11T00:10:00+08:00', '2026-11-11T00:05:00+08:00')}\n`,
      'order-events',
    );
    await run(
      'b.jsonl',
      `${event('R1', 'created', '2026-11-11T00:05:00+08:00', '2026-11-11T00:05:00+08:00')}\n`,
      'order-events',
    );
    expect(await query("SELECT status FROM orders WHERE order_id = 'R1'")).toEqual([{ status: 'paid' }]);
  });

  it('a header of 150,000 columns is refused before a row is read (DuckDB ran out of memory)', async () => {
    const header = `订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,${Array.from({ length: 150_000 }, (_, i) => `c${i}`).join(',')}`;
    await expect(
      run('wide.csv', `${header}\n1,a,1,交易成功,2025-11-11 10:00:00\n`, 'taobao'),
    ).rejects.toThrow(
      /wide\.csv:1: the header has 150,005 columns, more than an export has \(at most 1,000\)/,
    );
  });

  it('a Shopify order with more than 1,000 line items is rejected whole, not held until memory runs out', async () => {
    const rows = ['Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem price'];
    rows.push('#1,a@example.com,paid,1.00,2025-11-11 10:00:00 +0800,1,1.00');
    for (let i = 0; i < 1_200; i++) rows.push('#1,,,,,1,1.00');
    rows.push('#2,b@example.com,paid,1.00,2025-11-11 10:00:00 +0800,1,1.00');
    const result = await run('many.csv', rows.join('\n'), 'shopify');
    expect(result).toMatchObject({ read: 1_202, imported: 1, rejected: 1_201, orders: 1 });
    expect(result.firstRejects[0]?.reason).toBe('order #1 has more than 1,000 line items: not one order');
  });

  it('an unclosed quote is reported at the line where its record starts', async () => {
    const good = (i: number) => `90000000000000${10 + i},b,1.00,交易成功,2025-11-11 10:00:00`;
    const csv = [
      '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间',
      good(1),
      '9000000000000032,"bob,1,交易成功,2025-11-11 10:00:00',
    ];
    for (let i = 2; i < 60; i++) csv.push(good(i));
    await expect(run('unclosed.csv', csv.join('\n'), 'taobao')).rejects.toThrow(
      /unclosed\.csv:3: a quote opened in the record that starts here is never closed; nothing was imported/,
    );
  });

  it('a mapping that gives one column to two fields is refused with its position', async () => {
    const file = await ws.write('m.csv', 'id,amt\n1,2\n');
    const mapping = await ws.write(
      'm.yaml',
      'columns: { order_id: id, customer_id: id, created_at: t, status: s, amount: amt, discount: amt }\nstatuses: { a: paid }\n',
    );
    await expect(
      ws.importOrders({ file, format: 'mapped', mappingFile: mapping, rejectsFile: ws.path('r.csv') }),
    ).rejects.toThrow(/m\.yaml:1:\d+ columns\.customer_id: "id" is already the column of order_id/);
  });

  it('a redelivered older feed event is counted as stale and leaves the newer order as it was', async () => {
    await run(
      'a.jsonl',
      `${event('R2', 'refunded', '2026-11-12T00:10:00+08:00', '2026-11-11T00:05:00+08:00')}\n`,
      'order-events',
    );
    const later = await run(
      'b.jsonl',
      [
        event('R2', 'paid', '2026-11-11T00:10:00+08:00', '2026-11-11T00:05:00+08:00'),
        event('R3', 'paid', '2026-11-11T00:10:00+08:00', '2026-11-11T00:05:00+08:00'),
      ].join('\n'),
      'order-events',
    );
    expect(later).toMatchObject({ read: 2, imported: 2, rejected: 0, stale: 1, orders: 1, ordersNew: 1 });
    expect(await query('SELECT order_id, status FROM orders ORDER BY order_id')).toEqual([
      { order_id: 'R2', status: 'refunded' },
      { order_id: 'R3', status: 'paid' },
    ]);
  });
});
