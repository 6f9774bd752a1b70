import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lakeRoot, tableDir } from '../../shared/lake/lake-paths.ts';
import type { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlString, sqlStringList } from '../../shared/lake/sql-literals.ts';
import { LAKE_TABLES, ORDER_ITEMS } from '../../shared/lake/tables.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';

/** The benchmark shop (1M customers / 10M orders by default), built once and cached under .campaign-bench. */
export async function benchShop(): Promise<{ dataDir: string; customers: number }> {
  const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
  const dataDir = join(process.env.BENCH_DIR ?? '.campaign-bench', `shop-${customers}`);
  if (!existsSync(lakeRoot(dataDir)) || !sortedOrderLines(dataDir)) {
    process.stderr.write(`building the benchmark shop (${customers} customers) in ${dataDir}…\n`);
    await generateShop({ dataDir, customers, orders: customers * 10, seed: 1, asOf: '2026-10-20' });
  }
  return { dataDir, customers };
}

/**
 * Whether a cached shop has the order lines' current layout (one sorted file per month, since
 * 2026-11-23): a shop cached before would be measured in the old layout.
 */
function sortedOrderLines(dataDir: string): boolean {
  const dir = tableDir(dataDir, ORDER_ITEMS.name);
  if (!existsSync(dir)) return false;
  return readdirSync(dir).every((dt) => {
    const files = readdirSync(join(dir, dt));
    return files.length === 1 && files[0] === 'part-0.parquet';
  });
}

export function machine() {
  // Imported lazily so the scripts stay importable without node:os in other runtimes.
  return import('node:os').then(({ cpus, totalmem, tmpdir }) => ({
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    /** Where the send benchmark's data folders (outbox, ledger, state) go: set with TMPDIR. */
    tmpdir: tmpdir(),
  }));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Compressed bytes of the Parquet column chunks a query names: what Athena bills (no dt pruning here). */
export async function bytesScanned(wh: DuckDbWarehouse, dataDir: string, query: string): Promise<number> {
  let total = 0;
  for (const table of LAKE_TABLES) {
    if (!new RegExp(`\\b${table.name}\\b`).test(query) || !existsSync(tableDir(dataDir, table.name)))
      continue;
    const glob = table.partition
      ? `${tableDir(dataDir, table.name)}/*/*.parquet`
      : `${tableDir(dataDir, table.name)}/*.parquet`;
    const used = table.columns.map((c) => c.name).filter((c) => new RegExp(`\\b${c}\\b`).test(query));
    if (used.length === 0) continue;
    const { rows } = await wh.query(
      sql`SELECT coalesce(sum(total_compressed_size), 0) AS b FROM parquet_metadata(${sqlString(glob)}) WHERE path_in_schema IN ${sqlStringList(used)}`,
    );
    total += Number(rows[0]?.b ?? 0);
  }
  return total;
}
