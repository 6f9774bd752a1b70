import { joinSql, type Sql, sql } from '../lake/sql.ts';

/**
 * A predicate that is membership in a set of customer ids, kept as the set's query. Inside a rule it
 * reads `c.customer_id IN (query)`; a named segment that is just this predicate is the query itself, with
 * no scan of customers to select the same ids again (one semi-join fewer each time the segment is read).
 */
export class IdSet {
  readonly query: Sql;

  constructor(query: Sql) {
    this.query = query;
  }
}

/** What a leaf predicate compiles to: a boolean expression over `c`, or a set of customer ids. */
export type PredicateSql = Sql | IdSet;

export const idsIn = (query: Sql): IdSet => new IdSet(query);

/** The predicate as a boolean expression over `c`. */
export const predicateSql = (p: PredicateSql): Sql =>
  p instanceof IdSet ? sql`c.customer_id IN (${p.query})` : p;

/** Conditions AND-ed, leaving out those that are null (a rule's bound not given). */
export const allOf = (conds: readonly (Sql | null)[]): Sql =>
  joinSql(
    conds.filter((c) => c !== null),
    sql` AND `,
  );
