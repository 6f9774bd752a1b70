import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { ORDER_ITEMS } from '../../shared/lake/tables.ts';
import { importOrders } from '../../shared/shop/local/import/import-orders.ts';
import { sortedLayout } from '../helpers/lake-layout.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-layout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the order lines an import writes', () => {
  it('rewrites the months it touches as one file of order lines sorted by category, then customer', async () => {
    const dataDir = join(dir, 'data');
    const file = join(dir, 'orders.jsonl');
    const categories = ['tshirt', 'socks', 'coat', 'skirt', 'detergent'];
    const feed = (from: number) =>
      Array.from({ length: 40 }, (_, k) => {
        const n = from + k;
        const day = String(1 + (n % 28)).padStart(2, '0');
        return JSON.stringify({
          event: 'paid',
          at: `2026-${n % 2 ? '10' : '11'}-${day}T12:00:00+08:00`,
          order: {
            orderId: `T-${n}`,
            amount: 20,
            discount: 0,
            channel: '直播',
            customerId: `c-${(n * 7919) % 97}`,
            createdAt: `2026-${n % 2 ? '10' : '11'}-${day}T11:00:00+08:00`,
            items: [3, 1].map((m) => ({
              sku: `sku-${n}-${m}`,
              category: categories[(n * m) % categories.length],
              quantity: 1,
              unitPrice: 10,
            })),
          },
        });
      });
    await writeFile(file, `${feed(0).join('\n')}\n`);
    await importOrders({ file, format: 'order-events', rejectsFile: join(dir, 'r.csv'), dataDir });
    await writeFile(file, `${feed(40).join('\n')}\n`); // a second import into the same months
    await importOrders({ file, format: 'order-events', rejectsFile: join(dir, 'r.csv'), dataDir });

    const wh = await DuckDbWarehouse.open(dataDir);
    try {
      const layout = await sortedLayout(wh, dataDir, ORDER_ITEMS);
      expect(layout.map((p) => [p.dt, p.files, p.out_of_order])).toEqual([
        ['dt=2026-10', ['part-0.parquet'], 0],
        ['dt=2026-11', ['part-0.parquet'], 0],
      ]);
      expect((await wh.query(sql`SELECT count(*) AS n FROM order_items`)).rows).toEqual([{ n: 160 }]);
    } finally {
      await wh.close();
    }
  });
});
