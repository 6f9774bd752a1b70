import type { Row } from './warehouse.ts';

/**
 * Typed rows from a query, instead of casts: a decoder names each column the code reads and what it must
 * hold, and a row that does not fit (the query and the code drifted apart, an engine returned another
 * type) fails loudly, naming the query and the column. The value itself is never in the message:
 * a column may hold a phone number or an email.
 */
export type Column<T> = { readonly expected: string; read(value: unknown): T | typeof MISFIT };

/** What a column reader returns for a value that does not fit. */
export const MISFIT: unique symbol = Symbol('misfit');

export class RowShapeError extends Error {
  override name = 'RowShapeError';
}

const column = <T>(expected: string, read: (value: unknown) => T | typeof MISFIT): Column<T> => ({
  expected,
  read,
});

const optional = <T>(c: Column<T>): Column<T | null> =>
  column(`${c.expected} or NULL`, (v) => (v === null || v === undefined ? null : c.read(v)));

const text = column('text', (v) => (typeof v === 'string' ? v : MISFIT));
/** Numbers as both engines return them: a JS number, or a numeric string (Athena; DuckDB's huge BIGINTs). */
const number = column('a number', (v) => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return MISFIT;
});
const boolean = column('true or false', (v) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true'; // Athena returns text
  return MISFIT;
});
const oneOf = <const T extends string>(values: readonly T[]): Column<T> =>
  column(`one of ${values.join(', ')}`, (v) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : MISFIT,
  );

export const col = {
  text,
  number,
  boolean,
  oneOf,
  optionalText: optional(text),
  optionalNumber: optional(number),
  optionalBoolean: optional(boolean),
  optionalOneOf: <const T extends string>(values: readonly T[]) => optional(oneOf(values)),
};

export type Decoded<S extends Record<string, Column<unknown>>> = {
  [K in keyof S]: S[K] extends Column<infer T> ? T : never;
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? `text of ${value.length} characters` : typeof value;
}

/**
 * A decoder for the rows of one query: `rowDecoder('the wave audience', { customer_id: col.text, … })`.
 * Columns not in the shape are left out of the result.
 */
export function rowDecoder<S extends Record<string, Column<unknown>>>(
  query: string,
  shape: S,
): (row: Row) => Decoded<S> {
  const entries = Object.entries(shape);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [name, c] of entries) {
      const value = c.read(row[name]);
      if (value === MISFIT)
        throw new RowShapeError(
          `${query}: column ${name} expected ${c.expected}, got ${name in row ? describe(row[name]) : 'no such column'}`,
        );
      out[name] = value;
    }
    return out as Decoded<S>;
  };
}
