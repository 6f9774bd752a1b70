import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type Problem } from '../errors.ts';
import { describeIssue, formatPath } from './issue-messages.ts';

/**
 * Reads a YAML or JSON config file and validates it with a zod schema, reporting every problem at once
 * with the line and column it comes from. JSON is parsed by the same YAML parser (JSON is YAML), so both
 * get positions.
 */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
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

  const result = schema.safeParse(doc.toJS() ?? {}, { reportInput: true });
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
    text = await readFile(file, 'utf8');
  } catch (e) {
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
