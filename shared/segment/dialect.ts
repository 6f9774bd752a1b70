import { type Sql, sql } from '../lake/sql.ts';

/**
 * The SQL the segment compiler writes is one text for Athena (Trino) and DuckDB. Where the two engines
 * differ, the difference is here and nowhere else; tests/segment/dialect.test.ts has a test per entry.
 *
 * Everything else the compiler uses is common to both: `TIMESTAMP '…'` and `DATE '…'` literals,
 * `ts ± INTERVAL 'n' DAY`, `IN (subquery)`, `count(*) FILTER (WHERE …)`, `percent_rank() OVER`, `||`.
 * Forms only one engine accepts are avoided: `date_add` (argument order differs), `approx_distinct`
 * (DuckDB: approx_count_distinct), `GROUP BY ALL` and `read_parquet` (DuckDB only).
 */
export type Dialect = 'trino' | 'duckdb';

/**
 * A stable bucket 0–9999 of a string: the first 32 bits of its MD5, modulo 10,000. The same value in
 * both engines and in TypeScript (see stableBucket), so holdout, variants and samples agree everywhere.
 */
export function bucketSql(dialect: Dialect, expr: Sql): Sql {
  switch (dialect) {
    case 'trino':
      return sql`(from_base(substr(to_hex(md5(to_utf8(${expr}))), 1, 8), 16) % 10000)`;
    case 'duckdb':
      return sql`(CAST(('0x' || substr(md5(${expr}), 1, 8)) AS BIGINT) % 10000)`;
  }
}
