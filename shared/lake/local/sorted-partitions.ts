import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { columnList } from '../column-list.ts';
import { ident, joinSql, sql } from '../sql.ts';
import { sqlString } from '../sql-literals.ts';
import { SORTED_ROW_GROUP_ROWS, type TableDef } from '../tables.ts';
import type { DuckDbSession } from './duckdb-session.ts';

/**
 * Rewrites the `dt=` partitions under `from` into `to` in the table's layout (TableDef.sortedBy): one
 * file per partition, rows sorted, row groups of SORTED_ROW_GROUP_ROWS. One partition at a time, so the
 * memory needed is one partition's, whatever the table's size. A table without `sortedBy` is copied
 * as one file per partition. Returns the partitions written.
 */
export async function writeSortedPartitions(
  db: DuckDbSession,
  table: TableDef,
  from: string,
  to: string,
): Promise<string[]> {
  if (!table.partition) throw new Error(`${table.name} is not partitioned`);
  const partitions = existsSync(from)
    ? (await readdir(from)).filter((name) => name.startsWith('dt=')).sort()
    : [];
  const order = table.sortedBy ? sql` ORDER BY ${joinSql(table.sortedBy.map(ident))}` : sql``;
  const columns = columnList(table);
  for (const dt of partitions) {
    await mkdir(join(to, dt), { recursive: true });
    await db.run(
      sql`COPY (SELECT ${columns} FROM read_parquet(${sqlString(join(from, dt, '*.parquet'))})${order})
        TO ${sqlString(join(to, dt, 'part-0.parquet'))} (FORMAT parquet, ROW_GROUP_SIZE ${SORTED_ROW_GROUP_ROWS})`,
    );
  }
  return partitions.map((dt) => dt.slice('dt='.length));
}
