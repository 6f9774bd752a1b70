import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeInFolder } from '../../local-files.ts';
import { tableDir } from '../lake-paths.ts';
import { joinSql, sql } from '../sql.ts';
import { sqlString } from '../sql-literals.ts';
import type { TableRecord, TableWriter } from '../table-writer.ts';
import { DUCKDB_TYPE, type TableDef } from '../tables.ts';
import { DuckDbSession } from './duckdb-session.ts';
import { recoverLakeSwap } from './lake-swap.ts';

/** The staging folder of a table: rows appended but not yet in Parquet (the local Firehose buffer). */
export function stagingDir(dataDir: string, table: TableDef): string {
  return resolve(dataDir, 'staging', table.name);
}

/**
 * Staged characters (≈ bytes: the rows are mostly ASCII) that make an append convert the staging file to
 * Parquet, as Firehose's buffer size does:
 * converting a whole 1M-recipient wave at its end made the process's peak memory (DuckDB reading
 * 400 MB of JSON lines next to the sender's heap) exceed 1.5 GB.
 */
export const STAGING_FLUSH_BYTES = 64 * 2 ** 20;

/**
 * Appends rows to a lake table on one machine. Rows go, synchronously, as JSON lines to a staging file
 * of this writer's own, so a crash loses nothing. When the staging file reaches STAGING_FLUSH_BYTES the
 * writer moves on to a new one and converts the full one to Parquet in the table's `dt=` partitions in
 * the background (on DuckDB's thread, while the caller goes on appending), as Firehose converts its
 * buffer after PutRecordBatch has returned; `flush` converts what is staged and waits for every
 * conversion. One conversion runs at a time: an append that fills a staging file while the previous one
 * is still converting waits for it. A conversion that fails keeps its staging file, and from then on
 * every append (once its rows are staged) and flush throws: nothing is lost, and `recoverStaged`
 * converts the staged files on the next run. Staging files left by a crashed process are picked up by
 * `recoverStaged` too.
 */
export class StagedParquetWriter implements TableWriter {
  readonly #dataDir: string;
  readonly #table: TableDef;
  #file: string;
  #staged = 0;
  readonly #flushAt: number;
  /** The conversion running in the background, if any (it never rejects: a failure goes to #failure). */
  #converting: Promise<void> | null = null;
  #failure: Error | null = null;

  constructor(dataDir: string, table: TableDef, options: { flushAt?: number } = {}) {
    this.#dataDir = dataDir;
    this.#table = table;
    this.#flushAt = options.flushAt ?? STAGING_FLUSH_BYTES;
    this.#file = this.#newFile();
  }

  #newFile(): string {
    return join(stagingDir(this.#dataDir, this.#table), `${randomUUID()}.jsonl`);
  }

  async append(records: readonly TableRecord[]): Promise<void> {
    if (records.length > 0) {
      const lines = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
      writeInFolder(stagingDir(this.#dataDir, this.#table), () => appendFileSync(this.#file, lines));
      this.#staged += lines.length;
    }
    // A failed conversion is reported once these rows are staged: they are kept whatever happens.
    this.#throwFailure();
    if (this.#staged >= this.#flushAt) {
      await this.#converting;
      this.#throwFailure();
      this.#convertInBackground();
    }
  }

  async flush(): Promise<void> {
    await this.#converting;
    this.#throwFailure();
    this.#convertInBackground();
    await this.#converting;
    this.#throwFailure();
  }

  /** Starts converting the current staging file (if it has rows) and moves appends to a new one. */
  #convertInBackground(): void {
    if (!existsSync(this.#file)) return;
    const file = this.#file;
    this.#file = this.#newFile();
    this.#staged = 0;
    const done = stageToParquet(this.#dataDir, this.#table, [file]).then(
      () => {
        if (this.#converting === done) this.#converting = null;
      },
      (e: unknown) => {
        if (this.#converting === done) this.#converting = null;
        this.#failure = e instanceof Error ? e : new Error(String(e));
      },
    );
    this.#converting = done;
  }

  #throwFailure(): void {
    const failure = this.#failure;
    if (!failure) return;
    throw new Error(
      `converting staged ${this.#table.name} rows to Parquet failed (the rows stay staged under ${stagingDir(this.#dataDir, this.#table)} and are recovered on the next run): ${failure.message}`,
      { cause: failure },
    );
  }

  /** Converts staging files left behind by earlier processes. Call before any writer of this table runs. */
  static async recoverStaged(dataDir: string, table: TableDef): Promise<number> {
    const dir = stagingDir(dataDir, table);
    if (!existsSync(dir)) return 0;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(dir, f));
    if (files.length) await stageToParquet(dataDir, table, files);
    return files.length;
  }
}

async function stageToParquet(dataDir: string, table: TableDef, files: string[]): Promise<void> {
  const columns = joinSql([
    ...table.columns.map((c) => sql`${sqlString(c.name)}: ${sqlString(DUCKDB_TYPE[c.type])}`),
    ...(table.partition ? [sql`'dt': 'VARCHAR'`] : []),
  ]);
  await recoverLakeSwap(dataDir); // new files must not land in a partition a crashed swap is replacing
  mkdirSync(tableDir(dataDir, table.name), { recursive: true });
  const db = await DuckDbSession.open({ threads: 1, memoryLimit: '512MB' });
  try {
    await db.run(sql`SET TimeZone = 'UTC'`);
    const source = sql`read_json([${joinSql(files.map(sqlString))}], format = 'newline_delimited', columns = {${columns}})`;
    const target = sqlString(tableDir(dataDir, table.name));
    const name = sqlString(`part-${randomUUID()}-{i}`);
    await db.run(
      table.partition
        ? sql`COPY (SELECT * FROM ${source}) TO ${target} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN ${name})`
        : sql`COPY (SELECT * FROM ${source}) TO ${sqlString(join(tableDir(dataDir, table.name), `part-${randomUUID()}.parquet`))} (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
  for (const f of files) rmSync(f);
}
