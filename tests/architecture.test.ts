import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layout's rules, read from the source (docs/architecture.md, "Where things are"):
 * - an AWS SDK client is imported only in an `aws/` adapter folder, or in an entry point (the
 *   composition roots `functions/`, `cli/`, `local/`, the CDK app `infra/`, and `tests/`), so the use
 *   cases in `shared/` reach AWS only through their ports;
 * - nothing in `shared/` imports an entry point (the dependencies point inwards);
 * - nothing in `shared/` reads the environment or the system time: settings come in as options from a
 *   composition root, and "now" from a Clock. The one exception is the system clock itself;
 * - SQL is safe by construction (shared/lake/sql.ts): DuckDB is imported only by the session that runs
 *   nothing but `Sql`, nothing casts text to `Sql` outside the two modules that build it, and `raw()` —
 *   text that is SQL already — is called only where RAW_SQL says, with the reason.
 */
const ENTRY_POINTS = ['bin', 'cli', 'functions', 'infra', 'local', 'tests'];
/** The Clock port's system adapter: the one place in shared/ that reads the system time. */
const SYSTEM_CLOCK = 'shared/clock.ts';

const ENGINES = [{ prefix: '@aws-sdk/', folder: 'aws' }] as const;

/** The one module that imports DuckDB: its session runs only `Sql`. */
const DUCKDB_SESSION = 'shared/lake/local/duckdb-session.ts';
/** The modules that make `Sql` from text: the tag and the literal helpers. */
const SQL_BUILDERS = ['shared/lake/sql.ts', 'shared/lake/sql-literals.ts'];
/** Where product code calls raw(), and why that text is SQL already. Tests may call it (their own text). */
const RAW_SQL: Record<string, string> = {
  'cli/commands/sql.ts': 'the statement the analyst typed: `campaign sql` runs what it is given',
  'shared/delivery/plan/run-marker.ts':
    "the audience query's first line: a line comment holding the run's ids as JSON on one line (JSON.stringify escapes \\n and \\r, which alone end it)",
};

interface Violation {
  file: string;
  line: number;
  message: string;
}

