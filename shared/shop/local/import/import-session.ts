import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbSession } from '../../../lake/local/duckdb-session.ts';
import { recoverLakeSwap, stagingFolder } from '../../../lake/local/lake-swap.ts';
import { sql } from '../../../lake/sql.ts';
import { sqlString } from '../../../lake/sql-literals.ts';

/** What every import works in: DuckDB (1 GB, spilling to disk) and a staging folder beside the lake. */
export interface ImportSession {
  db: DuckDbSession;
  staging: string;
}

/**
 * Runs an import's work in a session: the lake recovered from any crashed swap first, a new staging folder
 * (where the import stages rows and builds the folders it swaps in), DuckDB spilling into it; DuckDB is
 * closed and the staging folder removed at the end, whatever happened.
 */
export async function inImportSession<T>(
  dataDir: string,
  work: (s: ImportSession) => Promise<T>,
): Promise<T> {
  await recoverLakeSwap(dataDir);
  const staging = await stagingFolder(dataDir);
  const db = await DuckDbSession.open({ threads: 2, memoryLimit: '1GB' });
  try {
    await db.run(sql`SET temp_directory = ${sqlString(join(staging, 'spill'))}`);
    return await work({ db, staging });
  } finally {
    db.close();
    await rm(staging, { recursive: true, force: true });
  }
}
