import { existsSync, readdirSync } from 'node:fs';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DataError } from '../../errors.ts';
import { sqlString } from '../../segment/sql-literals.ts';
import { analystViews } from '../analyst-views.ts';
import { tableDir } from '../lake-paths.ts';
import type { RepurchaseBenchmark } from '../shop-analyses.ts';
import { DUCKDB_TYPE, LAKE_TABLES, ORDER_ITEMS, ORDERS, type TableDef } from '../tables.ts';
import type { QueryResult, Row, Warehouse } from '../warehouse.ts';
import { recoverLakeSwap } from './lake-swap.ts';

export interface DuckDbOptions {
  threads?: number;
  memoryLimit?: string;
}

export interface WarehouseOptions extends DuckDbOptions {
  /** The shop's repurchase benchmark (contact-policy.yaml) for the repurchase_vs_industry view. */
  benchmark?: RepurchaseBenchmark | null;
  /** The shop's first member tier (contact-policy.yaml memberTiers) for the member views; default normal. */
  baseTier?: string;
  /**
   * What the response simulation wrote into the lake (orders.source = 'simulation': its orders, and
   * generated orders it paid) and those orders' lines: seen like any other (`include`, the default) or
   * left out of the orders and order_items views, and so of every view over them (`exclude`).
   */
  simulated?: 'include' | 'exclude';
}

/** The orders.source of rows the response simulation wrote (shared/responses/simulate-responses.ts). */
export const SIMULATION_SOURCE = 'simulation';

/** Opens an in-memory DuckDB with the given settings. */
export async function openDuckDb(
  opts: DuckDbOptions = {},
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 2),
    memory_limit: opts.memoryLimit ?? '2GB',
  });
  return { instance, connection: await instance.connect() };
}

/**
 * A table's rows with every column of its definition: `read_parquet` over its folder, or an empty relation
 * with the table's columns if it has no files. By name: a column added after some files were written reads
 * as NULL from those files (as Athena does with Parquet), and one no file has yet is NULL everywhere, so
 * a query never meets a missing column in a lake written before it was added.
 */
export function tableSource(dataDir: string, table: TableDef): string {
  const dir = tableDir(dataDir, table.name);
  const hasFiles =
    existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
  const cols = table.columns.map((col) => `CAST(NULL AS ${DUCKDB_TYPE[col.type]}) AS ${col.name}`);
  if (table.partition) cols.push('CAST(NULL AS VARCHAR) AS dt');
  const typed = `SELECT ${cols.join(', ')} WHERE false`;
  if (!hasFiles) return `(${typed})`;
  const glob = table.partition ? `${dir}/*/*.parquet` : `${dir}/*.parquet`;
  const hive = table.partition ? `, hive_partitioning = true, hive_types = {'dt': VARCHAR}` : '';
  return `(${typed} UNION ALL BY NAME SELECT * FROM read_parquet(${sqlString(glob)}, union_by_name = true${hive}))`;
}

/** Plain JS values for DuckDB's: BIGINT → number when safe, DECIMAL → number, TIMESTAMP → ISO string. */
function toPlain(value: DuckDBValue): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint')
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value;
  }
  if ('toDouble' in value && typeof value.toDouble === 'function') return value.toDouble();
  return value.toString();
}

/**
 * DuckDB's errors about the statement itself are the user's to fix; anything else (I/O, memory) is ours.
 * The names are DuckDB's exception types (its "Not implemented Error" means a feature the SQL asks for).
 */
const STATEMENT_ERRORS =
  /^(Parser|Binder|Catalog|Conversion|Invalid Input|Not implemented|Out of Range) Error/;

function queryError(e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  return STATEMENT_ERRORS.test(message)
    ? new DataError(`query failed: ${message}`, { cause: e })
    : new Error(`query failed: ${message}`, { cause: e });
}

/** The DuckDB adapter of the Warehouse port: views named like the Athena tables over the local lake. */
export class DuckDbWarehouse implements Warehouse {
  readonly connection: DuckDBConnection;
  readonly #instance: DuckDBInstance;
  readonly #benchmark: RepurchaseBenchmark | null;
  readonly #baseTier: string;
  readonly #simulated: 'include' | 'exclude';

  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    benchmark: RepurchaseBenchmark | null,
    settings: { baseTier: string; simulated: 'include' | 'exclude' },
  ) {
    this.#instance = instance;
    this.connection = connection;
    this.#benchmark = benchmark;
    this.#baseTier = settings.baseTier;
    this.#simulated = settings.simulated;
  }

  static async open(dataDir: string, opts: WarehouseOptions = {}): Promise<DuckDbWarehouse> {
    const { instance, connection } = await openDuckDb(opts);
    const wh = new DuckDbWarehouse(instance, connection, opts.benchmark ?? null, {
      baseTier: opts.baseTier ?? 'normal',
      simulated: opts.simulated ?? 'include',
    });
    await wh.refreshViews(dataDir);
    return wh;
  }

  /**
   * (Re)creates one view per lake table and the analysts' views over them; call after writing new files
   * so the views see them. A lake swap a crashed process left half done is completed first, so the views
   * see one version of every table.
   */
  async refreshViews(dataDir: string): Promise<void> {
    await recoverLakeSwap(dataDir);
    const relations = new Map<string, string>();
    for (const table of LAKE_TABLES) {
      // tableSource reads every column the table defines (NULL from files written before a column existed).
      const relation = `SELECT * FROM ${tableSource(dataDir, table)}`;
      relations.set(table.name, relation);
      const filter = this.#simulatedFilter(table, relations);
      await this.connection.run(
        `CREATE OR REPLACE VIEW ${table.name} AS ${filter ? `SELECT * FROM (${relation}) t ${filter}` : relation}`,
      );
    }
    for (const view of analystViews(this.#benchmark, this.#baseTier))
      await this.connection.run(`CREATE OR REPLACE VIEW ${view.name} AS ${view.sql}`);
  }

  /** The WHERE clause that leaves out the simulation's rows of orders and order_items, when asked to. */
  #simulatedFilter(table: TableDef, relations: Map<string, string>): string {
    if (this.#simulated === 'include') return '';
    const simulatedOrders = `SELECT order_id FROM (${relations.get(ORDERS.name)}) o WHERE o.source = '${SIMULATION_SOURCE}' AND o.order_id IS NOT NULL`;
    if (table === ORDERS) return `WHERE t.source IS DISTINCT FROM '${SIMULATION_SOURCE}'`;
    if (table === ORDER_ITEMS) return `WHERE t.order_id NOT IN (${simulatedOrders})`;
    return '';
  }

  async query(sql: string): Promise<QueryResult> {
    const reader = await this.#run(sql);
    const columns = reader.columnNames();
    const rows = reader
      .getRows()
      .map((r) => Object.fromEntries(columns.map((c, i) => [c, toPlain(r[i] ?? null)])));
    return { columns, rows };
  }

  async *stream(sql: string): AsyncIterable<Row[]> {
    const result = await this.connection.stream(sql).catch((e: unknown) => {
      throw queryError(e);
    });
    const columns = result.columnNames();
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      yield chunk.getRows().map((r) => Object.fromEntries(columns.map((c, i) => [c, toPlain(r[i] ?? null)])));
    }
  }

  async #run(sql: string) {
    try {
      return await this.connection.runAndReadAll(sql);
    } catch (e) {
      throw queryError(e);
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.#instance.closeSync();
  }
}
