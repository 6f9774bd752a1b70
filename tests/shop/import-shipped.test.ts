import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbSession } from '../../shared/lake/local/duckdb-session.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { importWorkspace, orderEvent } from '../helpers/import-workspace.ts';

/** The order feed's `shipped` and `delivered` events: a paid order with its shipping times, one way only. */
const ws = importWorkspace('import-shipped');
const query = ws.query;
let files = 0;

async function feed(lines: string[]) {
  const file = await ws.write(`feed-${++files}.jsonl`, `${lines.join('\n')}\n`);
  return ws.importOrders({
    file,
    format: 'order-events',
    rejectsFile: ws.path(`feed-${files}.rejects.csv`),
  });
}

const CREATED = '2026-11-11T00:05:00+08:00';
const PAID = '2026-11-11T00:06:00+08:00';
const event = (orderId: string, ev: string, at: string, extra: Record<string, unknown> = {}) =>
  orderEvent(orderId, ev, at, {
    createdAt: CREATED,
    ...(ev === 'created' ? {} : { paidAt: PAID }),
    ...extra,
  });
const ORDER = 'SELECT order_id, status, paid_at, shipped_at, delivered_at FROM orders ORDER BY order_id';

describe('order feed: shipped and delivered', () => {
  it('a shipped or delivered order is paid, with the time of its event (or the order’s own)', async () => {
    const r = await feed([
      event('S1', 'shipped', '2026-11-12T09:00:00+08:00'),
      event('S2', 'delivered', '2026-11-15T09:00:00+08:00', { shippedAt: '2026-11-12T10:00:00+08:00' }),
    ]);
    expect(r).toMatchObject({ read: 2, imported: 2, rejected: 0, ordersNew: 2 });
    expect(await query(ORDER)).toEqual([
      {
        order_id: 'S1',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: '2026-11-12 01:00:00',
        delivered_at: null,
      },
      {
        order_id: 'S2',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: '2026-11-12 02:00:00',
        delivered_at: '2026-11-15 01:00:00',
      },
    ]);
  });

  it('rejects a shipped order without paidAt, and shipping times out of order, naming the field', async () => {
    const r = await feed([
      JSON.stringify({
        ...JSON.parse(event('A', 'shipped', '2026-11-12T09:00:00+08:00')),
        order: { ...JSON.parse(event('A', 'created', CREATED)).order },
      }),
      event('B', 'shipped', '2026-11-10T09:00:00+08:00'),
      event('C', 'delivered', '2026-11-12T09:00:00+08:00', { shippedAt: '2026-11-13T09:00:00+08:00' }),
    ]);
    expect(r.rejected).toBe(3);
    expect(r.firstRejects.map((x) => x.reason)).toEqual([
      expect.stringMatching(/^order\.paidAt: a shipped order is a paid one: expected its paidAt/),
      'order.shippedAt: shipped 2026-11-10 01:00:00 UTC, before it was paid (2026-11-10 16:06:00 UTC)',
      'order.deliveredAt: delivered 2026-11-12 01:00:00 UTC, before it was shipped (2026-11-13 01:00:00 UTC)',
    ]);
  });

  it('rejects a shipping time in the future (the triggers would answer it that day, or never)', async () => {
    const r = await feed([
      event('F', 'paid', PAID, { shippedAt: '9999-12-31T09:00:00+08:00' }),
      event('G', 'delivered', '2026-11-13T09:00:00+08:00', {
        shippedAt: '2026-11-12T09:00:00+08:00',
        deliveredAt: '2027-03-01T00:00:00+08:00',
      }),
      event('H', 'shipped', '2026-11-12T09:00:00+08:00'),
    ]);
    expect(r.imported).toBe(1);
    expect(r.firstRejects.map((x) => x.reason)).toEqual([
      'order.shippedAt: 9999-12-31 01:00:00 UTC, in the future (now is 2026-12-01 00:00:00 UTC)',
      'order.deliveredAt: 2027-02-28 16:00:00 UTC, in the future (now is 2026-12-01 00:00:00 UTC)',
    ]);
    expect(await query('SELECT order_id FROM orders')).toEqual([{ order_id: 'H' }]);
  });

  it('moves one way: a later created or paid is stale; delivered keeps the shipped time; refunded keeps both', async () => {
    await feed([
      event('O', 'created', CREATED),
      event('O', 'paid', PAID),
      event('O', 'shipped', '2026-11-12T09:00:00+08:00'),
    ]);
    expect((await query(ORDER))[0]).toMatchObject({ status: 'paid', shipped_at: '2026-11-12 01:00:00' });
    const stale = await feed([event('O', 'created', CREATED), event('O', 'paid', PAID)]);
    expect(stale).toMatchObject({ stale: 1, orders: 0 });
    expect((await query(ORDER))[0]).toMatchObject({ status: 'paid', shipped_at: '2026-11-12 01:00:00' });
    // The delivered event does not repeat when the order was shipped: the lake's time stays.
    await feed([event('O', 'delivered', '2026-11-14T09:00:00+08:00')]);
    expect((await query(ORDER))[0]).toMatchObject({
      status: 'paid',
      shipped_at: '2026-11-12 01:00:00',
      delivered_at: '2026-11-14 01:00:00',
    });
    expect(await feed([event('O', 'shipped', '2026-11-12T09:00:00+08:00')])).toMatchObject({ stale: 1 });
    await feed([event('O', 'refunded', '2026-11-20T09:00:00+08:00')]);
    expect((await query(ORDER))[0]).toMatchObject({
      status: 'refunded',
      shipped_at: '2026-11-12 01:00:00',
      delivered_at: '2026-11-14 01:00:00',
    });
    expect(await feed([event('O', 'delivered', '2026-11-14T09:00:00+08:00')])).toMatchObject({ stale: 1 });
  });

  it('in one file, the latest event wins and keeps the shipped time an earlier one gave', async () => {
    await feed([
      event('P', 'delivered', '2026-11-14T09:00:00+08:00'),
      event('P', 'shipped', '2026-11-12T09:00:00+08:00'),
      event('P', 'paid', PAID),
    ]);
    expect(await query(ORDER)).toEqual([
      {
        order_id: 'P',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: '2026-11-12 01:00:00',
        delivered_at: '2026-11-14 01:00:00',
      },
    ]);
  });

  it('reads and imports into a lake written before orders had shipped_at and delivered_at', async () => {
    await feed([event('OLD', 'paid', PAID)]);
    // Rewrite the lake's orders without the two columns, as a lake from before them.
    const ordersDir = join(ws.dataDir(), 'lake', 'orders');
    const old = ws.path('old-orders');
    mkdirSync(old);
    const db = await DuckDbSession.open();
    try {
      await db.run(
        sql`COPY (SELECT * EXCLUDE (shipped_at, delivered_at) FROM read_parquet(${sqlString(`${ordersDir}/*/*.parquet`)}, hive_partitioning = true))
         TO ${sqlString(old)} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`,
      );
      const cols = await db.rows(
        sql`SELECT name FROM parquet_schema(${sqlString(`${old}/*/*.parquet`)}) WHERE name LIKE '%_at'`,
      );
      expect(cols.map((c) => c.name)).not.toContain('shipped_at');
    } finally {
      db.close();
    }
    await rm(ordersDir, { recursive: true });
    cpSync(old, ordersDir, { recursive: true });
    expect(readdirSync(ordersDir)).toEqual(['dt=2026-11']);
    expect(await query(ORDER)).toEqual([
      {
        order_id: 'OLD',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: null,
        delivered_at: null,
      },
    ]);
    expect(await query(`SELECT count(*) AS n FROM orders WHERE shipped_at IS NULL`)).toEqual([{ n: 1 }]);
    // An import over it writes the columns; the old order's partition is rewritten with them.
    await feed([event('OLD', 'shipped', '2026-11-12T09:00:00+08:00'), event('NEW', 'paid', PAID)]);
    expect(await query(ORDER)).toEqual([
      {
        order_id: 'NEW',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: null,
        delivered_at: null,
      },
      {
        order_id: 'OLD',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: '2026-11-12 01:00:00',
        delivered_at: null,
      },
    ]);
  });

  it('a Taobao order report sets them from 发货时间 and 确认收货时间, by the order status; a bad one is rejected', async () => {
    const r = await ws.importFile(
      '订单报表.csv',
      [
        '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,发货时间,确认收货时间',
        '100001,tb_a,50,卖家已发货，等待买家确认,2026-11-11 00:05:00,2026-11-11 00:06:00,2026-11-12 09:00:00,',
        '100002,tb_b,50,交易成功,2026-11-11 00:05:00,2026-11-11 00:06:00,2026-11-12 09:00:00,2026-11-15 09:00:00',
        // Not yet shipped: a shipping time the report repeats is not taken.
        '100003,tb_c,50,买家已付款，等待卖家发货,2026-11-11 00:05:00,2026-11-11 00:06:00,2026-11-12 09:00:00,',
        '100004,tb_d,50,交易成功,2026-11-11 00:05:00,2026-11-11 00:06:00,2026-11-15 09:00:00,2026-11-12 09:00:00',
        '100005,tb_e,50,交易成功,2026-11-11 00:05:00,2026-11-11 00:06:00,2026-11-12 25:00:00,',
      ].join('\n'),
      'taobao',
    );
    expect(r.firstRejects).toEqual([
      {
        line: 5,
        reason:
          '确认收货时间: delivered 2026-11-12 01:00:00 UTC, before it was shipped (2026-11-15 01:00:00 UTC)',
      },
      { line: 6, reason: expect.stringMatching(/^发货时间: "2026-11-12 25:00:00" is not a time/) },
    ]);
    expect(await query(ORDER)).toEqual([
      {
        order_id: '100001',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: '2026-11-12 01:00:00',
        delivered_at: null,
      },
      {
        order_id: '100002',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: '2026-11-12 01:00:00',
        delivered_at: '2026-11-15 01:00:00',
      },
      {
        order_id: '100003',
        status: 'paid',
        paid_at: '2026-11-10 16:06:00',
        shipped_at: null,
        delivered_at: null,
      },
    ]);
  });
});
