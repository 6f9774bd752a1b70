import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { raw } from '../../shared/lake/sql.ts';

/** One query on a data folder's lake, in-process: the rows `campaign sql --json` would print (a test's own text). */
export async function queryLake(dataDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const wh = await DuckDbWarehouse.open(dataDir);
  try {
    return JSON.parse(JSON.stringify((await wh.query(raw(sql))).rows)) as Record<string, unknown>[];
  } finally {
    await wh.close();
  }
}
