import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type SegmentContext, segmentSql } from '../../shared/segment/compile-segment.ts';
import type { Rule } from '../../shared/segment/segment-schema.ts';
import { importProducts } from '../../shared/shop/local/import/import-products.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { importWorkspace } from '../helpers/import-workspace.ts';

/** replenishmentDue with the product's own use cycle (products.use_cycle_days), else the rule's. */
const RUN_AT = new Date('2026-11-10T16:00:00Z'); // 2026-11-11 00:00 in Shanghai
const ctx = (dialect: SegmentContext['dialect']): SegmentContext => ({
  runAt: RUN_AT,
  timeZone: 'Asia/Shanghai',
  campaignId: 'c',
  segments: {},
  dialect,
});
const line = (order: string, customer: string, sku: string, at: string) => ({
  order_id: order,
  line_no: 1,
  customer_id: customer,
  created_at: at,
  order_status: 'paid',
  sku,
  category: 'detergent',
  quantity: 1,
  unit_price: 40,
});

describe('replenishmentDue and the product’s use cycle', () => {
  let dataDir: string;
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    dataDir = await writeFixtureLake({
      customers: ['w', 'x', 'y', 'z'].map((customer_id) => ({ customer_id })),
      products: [
        { sku: 'det-small', category: 'detergent', use_cycle_days: 30 },
        { sku: 'det-plain', category: 'detergent', use_cycle_days: null },
        { sku: 'det-big', category: 'detergent', use_cycle_days: 120 },
      ],
      order_items: [
        // x: the 30-day pack on 10-12 runs out 11-11 (due); by the rule's 60 days it would be 12-11 (not).
        line('o1', 'x', 'det-small', '2026-10-12 02:00:00'),
        // y: no cycle of its own: 09-12 + 60 days = 11-11 (due).
        line('o2', 'y', 'det-plain', '2026-09-12 02:00:00'),
        // z: the 120-day drum on 09-12 lasts to 2027-01-10 (not due); by the rule's 60 days it would be.
        line('o3', 'z', 'det-big', '2026-09-12 02:00:00'),
        // w: an old big drum and a recent small pack: due when the later runs out, 11-12 (due).
        line('o4', 'w', 'det-big', '2026-07-14 02:00:00'),
        line('o5', 'w', 'det-small', '2026-10-13 02:00:00'),
      ],
    });
    wh = await DuckDbWarehouse.open(dataDir);
  });
  afterAll(async () => {
    await wh.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses the product’s cycle when it has one, else the rule’s; parses as Trino', async () => {
    const rule: Rule = {
      replenishmentDue: { category: 'detergent', cycle: '60d', dueWithin: { before: '3d', after: '7d' } },
    };
    expect(new TrinoSQL().validate(segmentSql(rule, ctx('trino'))).map((e) => e.message)).toEqual([]);
    const { rows } = await wh.query(segmentSql(rule, ctx('duckdb')));
    expect(rows.map((r) => String(r.customer_id)).sort()).toEqual(['w', 'x', 'y']);
  });
});

describe('the products import’s use cycle column', () => {
  const ws = importWorkspace('cycle');

  it('reads 使用周期 as days (60, 60d, 60天) and rejects what is not a cycle, with line and reason', async () => {
    const file = await ws.write(
      'products.csv',
      [
        '商家编码,宝贝标题,类目,使用周期',
        'det-1,洗衣液 2L,detergent,60',
        'det-2,洗衣液 5L,detergent,150天',
        'mask-1,面膜,face-mask,28d',
        'tee-1,T恤,tshirt,',
        'det-3,洗衣液,detergent,两个月',
        'det-4,洗衣液,detergent,0',
      ].join('\n'),
    );
    const result = await importProducts({
      file,
      rejectsFile: ws.path('rejects.csv'),
      dataDir: ws.dataDir(),
    });
    expect(result).toMatchObject({ read: 6, imported: 4, rejected: 2, products: 4 });
    expect(result.firstRejects).toEqual([
      {
        line: 6,
        reason:
          '使用周期: expected the days one purchase lasts, a whole number from 1 to 3650 (e.g. 60, 60d or 60天), got "两个月"',
      },
      {
        line: 7,
        reason:
          '使用周期: expected the days one purchase lasts, a whole number from 1 to 3650 (e.g. 60, 60d or 60天), got "0"',
      },
    ]);
    expect(readFileSync(ws.path('rejects.csv'), 'utf8')).toContain('两个月');
    expect(await ws.query('SELECT sku, use_cycle_days FROM products ORDER BY sku')).toEqual([
      { sku: 'det-1', use_cycle_days: 60 },
      { sku: 'det-2', use_cycle_days: 150 },
      { sku: 'mask-1', use_cycle_days: 28 },
      { sku: 'tee-1', use_cycle_days: null },
    ]);
  });
});
