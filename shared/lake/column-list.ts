import { ident, joinSql, type Sql } from './sql.ts';
import type { TableDef } from './tables.ts';

/** A lake table's columns as a select list, in its definition's order: `order_id, customer_id, …`. */
export function columnList(table: TableDef): Sql {
  return joinSql(table.columns.map((c) => ident(c.name)));
}
