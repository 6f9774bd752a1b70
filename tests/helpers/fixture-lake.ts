import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbSession } from '../../shared/lake/local/duckdb-session.ts';
import { ident, joinSql, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { DUCKDB_TYPE, LAKE_TABLES } from '../../shared/lake/tables.ts';

export type FixtureRows = Partial<Record<string, Record<string, unknown>[]>>;

/** An orders row: paid when it has a paid_at, else unpaid; `extra` adds or overrides columns. */
export const fixtureOrder = (
  id: string,
  customer: string,
  created: string,
  paid: string | null,
  amount: number,
  extra: Record<string, unknown> = {},
) => ({
  order_id: id,
  customer_id: customer,
  created_at: created,
  paid_at: paid,
  status: paid ? 'paid' : 'unpaid',
  amount,
  ...extra,
});

/**
 * Writes hand-made rows into a fresh local lake, in the real layout (Parquet, dt= partitions), so tests
 * run the same views and SQL as the product. Columns not given are NULL.
 */
export async function writeFixtureLake(rows: FixtureRows): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lake-'));
  const db = await DuckDbSession.open({ threads: 1 });
  try {
    for (const table of LAKE_TABLES) {
      const list = rows[table.name];
      if (!list || list.length === 0) continue;
      const file = join(dataDir, `${table.name}.jsonl`);
      await writeFile(file, list.map((r) => JSON.stringify(r)).join('\n'));
      const columns = joinSql(
        table.columns.map((c) => sql`${ident(c.name)}: ${sqlString(DUCKDB_TYPE[c.type])}`),
      );
      const select = sql`SELECT * FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${columns}})`;
      const dir = tableDir(dataDir, table.name);
      if (table.partition) {
        await mkdir(dirname(dir), { recursive: true });
        const fmt = table.partition.format === 'yyyy-MM' ? '%Y-%m' : '%Y-%m-%d';
        const col =
          table.name === 'sends' ? 'planned_at' : table.name === 'events' ? 'occurred_at' : 'created_at';
        await db.run(
          sql`COPY (SELECT *, strftime(${ident(col)}, ${sqlString(fmt)}) AS dt FROM (${select})) TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY (dt))`,
        );
      } else {
        await mkdir(dir, { recursive: true });
        await db.run(sql`COPY (${select}) TO ${sqlString(join(dir, 'part-0.parquet'))} (FORMAT parquet)`);
      }
    }
  } finally {
    db.close();
  }
  return dataDir;
}
