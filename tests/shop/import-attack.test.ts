import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { DataError } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type ImportFormat, importOrders } from '../../shared/shop/import/import-orders.ts';

/**
 * Findings of an adversarial pass over `campaign data import` (i17-attack). Each test fails on the code it
 * was written against: it states the behaviour docs/import.md promises (or a clear refusal instead).
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-attack-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));
const dataDir = () => join(dir, 'data');

async function run(name: string, content: string, format: ImportFormat) {
  const file = join(dir, name);
  await writeFile(file, content);
  return importOrders({
    file,
    format,
    rejectsFile: join(dir, `${name}.rejects.csv`),
    dataDir: dataDir(),
    clock,
  });
}

async function query(sql: string) {
  const wh = await DuckDbWarehouse.open(dataDir());
  try {
    return (await wh.query(sql)).rows;
  } finally {
    await wh.close();
  }
}

const event = (orderId: string, ev: string, at: string, createdAt: string) =>
  JSON.stringify({
    event: ev,
    at,
    order: {
      orderId,
      customerId: 'c-1',
      createdAt,
      amount: 50,
      items: [{ sku: 's', quantity: 1, unitPrice: 50 }],
    },
  });

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
});
