/**
 * The Warehouse port: run a query over the lake's tables, by their catalog names (orders, customers, ...).
 * Adapters: DuckDB over a local folder (local/duckdb-warehouse.ts); Athena on AWS.
 */
import type { Sql } from './sql.ts';

export type Row = Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  rows: Row[];
}

export interface Warehouse {
  /** Runs one statement and returns every row; for small results (profiles, previews, reports). */
  query(sql: Sql): Promise<QueryResult>;
  /** Runs one statement and yields its rows in batches, never holding the whole result. */
  stream(sql: Sql): AsyncIterable<Row[]>;
  close(): Promise<void>;
}

/** A query the warehouse could not run; names the query so logs and alarms point at it. */
export class WarehouseError extends Error {
  override name = 'WarehouseError';
  readonly queryId: string;

  constructor(queryId: string, sql: string, message: string, options?: ErrorOptions) {
    super(`${message} (query ${queryId}: ${sql.replace(/\s+/g, ' ').slice(0, 120)})`, options);
    this.queryId = queryId;
  }
}

export class QueryFailedError extends WarehouseError {
  override name = 'QueryFailedError';
  constructor(queryId: string, sql: string, reason: string) {
    super(queryId, sql, `query failed: ${reason}`);
  }
}

export class QueryCancelledError extends WarehouseError {
  override name = 'QueryCancelledError';
  constructor(queryId: string, sql: string) {
    super(queryId, sql, 'query was cancelled');
  }
}

export class QueryTimeoutError extends WarehouseError {
  override name = 'QueryTimeoutError';
  constructor(queryId: string, sql: string, timeoutMs: number) {
    super(queryId, sql, `query did not finish within ${timeoutMs} ms and was stopped`);
  }
}
