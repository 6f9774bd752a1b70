import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import type { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { ident, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import type { TableDef } from '../../shared/lake/tables.ts';

/**
 * How a sorted table's partitions are laid out (TableDef.sortedBy): per partition, its files, the
 * largest row group, and the rows that come before a row they should follow (0 when sorted).
 */
export async function sortedLayout(wh: DuckDbWarehouse, dataDir: string, table: TableDef) {
  const [first, second] = table.sortedBy ?? [];
  if (!first || !second) throw new Error(`${table.name} has no two-column sort order`);
  const out = [];
  for (const dt of readdirSync(tableDir(dataDir, table.name)).sort()) {
    const dir = join(tableDir(dataDir, table.name), dt);
    const files = readdirSync(dir);
    const glob = sqlString(`${dir}/*.parquet`);
    const { rows } = await wh.query(sql`SELECT
      (SELECT max(row_group_num_rows) FROM parquet_metadata(${glob})) AS largest_row_group,
      (SELECT count(*) FROM (
        SELECT ${ident(first)} AS a, ${ident(second)} AS b,
          lag(${ident(first)}) OVER w AS pa, lag(${ident(second)}) OVER w AS pb
        FROM read_parquet(${glob}, file_row_number = true, filename = true)
        WINDOW w AS (PARTITION BY filename ORDER BY file_row_number)
      ) WHERE a < pa OR (a = pa AND b < pb)) AS out_of_order`);
    out.push({ dt, files, ...(rows[0] as { largest_row_group: number; out_of_order: number }) });
  }
  return out;
}
