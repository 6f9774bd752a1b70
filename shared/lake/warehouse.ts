/**
 * The Warehouse port: run a query over the lake's tables, by their catalog names (orders, customers, ...).
 * Adapters: DuckDB over a local folder (local/duckdb-warehouse.ts); Athena on AWS.
 */
export type Row = Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  rows: Row[];
}

export interface Warehouse {
  /** Runs one statement and returns every row; for small results (profiles, previews, reports). */
  query(sql: string): Promise<QueryResult>;
  /** Runs one statement and yields its rows in batches, never holding the whole result. */
  stream(sql: string): AsyncIterable<Row[]>;
  close(): Promise<void>;
}
