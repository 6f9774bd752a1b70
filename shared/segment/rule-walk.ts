import type { Rule } from './segment-schema.ts';

type Path = (string | number)[];

/** Calls `visit` on every rule in a tree (pre-order), with its path below the root. */
export function walkRule(rule: Rule, visit: (rule: Rule, path: Path) => void, path: Path = []): void {
  visit(rule, path);
  if ('all' in rule) for (const [i, r] of rule.all.entries()) walkRule(r, visit, [...path, 'all', i]);
  else if ('any' in rule) for (const [i, r] of rule.any.entries()) walkRule(r, visit, [...path, 'any', i]);
  else if ('not' in rule) walkRule(rule.not, visit, [...path, 'not']);
}

/** Names of the segments a rule refers to, directly. */
export function segmentRefs(rule: Rule): { name: string; path: Path }[] {
  const refs: { name: string; path: Path }[] = [];
  walkRule(rule, (r, path) => {
    if ('segment' in r) refs.push({ name: r.segment, path: [...path, 'segment'] });
  });
  return refs;
}
