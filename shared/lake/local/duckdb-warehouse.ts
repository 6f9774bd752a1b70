import { existsSync, readdirSync } from 'node:fs';
import { DataError } from '../../errors.ts';
import { analystViews } from '../analyst-views.ts';
import { tableDir } from '../lake-paths.ts';
import type { RepurchaseBenchmark } from '../shop-analyses.ts';
import { ident, joinSql, type Sql, sql } from '../sql.ts';
import { sqlString } from '../sql-literals.ts';
import { DUCKDB_TYPE, LAKE_TABLES, ORDER_ITEMS, ORDERS, type TableDef } from '../tables.ts';
import type { QueryResult, Row, Warehouse } from '../warehouse.ts';
import { type DuckDbOptions, DuckDbSession, toPlain } from './duckdb-session.ts';
import { recoverLakeSwap } from './lake-swap.ts';

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

/**
 * A table's rows with every column of its definition: `read_parquet` over its folder, or an empty relation
 * with the table's columns if it has no files. By name: a column added after some files were written reads
 * as NULL from those files (as Athena does with Parquet), and one no file has yet is NULL everywhere, so
 * a query never meets a missing column in a lake written before it was added.
 */
export function tableSource(dataDir: string, table: TableDef): Sql {
  const dir = tableDir(dataDir, table.name);
  const hasFiles =
    existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
  const cols = table.columns.map((col) => sql`CAST(NULL AS ${DUCKDB_TYPE[col.type]}) AS ${ident(col.name)}`);
  if (table.partition) cols.push(sql`CAST(NULL AS VARCHAR) AS dt`);
  const typed = sql`SELECT ${joinSql(cols)} WHERE false`;
  if (!hasFiles) return sql`(${typed})`;
  const glob = table.partition ? `${dir}/*/*.parquet` : `${dir}/*.parquet`;
  const hive = table.partition ? sql`, hive_partitioning = true, hive_types = {'dt': VARCHAR}` : sql``;
  return sql`(${typed} UNION ALL BY NAME SELECT * FROM read_parquet(${sqlString(glob)}, union_by_name = true${hive}))`;
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
  /** The session the views live in, for local code that writes beside them (attribution table, tests). */
  readonly session: DuckDbSession;
  readonly #benchmark: RepurchaseBenchmark | null;
  readonly #baseTier: string;
  readonly #simulated: 'include' | 'exclude';

  private constructor(
    session: DuckDbSession,
    benchmark: RepurchaseBenchmark | null,
    settings: { baseTier: string; simulated: 'include' | 'exclude' },
  ) {
    this.session = session;
    this.#benchmark = benchmark;
    this.#baseTier = settings.baseTier;
    this.#simulated = settings.simulated;
  }

  static async open(dataDir: string, opts: WarehouseOptions = {}): Promise<DuckDbWarehouse> {
    const wh = new DuckDbWarehouse(await DuckDbSession.open(opts), opts.benchmark ?? null, {
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
    // tableSource reads every column the table defines (NULL from files written before a column existed).
    const relation = (table: TableDef) => sql`SELECT * FROM ${tableSource(dataDir, table)}`;
    const orders = relation(ORDERS);
    for (const table of LAKE_TABLES) {
      const filter = this.#simulatedFilter(table, orders);
      await this.session.run(
        sql`CREATE OR REPLACE VIEW ${ident(table.name)} AS ${filter ? sql`SELECT * FROM (${relation(table)}) t ${filter}` : relation(table)}`,
      );
    }
    for (const view of analystViews(this.#benchmark, this.#baseTier))
      await this.session.run(sql`CREATE OR REPLACE VIEW ${ident(view.name)} AS ${view.sql}`);
  }

  /** The WHERE clause that leaves out the simulation's rows of orders and order_items, when asked to. */
  #simulatedFilter(table: TableDef, orders: Sql): Sql | null {
    if (this.#simulated === 'include') return null;
    const source = sqlString(SIMULATION_SOURCE);
    const simulatedOrders = sql`SELECT order_id FROM (${orders}) o WHERE o.source = ${source} AND o.order_id IS NOT NULL`;
    if (table === ORDERS) return sql`WHERE t.source IS DISTINCT FROM ${source}`;
    if (table === ORDER_ITEMS) return sql`WHERE t.order_id NOT IN (${simulatedOrders})`;
    return null;
  }

  async query(query: Sql): Promise<QueryResult> {
    const reader = await this.session.readAll(query).catch((e: unknown) => {
      throw queryError(e);
    });
    const columns = reader.columnNames();
    const rows = reader
      .getRows()
      .map((r) => Object.fromEntries(columns.map((c, i) => [c, toPlain(r[i] ?? null)])));
    return { columns, rows };
  }

  async *stream(query: Sql): AsyncIterable<Row[]> {
    const result = await this.session.stream(query).catch((e: unknown) => {
      throw queryError(e);
    });
    const columns = result.columnNames();
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      yield chunk.getRows().map((r) => Object.fromEntries(columns.map((c, i) => [c, toPlain(r[i] ?? null)])));
    }
  }

  async close(): Promise<void> {
    this.session.close();
  }
}
