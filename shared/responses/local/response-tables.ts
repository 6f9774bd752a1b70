import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { Clock } from '../../clock.ts';
import { tableDir } from '../../lake/lake-paths.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { stagingFolder, swapFolders } from '../../lake/local/lake-swap.ts';
import { sqlString } from '../../segment/sql-literals.ts';
import { responseTables } from '../response-tables.ts';

/**
 * Rewrites the local attribution and lift tables from scratch for the given campaigns (all of them, so an
 * order is attributed at most once across campaigns): one Parquet file each, swapped in together when
 * all are complete (lake-swap.ts).
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
  const staging = await stagingFolder(dataDir);
  try {
    const swaps = [];
    for (const { table, sql } of responseTables(campaigns, model, clock.now())) {
      const next = join(staging, table.name);
      mkdirSync(next);
      await warehouse.connection.run(
        `COPY (${sql}) TO ${sqlString(join(next, 'part-0.parquet'))} (FORMAT parquet)`,
      );
      swaps.push({ target: tableDir(dataDir, table.name), next });
    }
    // The tables are replaced together: a crash leaves all the old ones or all the new ones.
    await swapFolders(dataDir, swaps);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  await warehouse.refreshViews(dataDir);
  for (const { table } of responseTables([], model, clock.now())) {
    const { rows } = await warehouse.query(`SELECT count(*) AS n FROM ${table.name}`);
    counts[table.name] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}
