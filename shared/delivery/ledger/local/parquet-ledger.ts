import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tableDir } from '../../../lake/lake-paths.ts';
import { openDuckDb } from '../../../lake/local/duckdb-warehouse.ts';
import { DUCKDB_TYPE, SENDS } from '../../../lake/tables.ts';
import { type LedgerRow, type LedgerWriter, ledgerRecord } from '../ledger.ts';

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The staging folder: rows appended but not yet in Parquet (the local counterpart of Firehose's buffer). */
export function ledgerStagingDir(dataDir: string): string {
  return resolve(dataDir, 'staging', 'sends');
}

/**
 * The local ledger writer. Rows are appended, synchronously, as JSON lines to a staging file of this
 * writer's own, so a crash loses nothing; `flush` turns the staging file into Parquet files in the sends
 * table's `dt=yyyy-MM-dd` partitions (by planned_at, UTC) and removes it. Staging files left by a crashed
 * process are picked up by `recoverStaged`.
 */
export class ParquetLedger implements LedgerWriter {
  readonly #dataDir: string;
  #file: string;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#file = this.#newFile();
  }

  #newFile(): string {
    return join(ledgerStagingDir(this.#dataDir), `${randomUUID()}.jsonl`);
  }

  async append(rows: readonly LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    mkdirSync(ledgerStagingDir(this.#dataDir), { recursive: true });
    appendFileSync(this.#file, `${rows.map((r) => JSON.stringify(ledgerRecord(r))).join('\n')}\n`);
  }

  async flush(): Promise<void> {
    if (!existsSync(this.#file)) return;
    const file = this.#file;
    this.#file = this.#newFile();
    await stageToParquet(this.#dataDir, [file]);
  }

  /** Converts staging files left behind by earlier processes. Call before any writer of this folder runs. */
  static async recoverStaged(dataDir: string): Promise<number> {
    const dir = ledgerStagingDir(dataDir);
    if (!existsSync(dir)) return 0;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(dir, f));
    if (files.length) await stageToParquet(dataDir, files);
    return files.length;
  }
}

async function stageToParquet(dataDir: string, files: string[]): Promise<void> {
  const columns = [
    ...SENDS.columns.map((c) => `${q(c.name)}: ${q(DUCKDB_TYPE[c.type])}`),
    `'dt': 'VARCHAR'`,
  ].join(', ');
  mkdirSync(tableDir(dataDir, SENDS.name), { recursive: true });
  const { instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '512MB' });
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    const source = `read_json([${files.map(q).join(', ')}], format = 'newline_delimited', columns = {${columns}})`;
    const select = `SELECT * FROM ${source}`;
    await connection.run(
      `COPY (${select}) TO ${q(tableDir(dataDir, SENDS.name))} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN ${q(`part-${randomUUID()}-{i}`)})`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  for (const f of files) rmSync(f);
}
