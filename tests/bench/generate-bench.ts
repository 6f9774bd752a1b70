/**
 * Benchmark: `data generate` at 1M customers / 10M orders. Prints time, rows, on-disk size and peak RSS
 * (of this process, which includes DuckDB's native memory) as JSON. Run: npm run bench:generate
 */
import { execSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';

const customers = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const dataDir = join(process.env.BENCH_DIR ?? '.campaign-bench', 'generate');
await rm(dataDir, { recursive: true, force: true });
const started = performance.now();
const result = await generateShop({
  dataDir,
  customers,
  orders: customers * 10,
  seed: 1,
  asOf: '2026-10-20',
});
const seconds = (performance.now() - started) / 1000;
const bytes = Number(
  execSync(`du -sb ${join(dataDir, 'lake')}`)
    .toString()
    .split('\t')[0],
);
console.log(
  JSON.stringify(
    {
      benchmark: 'data generate',
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      ...result,
      seconds: Math.round(seconds * 100) / 100,
      ordersPerSecond: Math.round(result.orders / seconds),
      lakeMiB: Math.round(bytes / 2 ** 20),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    null,
    2,
  ),
);
await rm(dataDir, { recursive: true, force: true });
