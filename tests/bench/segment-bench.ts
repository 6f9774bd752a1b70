/**
 * Benchmark: every example wave's audience query on the 1M-customer / 10M-order shop, against a floor
 * measured side by side with it (their runs alternate) — a plain DuckDB aggregate scan of the same
 * orders Parquet — plus the Parquet bytes each query would make Athena scan, against the raw CSV size of
 * the same orders.
 * Run: npm run bench:segments (BENCH_CUSTOMERS for another size). Prints JSON.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { effectivePolicy } from '../../shared/campaign/contact-policy.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { resolveWaveSchedule } from '../../shared/campaign/wave-schedule.ts';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { waveAudienceSql } from '../../shared/segment/audience-sql.ts';
import { benchShop, bytesScanned, machine, median } from './bench-shop.ts';

const REPEATS = 5;
const FLOOR_SQL = sql`SELECT count(*) AS customers, sum(n) AS orders, sum(s) AS revenue, max(m) AS last
  FROM (SELECT customer_id, count(*) AS n, sum(amount) AS s, max(paid_at) AS m FROM orders GROUP BY customer_id) t`;

async function once(wh: DuckDbWarehouse, query: Sql): Promise<number> {
  const t0 = performance.now();
  await wh.query(query);
  return (performance.now() - t0) / 1000;
}

/**
 * A query and the floor side by side: REPEATS runs of each, alternating, so both are timed under the
 * same conditions (this machine's speed drifts by ±30% over a minute); the medians of each.
 */
async function sideBySide(wh: DuckDbWarehouse, query: Sql): Promise<{ seconds: number; floor: number }> {
  const runs: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    floors.push(await once(wh, FLOOR_SQL));
    runs.push(await once(wh, query));
  }
  allFloors.push(...floors);
  return { seconds: median(runs), floor: median(floors) };
}
const allFloors: number[] = [];

const { dataDir, customers } = await benchShop();
const wh = await DuckDbWarehouse.open(dataDir, { threads: 2, memoryLimit: '4GB' });
const policy = await loadConfigFile(ContactPolicy, 'campaigns/contact-policy.yaml');

await once(wh, FLOOR_SQL); // warm-up: the first scan reads the files into the page cache
const floorBytes = await bytesScanned(wh, dataDir, 'orders customer_id amount paid_at');
const csvDir = await mkdtemp(join(tmpdir(), 'orders-csv-'));
await wh.query(
  sql`COPY (SELECT * EXCLUDE (dt) FROM orders) TO ${sqlString(`${csvDir}/orders.csv`)} (HEADER)`,
);
const csvBytes = statSync(`${csvDir}/orders.csv`).size;
await rm(csvDir, { recursive: true, force: true });
const ordersParquetBytes = readdirSync(tableDir(dataDir, 'orders'), { recursive: true })
  .filter((f) => String(f).endsWith('.parquet'))
  .reduce((s, f) => s + statSync(join(tableDir(dataDir, 'orders'), String(f))).size, 0);

const waves = [];
for (const file of ['double-11', 'new-arrivals', 'replenishment', 'winback']) {
  const campaign = await loadConfigFile(Campaign, `campaigns/${file}.yaml`);
  const schedule = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  for (const [i, wave] of campaign.waves.entries()) {
    const runAt = schedule.times[i]?.start;
    if (!runAt) continue;
    const audience = waveAudienceSql({
      campaign,
      wave,
      policy: effectivePolicy(policy, campaign),
      runAt,
      dialect: 'duckdb',
    });
    const query = sql`SELECT step, count(*) AS n FROM (${audience}) a GROUP BY step`;
    const { seconds, floor } = await sideBySide(wh, query);
    const { rows } = await wh.query(query);
    const steps = Object.fromEntries(rows.map((r) => [r.step, r.n]));
    waves.push({
      campaign: campaign.id,
      wave: wave.id,
      seconds: Math.round(seconds * 1000) / 1000,
      floorSeconds: Math.round(floor * 1000) / 1000,
      ratioToFloor: Math.round((seconds / floor) * 100) / 100,
      parquetBytesScanned: await bytesScanned(wh, dataDir, audience),
      steps,
    });
  }
}
await wh.close();

console.log(
  JSON.stringify(
    {
      benchmark: 'segment audience queries',
      machine: await machine(),
      shop: { customers, dataDir },
      repeats: REPEATS,
      floor: {
        sql: FLOOR_SQL.replace(/\s+/g, ' '),
        /** The median of every floor run (each wave's own, alternating with it, is with the wave). */
        seconds: Math.round(median(allFloors) * 1000) / 1000,
        parquetBytesScanned: floorBytes,
      },
      orders: { rawCsvBytes: csvBytes, parquetBytes: ordersParquetBytes },
      waves,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    null,
    2,
  ),
);
