import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lakeRoot } from '../../shared/lake/lake-paths.ts';
import { generateShop } from '../../shared/shop/generate/generate-shop.ts';

/** The benchmark shop (1M customers / 10M orders by default), built once and cached under .campaign-bench. */
export async function benchShop(): Promise<{ dataDir: string; customers: number }> {
  const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
  const dataDir = join(process.env.BENCH_DIR ?? '.campaign-bench', `shop-${customers}`);
  if (!existsSync(lakeRoot(dataDir))) {
    process.stderr.write(`building the benchmark shop (${customers} customers) in ${dataDir}…\n`);
    await generateShop({ dataDir, customers, orders: customers * 10, seed: 1, asOf: '2026-10-20' });
  }
  return { dataDir, customers };
}

export function machine() {
  // Imported lazily so the scripts stay importable without node:os in other runtimes.
  return import('node:os').then(({ cpus, totalmem }) => ({
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  }));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
