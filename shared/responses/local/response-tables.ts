import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { Clock } from '../../clock.ts';
import { tableDir } from '../../lake/lake-paths.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { sqlString } from '../../segment/sql-literals.ts';
import { responseTables } from '../response-tables.ts';

/**
 * Rewrites the local attribution and lift tables from scratch for the given campaigns (all of them, so an
 * order is attributed at most once across campaigns): one Parquet file each, swapped in when complete.
 * Returns the rows each table holds.
 */
export async function writeResponseTables(
  warehouse: DuckDbWarehouse,
  dataDir: string,
  campaigns: readonly Campaign[],
  model: 'last-touch' | 'first-touch',
  clock: Clock,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { table, sql } of responseTables(campaigns, model, clock.now())) {
    const dir = tableDir(dataDir, table.name);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.next-${randomUUID()}.parquet`);
    await warehouse.connection.run(`COPY (${sql}) TO ${sqlString(tmp)} (FORMAT parquet)`);
    // A rename replaces the old file in one step: a crash leaves the old table or the new, whole.
    renameSync(tmp, join(dir, 'part-0.parquet'));
    for (const f of readdirSync(dir))
      if (f.endsWith('.parquet') && f !== 'part-0.parquet' && !f.startsWith('.next-')) rmSync(join(dir, f));
  }
  await warehouse.refreshViews(dataDir);
  for (const { table } of responseTables([], model, clock.now())) {
    const { rows } = await warehouse.query(`SELECT count(*) AS n FROM ${table.name}`);
    counts[table.name] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}