/** The module names a file imports (static, re-exported or dynamic), with their lines. */
function importsOf(source: ts.SourceFile): { name: string; node: ts.Node }[] {
  const found: { name: string; node: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push({ name: node.moduleSpecifier.text, node });
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      found.push({ name: node.arguments[0].text, node });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `process.env`, `Date.now` and `new Date()` (no argument: the current time), with their lines. */
function ambientReadsOf(source: ts.SourceFile): { what: string; node: ts.Node }[] {
  const found: { what: string; node: ts.Node }[] = [];
  const isName = (e: ts.Expression, name: string) => ts.isIdentifier(e) && e.text === name;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      if (isName(node.expression, 'process') && node.name.text === 'env')
        found.push({ what: 'process.env', node });
      if (isName(node.expression, 'Date') && node.name.text === 'now') found.push({ what: 'Date.now', node });
    } else if (
      ts.isElementAccessExpression(node) &&
      isName(node.expression, 'process') &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'env'
    )
      found.push({ what: 'process.env', node });
    else if (
      ts.isNewExpression(node) &&
      isName(node.expression, 'Date') &&
      (node.arguments ?? []).length === 0
    )
      found.push({ what: 'new Date()', node });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Casts to `Sql` (`x as Sql`, `<Sql>x`) and calls of `raw(…)`, with their lines. */
function sqlEscapesOf(source: ts.SourceFile): { what: 'as Sql' | 'raw()'; node: ts.Node }[] {
  const found: { what: 'as Sql' | 'raw()'; node: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) &&
      node.type.getText(source) === 'Sql'
    )
      found.push({ what: 'as Sql', node });
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'raw')
      found.push({ what: 'raw()', node });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** What breaks the rules in one file, given its path from the project root (with `/`). */
function violations(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2024, true);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const folders = file.split('/').slice(0, -1);
  const entryPoint = ENTRY_POINTS.includes(folders[0] ?? '');
  const out: Violation[] = [];
  if (!entryPoint)
    for (const { name, node } of importsOf(source))
      for (const engine of ENGINES)
        if (name.startsWith(engine.prefix) && !folders.includes(engine.folder))
          out.push({
            file,
            line: lineOf(node),
            message: `imports ${name} outside the ${engine.folder}/ adapter folders (use the port; its adapter lives in ${engine.folder}/)`,
          });
  if (folders[0] === 'shared')
    for (const { name, node } of importsOf(source)) {
      if (!name.startsWith('.')) continue;
      const target = posix.join(posix.dirname(file), name).split('/')[0] ?? '';
      if (ENTRY_POINTS.includes(target))
        out.push({
          file,
          line: lineOf(node),
          message: `imports ${name}, an entry point, from shared/ (entry points import shared/, not the other way)`,
        });
    }
  for (const { name, node } of importsOf(source))
    if (name.startsWith('@duckdb/') && file !== DUCKDB_SESSION && folders[0] !== 'tests')
      out.push({
        file,
        line: lineOf(node),
        message: `imports ${name} (only ${DUCKDB_SESSION} does: it runs nothing but Sql)`,
      });
  for (const { what, node } of sqlEscapesOf(source)) {
    if (what === 'as Sql' && (SQL_BUILDERS.includes(file) || folders[0] === 'tests')) continue;
    if (what === 'raw()' && (file in RAW_SQL || folders[0] === 'tests' || file === 'shared/lake/sql.ts'))
      continue;
    out.push({
      file,
      line: lineOf(node),
      message:
        what === 'as Sql'
          ? 'casts text to Sql (build it with the sql tag and the literal helpers: shared/lake/sql.ts)'
          : 'calls raw() where RAW_SQL does not list it (build the SQL with the sql tag, or list the use with its reason)',
    });
  }
  if (folders[0] === 'shared')
    for (const { what, node } of ambientReadsOf(source)) {
      if (what !== 'process.env' && file === SYSTEM_CLOCK) continue;
      out.push({
        file,
        line: lineOf(node),
        message:
          what === 'process.env'
            ? 'reads process.env inside shared/ (a composition root reads settings and passes them in)'
            : `calls ${what} inside shared/ (take a Clock; ${SYSTEM_CLOCK} is the system clock)`,
      });
    }
  return out.sort((a, b) => a.line - b.line);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const ROOTS = ['shared', ...ENTRY_POINTS];
const files = ROOTS.flatMap((root) => sourceFiles(root)).map((f) => relative('.', f).split(sep).join('/'));

describe('the architecture', () => {
  it('reads the whole source tree', () => {
    expect(files.filter((f) => f.startsWith('shared/')).length).toBeGreaterThan(150);
    expect(files).toContain(SYSTEM_CLOCK);
  });

  it('keeps the AWS SDK in aws/ adapters, DuckDB in its Sql-only session, text out of Sql, and the environment and the system time out of shared/', () => {
    const found = files.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
    expect(found.map((v) => `${v.file}:${v.line} ${v.message}`)).toEqual([]);
  });

  describe('the rules themselves', () => {
    it('flag an AWS SDK import outside its adapter folder and DuckDB outside its session, static, re-exported or dynamic', () => {
      const text = [
        "import { SQSClient } from '@aws-sdk/client-sqs';",
        "export { DuckDBInstance } from '@duckdb/node-api';",
        "const athena = await import('@aws-sdk/client-athena');",
      ].join('\n');
      expect(violations('shared/delivery/plan-wave.ts', text).map((v) => v.line)).toEqual([1, 2, 3]);
      expect(violations('shared/delivery/queue/aws/sqs-producer.ts', text).map((v) => v.line)).toEqual([2]);
      expect(violations('shared/lake/local/duckdb-warehouse.ts', text).map((v) => v.line)).toEqual([1, 2, 3]);
      expect(violations(DUCKDB_SESSION, text).map((v) => v.line)).toEqual([1, 3]);
      expect(violations('functions/environment.ts', text).map((v) => v.line)).toEqual([2]);
      expect(violations('cli/commands/data.ts', text).map((v) => v.line)).toEqual([2]);
    });

    it('flag DuckDB outside its session, a cast to Sql outside its builders, and an unlisted raw()', () => {
      const text = [
        "import { DuckDBInstance } from '@duckdb/node-api';",
        "const q = 'SELECT * FROM t WHERE id = ' + id as Sql;",
        'const r = <Sql>text;',
        "const s = raw('SELECT ' + column + ' FROM t');",
        'const t = sql`SELECT 1`;',
      ].join('\n');
      const lines = (file: string) =>
        violations(file, text).map((v) => `${v.line} ${v.message.split(' (')[0]}`);
      expect(lines('shared/shop/local/import/import-session.ts')).toEqual([
        '1 imports @duckdb/node-api',
        '2 casts text to Sql',
        '3 casts text to Sql',
        '4 calls raw() where RAW_SQL does not list it',
      ]);
      expect(lines(DUCKDB_SESSION)).toEqual([
        '2 casts text to Sql',
        '3 casts text to Sql',
        '4 calls raw() where RAW_SQL does not list it',
      ]);
      expect(lines('shared/lake/sql-literals.ts')).toEqual([
        '1 imports @duckdb/node-api',
        '4 calls raw() where RAW_SQL does not list it',
      ]);
      expect(lines('cli/commands/sql.ts')).toEqual([
        '1 imports @duckdb/node-api',
        '2 casts text to Sql',
        '3 casts text to Sql',
      ]);
      expect(lines('tests/segment/dialect.test.ts')).toEqual([]);
    });

    it('flag an import of an entry point from shared/', () => {
      const text = [
        "import { openLocalDelivery } from '../../../local/local-delivery.ts';",
        "import { statePaths } from './local-adapters.ts';",
        "import { main } from '../../../cli/main.ts';",
      ].join('\n');
      expect(violations('shared/delivery/local/run-wave.ts', text).map((v) => v.line)).toEqual([1, 3]);
      expect(violations('cli/start.ts', "import { main } from './main.ts';")).toEqual([]);
    });

    it('flag process.env, Date.now and new Date() in shared/, not a date built from a value', () => {
      const text = [
        'const dir = process.env.CAMPAIGN_DATA_DIR;',
        "const key = process['env'];",
        'const started = Date.now();',
        'const now = new Date();',
        'const then = new Date(0);',
        '// Date.now() in a comment is no call',
      ].join('\n');
      expect(violations('shared/lake/lake-paths.ts', text).map((v) => `${v.line} ${v.message}`)).toEqual([
        '1 reads process.env inside shared/ (a composition root reads settings and passes them in)',
        '2 reads process.env inside shared/ (a composition root reads settings and passes them in)',
        '3 calls Date.now inside shared/ (take a Clock; shared/clock.ts is the system clock)',
        '4 calls new Date() inside shared/ (take a Clock; shared/clock.ts is the system clock)',
      ]);
      expect(violations('local/local-delivery.ts', text)).toEqual([]);
      expect(violations(SYSTEM_CLOCK, text).map((v) => v.line)).toEqual([1, 2]);
    });
  });
});
