import { readFile, stat } from 'node:fs/promises';
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type Problem } from '../errors.ts';
import { CONFIG_LIMITS, documentProblems } from './config-limits.ts';
import { describeIssue, formatPath } from './issue-messages.ts';

const tooLarge = (file: string, bytes: number) =>
  new ConfigError([
    {
      file,
      line: 1,
      column: 1,
      path: '',
      message: `the file is over ${CONFIG_LIMITS.fileBytes / 1024 / 1024} MiB (${bytes} bytes); the limit is there for safety`,
    },
  ]);

/**
 * Reads a YAML or JSON config file and validates it with a zod schema, reporting every problem at once
 * with the line and column it comes from. JSON is parsed by the same YAML parser (JSON is YAML), so both
 * get positions. The document's shape is checked against CONFIG_LIMITS before its values are read.
 */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const bytes = Buffer.byteLength(text);
  if (bytes > CONFIG_LIMITS.fileBytes) throw tooLarge(file, bytes);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }

  const shape = documentProblems(doc);
  if (shape.length > 0) {
    throw new ConfigError(
      shape.map((p) => ({ file, ...at(p.offset), path: formatPath(p.path), message: p.message })),
    );
  }
  let value: unknown;
  try {
    // The shape check bounds what aliases expand to; yaml's own alias limit stays as a second guard.
    value = doc.toJS({ maxAliasCount: CONFIG_LIMITS.values });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    throw new ConfigError([{ file, line: 1, column: 1, path: '', message: `YAML aliases: ${e.message}` }]);
  }

  const result = schema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data;

  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          file,
          ...at(keyOffset(doc.contents, [...path, key])),
          path: formatPath([...path, key]),
          message: 'unknown field',
        });
      }
      continue;
    }
    problems.push({
      file,
      ...at(valueOffset(doc.contents, path)),
      path: formatPath(path),
      message: describeIssue(issue),
    });
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new ConfigError(problems);
}

export async function loadConfigFile<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S>> {
  let text: string;
  try {
    // The size first: a huge file is refused without reading it.
    const { size } = await stat(file);
    if (size > CONFIG_LIMITS.fileBytes) throw tooLarge(file, size);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? e}`,
      },
    ]);
  }
  return parseConfigText(schema, text, file);
}

/**
 * Where each path of a config text is (the deepest node on it that exists), for what is found about a
 * file that parsed: `campaign validate`'s check of segment values against the data.
 */
export function configLocator(text: string): (path: readonly (string | number)[]) => {
  line: number;
  column: number;
} {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  return (path) => {
    const { line, col } = lineCounter.linePos(valueOffset(doc.contents, path));
    return { line, column: col };
  };
}

/** The deepest node on `path` that exists: a missing field is reported where its parent is. */
function walk(
  root: unknown,
  path: readonly (string | number)[],
): { node: Node | null; pairKey: Node | null; depth: number } {
  let node = root as Node | null;
  let pairKey: Node | null = null;
  let depth = 0;
  for (const seg of path) {
    if (!node || !('items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: Node | null = null;
    let key: Node | null = null;
    if (isMap(node)) {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
      if (isPair(pair)) {
        next = pair.value as Node | null;
        key = pair.key as Node;
      }
    } else if (typeof seg === 'number') {
      next = (items[seg] as Node | undefined) ?? null;
    }
    if (!next && !key) break;
    node = next;
    pairKey = key;
    depth += 1;
    if (!next) break;
  }
  return { node, pairKey, depth };
}

function valueOffset(root: unknown, path: readonly (string | number)[]): number {
  const { node, pairKey } = walk(root, path);
  return node?.range?.[0] ?? pairKey?.range?.[0] ?? 0;
}

function keyOffset(root: unknown, path: readonly (string | number)[]): number {
  const { node, pairKey, depth } = walk(root, path);
  if (depth === path.length && pairKey?.range) return pairKey.range[0];
  return node?.range?.[0] ?? 0;
}
