/**
 * A predicate that is membership in a set of customer ids, kept as the set's query. Inside a rule it
 * reads `c.customer_id IN (query)`; a named segment that is just this predicate is the query itself, with
 * no scan of customers to select the same ids again (one semi-join fewer each time the segment is read).
 */
export class IdSet {
  readonly query: string;

  constructor(query: string) {
    this.query = query;
  }
}

/** What a leaf predicate compiles to: a boolean expression over `c`, or a set of customer ids. */
export type PredicateSql = string | IdSet;

export const idsIn = (query: string): IdSet => new IdSet(query);

/** The predicate as a boolean expression over `c`. */
export const predicateSql = (p: PredicateSql): string =>
  typeof p === 'string' ? p : `c.customer_id IN (${p.query})`;
