import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { Clock } from '../../clock.ts';
import { tableDir } from '../../lake/lake-paths.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { stagingFolder, swapFolders } from '../../lake/local/lake-swap.ts';
import { ident, sql } from '../../lake/sql.ts';
import { sqlString } from '../../lake/sql-literals.ts';
import type { AttributionModel, ResponseTableWriter, RewrittenTable } from '../response-table-writer.ts';
import { responseTables } from '../response-tables.ts';

/**
 * The local response tables: rewritten from scratch for the given campaigns (all of them, so an order is
 * attributed at most once across campaigns), one Parquet file each, swapped in together when all are
 * complete (lake-swap.ts).
 */
export class LocalResponseTables implements ResponseTableWriter {
  readonly #warehouse: DuckDbWarehouse;
  readonly #dataDir: string;
  readonly #clock: Clock;

  constructor(warehouse: DuckDbWarehouse, dataDir: string, clock: Clock) {
    this.#warehouse = warehouse;
    this.#dataDir = dataDir;
    this.#clock = clock;
  }

  async rewrite(campaigns: readonly Campaign[], model: AttributionModel): Promise<RewrittenTable[]> {
    const tables = responseTables(campaigns, model, this.#clock.now());
    const staging = await stagingFolder(this.#dataDir);
    try {
      const swaps = [];
      for (const { table, sql: query } of tables) {
        const next = join(staging, table.name);
        mkdirSync(next);
        await this.#warehouse.session.run(
          sql`COPY (${query}) TO ${sqlString(join(next, 'part-0.parquet'))} (FORMAT parquet)`,
        );
        swaps.push({ target: tableDir(this.#dataDir, table.name), next });
      }
      // The tables are replaced together: a crash leaves all the old ones or all the new ones.
      await swapFolders(this.#dataDir, swaps);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    await this.#warehouse.refreshViews(this.#dataDir);
    const out: RewrittenTable[] = [];
    for (const { table } of tables) {
      const { rows } = await this.#warehouse.query(sql`SELECT count(*) AS n FROM ${ident(table.name)}`);
      out.push({
        table: table.name,
        location: tableDir(this.#dataDir, table.name),
        rows: Number(rows[0]?.n ?? 0),
      });
    }
    return out;
  }
}
