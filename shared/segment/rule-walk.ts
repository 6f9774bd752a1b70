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

/**
 * Whether a rule (through the named segments it refers to) reads message history — `messageHistory` or
 * `notReachedBy` — so that its audience depends on what earlier waves sent.
 */
export function readsMessageHistory(rule: Rule, segments: Record<string, { where: Rule }>): boolean {
  const seen = new Set<string>();
  const reads = (r: Rule): boolean => {
    let found = false;
    walkRule(r, (x) => {
      if ('messageHistory' in x || 'notReachedBy' in x) found = true;
      else if ('segment' in x && !seen.has(x.segment)) {
        seen.add(x.segment);
        const named = segments[x.segment];
        if (named && reads(named.where)) found = true;
      }
    });
    return found;
  };
  return reads(rule);
}
