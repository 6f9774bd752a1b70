import { joinSql, type Sql, sql } from './sql.ts';

/**
 * Values enter SQL only through these functions (the `sql` tag takes nothing else: sql.ts), as literals both Athena (Trino) and DuckDB
 * read the same way. A string literal is quoted with its quotes doubled — neither engine treats a
 * backslash specially in a standard string — so a quote, semicolon or comment inside a value stays text.
 */

export function sqlString(value: string): Sql {
  if (value.includes('\u0000')) throw new RangeError('a NUL character cannot go into a SQL literal');
  return `'${value.replaceAll("'", "''")}'` as Sql;
}

export function sqlNumber(value: number): Sql {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return sql`${value}`;
}

export function sqlStringList(values: readonly string[]): Sql {
  if (values.length === 0) throw new RangeError('an IN list needs at least one value');
  return sql`(${joinSql(values.map(sqlString))})`;
}

export function sqlNumberList(values: readonly number[]): Sql {
  if (values.length === 0) throw new RangeError('an IN list needs at least one value');
  return sql`(${joinSql(values.map(sqlNumber))})`;
}

/** A UTC instant as a TIMESTAMP literal (the lake stores UTC timestamps without zone). */
export function sqlTimestamp(at: Date): Sql {
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid date');
  return `TIMESTAMP '${at.toISOString().slice(0, 19).replace('T', ' ')}'` as Sql;
}

export function sqlDate(day: string): Sql {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a date YYYY-MM-DD: ${day}`);
  return `DATE '${day}'` as Sql;
}

/** A duration as an interval literal in the largest whole unit. */
export function sqlInterval(ms: number): Sql {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in ms: ${ms}`);
  const units: [number, string][] = [
    [86_400_000, 'DAY'],
    [3_600_000, 'HOUR'],
    [60_000, 'MINUTE'],
    [1_000, 'SECOND'],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return `INTERVAL '${ms / size}' ${unit}` as Sql;
  throw new RangeError(`durations below a second are not supported: ${ms} ms`);
}
