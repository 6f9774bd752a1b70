import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResult,
  type DuckDBResultReader,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Sql } from '../sql.ts';
import type { Row } from '../warehouse.ts';

export interface DuckDbOptions {
  threads?: number;
  memoryLimit?: string;
}

/** Plain JS values for DuckDB's: BIGINT → number when safe, DECIMAL → number, TIMESTAMP → ISO string. */
export function toPlain(value: DuckDBValue): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint')
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value;
  }
  if ('toDouble' in value && typeof value.toDouble === 'function') return value.toDouble();
  return value.toString();
}

/**
 * An in-memory DuckDB that runs only `Sql` (sql.ts): the one module that imports DuckDB, so every
 * statement the local engine runs — the warehouse's views and queries, imports, the sample shop, the
 * lake's rewrites — was built by the `sql` tag and the literal helpers.
 */
export class DuckDbSession {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.#instance = instance;
    this.#connection = connection;
  }

  static async open(opts: DuckDbOptions = {}): Promise<DuckDbSession> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(opts.threads ?? 2),
      memory_limit: opts.memoryLimit ?? '2GB',
    });
    return new DuckDbSession(instance, await instance.connect());
  }

  /** Runs a statement (DDL, COPY, SET, INSERT) for its effect. */
  async run(statement: Sql): Promise<void> {
    await this.#connection.run(statement);
  }

  /** Runs a query and holds its whole result (small results: counts, lists of partitions). */
  readAll(query: Sql): Promise<DuckDBResultReader> {
    return this.#connection.runAndReadAll(query);
  }

  /** Runs a query whose result is read chunk by chunk (fetchChunk), never held whole. */
  stream(query: Sql): Promise<DuckDBResult> {
    return this.#connection.stream(query);
  }

  /** Every row of a query as plain objects (see toPlain). */
  async rows(query: Sql): Promise<Row[]> {
    const result = await this.readAll(query);
    const columns = result.columnNames();
    return result.getRows().map((r) => Object.fromEntries(columns.map((c, i) => [c, toPlain(r[i] ?? null)])));
  }

  /** A query's first column of its first row as a number: `SELECT count(*) …`. */
  async count(query: Sql): Promise<number> {
    return Number((await this.readAll(query)).getRows()[0]?.[0] ?? 0);
  }

  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}
