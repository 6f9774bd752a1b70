import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

/**
 * Limits on a config document, checked on the parsed YAML before anything reads its values, so that a
 * hostile file (an alias bomb, a NUL, a megabyte key) is a positioned problem rather than a crash, a hang
 * or a value that breaks SQL further on. docs/campaign-config.md lists them; the largest example campaign
 * (double-11.yaml) is 7.7 KiB: 472 keys and values, 9 levels deep, its longest value 190 characters.
 */
export const CONFIG_LIMITS = {
  /** The file (an API body is refused at 256 KiB before this). */
  fileBytes: 1024 * 1024,
  /** Keys and values in the document (mappings, lists, scalars), an alias counted as what it expands to. */
  values: 100_000,
  /** Nesting of mappings and lists (segment rules nest; 64 levels is far beyond any real rule). */
  depth: 64,
  /** Characters in one string value (a template is the longest; Liquid parses at most as many). */
  stringChars: 100_000,
  /** Characters in a mapping key. */
  keyChars: 200,
} as const;

export interface DocumentProblem {
  /** Offset in the text, for line and column. */
  offset: number;
  path: (string | number)[];
  message: string;
}

/** The first C0 control but tab, line feed and carriage return, or DEL: nothing a config value needs. */
function controlCharacter(text: string): number | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return c;
  }
  return null;
}

interface Measure {
  values: number;
  height: number;
}
const NOTHING: Measure = { values: 0, height: 0 };

/**
 * Every problem of the document's shape, in document order. An alias counts as the values it expands to
 * (measured once per anchor, so a billion laughs costs its size in the file, not its expansion); it must
 * refer to an anchor before it and outside it. After the values limit is hit the walk stops.
 */
export function documentProblems(doc: Document.Parsed): DocumentProblem[] {
  const problems: DocumentProblem[] = [];
  const measured = new Map<Node, Measure>();
  const anchors = new Map<string, Node>();
  const open = new Set<Node>();
  let total = 0;
  let full = false;
  let tooDeep = false;

  const problem = (node: Node | null | undefined, path: (string | number)[], message: string) =>
    problems.push({ offset: node?.range?.[0] ?? 0, path, message });

  const count = (values: number, node: Node, path: (string | number)[], what: string) => {
    total += values;
    if (total > CONFIG_LIMITS.values) {
      full = true;
      problem(
        node,
        path,
        `${what} more than ${CONFIG_LIMITS.values} keys and values; the limit is there for safety`,
      );
    }
  };

  const checkDepth = (depth: number, node: Node, path: (string | number)[]) => {
    if (depth <= CONFIG_LIMITS.depth || tooDeep) return depth <= CONFIG_LIMITS.depth;
    tooDeep = true;
    problem(node, path, `nested more than ${CONFIG_LIMITS.depth} levels deep`);
    return false;
  };

  const checkString = (node: Node, path: (string | number)[], max: number, what: string) => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const text = node.value;
    if (text.length > max) problem(node, path, `${what}longer than ${max} characters`);
    const control = controlCharacter(text);
    if (control !== null) {
      const code = control.toString(16).toUpperCase().padStart(4, '0');
      problem(node, path, `${what}control character U+${code} not allowed`);
    }
    if (!text.isWellFormed()) problem(node, path, `${what}not valid Unicode (a lone surrogate)`);
  };

  const walk = (node: unknown, path: (string | number)[], depth: number): Measure => {
    if (full || node === null || node === undefined) return NOTHING;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        problem(node, path, `the alias *${node.source} has no anchor &${node.source} before it`);
        return NOTHING;
      }
      if (open.has(target)) {
        problem(node, path, `the alias *${node.source} refers to a node that contains it`);
        return NOTHING;
      }
      const m = measured.get(target) ?? NOTHING;
      count(m.values, node, path, 'aliases expand to');
      checkDepth(depth + m.height, node, path);
      return m;
    }
    const n = node as Node;
    if (n.anchor) anchors.set(n.anchor, n);
    count(1, n, path, 'the document has');
    checkString(n, path, CONFIG_LIMITS.stringChars, '');
    const m = { values: 1, height: 0 };
    if ((isMap(n) || isSeq(n)) && checkDepth(depth + 1, n, path)) {
      open.add(n);
      n.items.forEach((item, i) => {
        let child: Measure;
        if (isPair(item)) {
          const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
          const at = [...path, key];
          if (isScalar(item.key)) checkString(item.key, at, CONFIG_LIMITS.keyChars, 'key ');
          const k = walk(item.key, at, depth + 1);
          const v = walk(item.value, at, depth + 1);
          child = { values: k.values + v.values, height: Math.max(k.height, v.height) };
        } else child = walk(item, [...path, i], depth + 1);
        m.values += child.values;
        m.height = Math.max(m.height, child.height + 1);
      });
      open.delete(n);
    }
    measured.set(n, m);
    return m;
  };

  walk(doc.contents, [], 0);
  return problems;
}
