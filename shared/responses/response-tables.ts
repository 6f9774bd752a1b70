import type { Campaign } from '../campaign/campaign-schema.ts';
import { ident, joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlTimestamp } from '../lake/sql-literals.ts';
import { ATTRIBUTION, LIFT, type TableDef } from '../lake/tables.ts';
import { attributionRowsSql } from './attribution-sql.ts';
import { liftStatsSql } from './lift-sql.ts';

/**
 * The tables the report derives from sends, events and orders, rewritten whole each time (locally by
 * `campaign report`, on AWS by the attribute job): `attribution` (every campaign at once, so an order is
 * attributed at most once) and `lift` (the figures each campaign's lift is read from).
 */
export function responseTables(
  campaigns: readonly Campaign[],
  model: 'last-touch' | 'first-touch',
  computedAt: Date,
): { table: TableDef; sql: Sql }[] {
  const lift = campaigns.map(
    (c) => sql`SELECT *, ${sqlTimestamp(computedAt)} AS computed_at FROM (\n${liftStatsSql(c)}\n) l`,
  );
  return [
    { table: ATTRIBUTION, sql: attributionRowsSql(campaigns, model, computedAt) },
    {
      table: LIFT,
      sql: lift.length
        ? joinSql(lift, sql`\nUNION ALL\n`)
        : sql`SELECT ${joinSql(LIFT.columns.map((c) => sql`NULL AS ${ident(c.name)}`))} WHERE false`,
    },
  ];
}
