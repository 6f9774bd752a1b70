/**
 * Values from config enter SQL only through these functions, as literals both Athena (Trino) and DuckDB
 * read the same way. A string literal is quoted with its quotes doubled — neither engine treats a
 * backslash specially in a standard string — so a quote, semicolon or comment inside a value stays text.
 */

export function sqlString(value: string): string {
  if (value.includes('\u0000')) throw new RangeError('a NUL character cannot go into a SQL literal');
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

export function sqlStringList(values: readonly string[]): string {
  if (values.length === 0) throw new RangeError('an IN list needs at least one value');
  return `(${values.map(sqlString).join(', ')})`;
}

export function sqlNumberList(values: readonly number[]): string {
  if (values.length === 0) throw new RangeError('an IN list needs at least one value');
  return `(${values.map(sqlNumber).join(', ')})`;
}

/** A UTC instant as a TIMESTAMP literal (the lake stores UTC timestamps without zone). */
export function sqlTimestamp(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid date');
  return `TIMESTAMP '${at.toISOString().slice(0, 19).replace('T', ' ')}'`;
}

export function sqlDate(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a date YYYY-MM-DD: ${day}`);
  return `DATE '${day}'`;
}

/** A duration as an interval literal in the largest whole unit. */
export function sqlInterval(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in ms: ${ms}`);
  const units: [number, string][] = [
    [86_400_000, 'DAY'],
    [3_600_000, 'HOUR'],
    [60_000, 'MINUTE'],
    [1_000, 'SECOND'],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return `INTERVAL '${ms / size}' ${unit}`;
  throw new RangeError(`durations below a second are not supported: ${ms} ms`);
}
