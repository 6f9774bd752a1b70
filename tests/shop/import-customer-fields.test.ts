import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse, openDuckDb } from '../../shared/lake/local/duckdb-warehouse.ts';
import { importOrders } from '../../shared/shop/import/import-orders.ts';

/** What an order import keeps about the buyer besides the order: nickname, city tier, member tier. */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-fields-'));
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

async function importTaobao(text: string, opts: Partial<Parameters<typeof importOrders>[0]> = {}) {
  const file = join(dir, 'orders.csv');
  await writeFile(file, iconv.encode(text, 'gbk'));
  return importOrders({
    file,
    format: 'taobao',
    rejectsFile: join(dir, 'orders.rejects.csv'),
    dataDir: join(dir, 'data'),
    clock,
    ...opts,
  });
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
    const data = join(dir, 'data');
    const customers = tableDir(data, 'customers');
    await mkdir(customers, { recursive: true });
    const { instance, connection } = await openDuckDb({ threads: 1 });
    try {
      // The customers table as lakes wrote it before nickname (and the loyalty columns) were added.
      await connection.run(`COPY (SELECT 'c00000001' AS customer_id, '赵六' AS name, '北京市' AS province,
        '北京市' AS city, 1 AS city_tier, 'F' AS gender, 'unknown' AS age_band, 'normal' AS member_tier,
        'organic' AS acquisition_channel, CAST(NULL AS VARCHAR) AS email, false AS email_consent,
        CAST(NULL AS VARCHAR) AS phone, false AS sms_consent, CAST(NULL AS VARCHAR) AS time_zone,
        TIMESTAMP '2024-01-01 00:00:00' AS registered_at) TO '${join(customers, 'part-0.parquet')}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
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
