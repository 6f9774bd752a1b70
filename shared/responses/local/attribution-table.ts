import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { Clock } from '../../clock.ts';
import { tableDir } from '../../lake/lake-paths.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { ATTRIBUTION } from '../../lake/tables.ts';
import { attributionRowsSql } from '../attribution-sql.ts';

/**
 * Rewrites the local attribution table from scratch for the given campaigns (all of them, so an order
 * is attributed at most once across campaigns): one Parquet file, swapped in when complete.
 * Returns the number of attributed orders.
 */
export async function writeAttributionTable(
  warehouse: DuckDbWarehouse,
  dataDir: string,
  campaigns: readonly Campaign[],
  model: 'last-touch' | 'first-touch',
  clock: Clock,
): Promise<number> {
  const dir = tableDir(dataDir, ATTRIBUTION.name);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.next-${randomUUID()}.parquet`);
  await warehouse.connection.run(
    `COPY (${attributionRowsSql(campaigns, model, clock.now())}) TO '${tmp.replaceAll("'", "''")}' (FORMAT parquet)`,
  );
  for (const f of readdirSync(dir))
    if (f.endsWith('.parquet') && !f.startsWith('.next-')) rmSync(join(dir, f));
  renameSync(tmp, join(dir, 'part-0.parquet'));
  await warehouse.refreshViews(dataDir);
  const { rows } = await warehouse.query('SELECT count(*) AS n FROM attribution');
  return Number(rows[0]?.n ?? 0);
}
