/**
 * SQL that is safe by construction. Every statement that reaches a Warehouse or a DuckDB session is an
 * `Sql`, and an `Sql` is made only three ways:
 * - the `sql` tag, whose interpolations must themselves be `Sql` (a fragment, a literal from
 *   sql-literals.ts, a name from `ident`) or a number or boolean, written as a literal — so a string
 *   from a campaign file, an import or a path cannot be spliced in by a plain template literal;
 * - the literal helpers (sql-literals.ts), which quote a value;
 * - `raw()`, for text that is SQL already: a statement a user typed (`campaign sql`), a SQL file. Each
 *   use is listed, with its reason, in tests/architecture.test.ts, so a new one is seen in review.
 *
 * The brand is checked by the compiler: at run time an `Sql` is its text (no wrapping, no cost). A cast
 * to `Sql` anywhere but here is refused by the architecture test, as kysely's `sql` keeps values out of
 * the text unless `sql.raw` says otherwise.
 */
declare const SQL_TEXT: unique symbol;

/** Text of SQL built by the `sql` tag, a literal helper, `ident` or `raw`. */
export type Sql = string & { readonly [SQL_TEXT]: true };

/** What a `sql` template may interpolate. */
export type SqlPart = Sql | number | bigint | boolean;

function partText(part: SqlPart): string {
  switch (typeof part) {
    case 'string':
      return part;
    case 'number':
      if (!Number.isFinite(part)) throw new RangeError(`not a finite number for SQL: ${part}`);
      return String(part);
    case 'bigint':
      return part.toString();
    case 'boolean':
      return part ? 'TRUE' : 'FALSE';
    default:
      // A value typed away from the compiler (undefined, an object) would otherwise print as text.
      throw new TypeError(`a SQL template was given ${part === null ? 'null' : typeof part}, not SQL`);
  }
}

/** A SQL text with `Sql` fragments and number or boolean literals in it: sql`SELECT … WHERE id = ${sqlString(id)}`. */
export function sql(strings: TemplateStringsArray, ...parts: SqlPart[]): Sql {
  let text = strings[0] ?? '';
  for (let i = 0; i < parts.length; i++) text += partText(parts[i] as SqlPart) + (strings[i + 1] ?? '');
  return text as Sql;
}

/** Text that is SQL already (a statement a user typed, a SQL file): the one way from a string to `Sql`. */
export function raw(text: string): Sql {
  return text as Sql;
}

/** Fragments joined by a separator (default `, `): column lists, AND-ed predicates, UNION ALL arms. */
export function joinSql(parts: readonly Sql[], separator: Sql = sql`, `): Sql {
  return parts.join(separator) as Sql;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A table, view or column name from the code's own definitions (tables.ts, view lists). Only plain
 * names are taken, unquoted, so the same text works in Athena and DuckDB; anything else is a bug here.
 */
export function ident(name: string): Sql {
  if (!PLAIN_NAME.test(name)) throw new RangeError(`not a plain SQL name: ${JSON.stringify(name)}`);
  return name as Sql;
}
