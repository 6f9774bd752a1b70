import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import { openDuckDb } from '../../shared/lake/local/duckdb-warehouse.ts';
import { DUCKDB_TYPE, LAKE_TABLES } from '../../shared/lake/tables.ts';

export type FixtureRows = Partial<Record<string, Record<string, unknown>[]>>;

/**
 * Writes hand-made rows into a fresh local lake, in the real layout (Parquet, dt= partitions), so tests
 * run the same views and SQL as the product. Columns not given are NULL.
 */
export async function writeFixtureLake(rows: FixtureRows): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lake-'));
  const { instance, connection } = await openDuckDb({ threads: 1 });
  try {
    for (const table of LAKE_TABLES) {
      const list = rows[table.name];
      if (!list || list.length === 0) continue;
      const file = join(dataDir, `${table.name}.jsonl`);
      await writeFile(file, list.map((r) => JSON.stringify(r)).join('\n'));
      const columns = `{${table.columns.map((c) => `${c.name}: '${DUCKDB_TYPE[c.type]}'`).join(', ')}}`;
      const select = `SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${columns})`;
      const dir = tableDir(dataDir, table.name);
      if (table.partition) {
        await mkdir(dirname(dir), { recursive: true });
        const fmt = table.partition.format === 'yyyy-MM' ? '%Y-%m' : '%Y-%m-%d';
        const col =
          table.name === 'sends' ? 'planned_at' : table.name === 'events' ? 'occurred_at' : 'created_at';
        await connection.run(
          `COPY (SELECT *, strftime(${col}, '${fmt}') AS dt FROM (${select})) TO '${dir}' (FORMAT parquet, PARTITION_BY (dt))`,
        );
      } else {
        await mkdir(dir, { recursive: true });
        await connection.run(`COPY (${select}) TO '${join(dir, 'part-0.parquet')}' (FORMAT parquet)`);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return dataDir;
}
