import type { Campaign } from '../campaign/campaign-schema.ts';
import type { Rule } from './segment-schema.ts';

type Path = (string | number)[];

/** Every rule of a campaign — its named segments' and its waves' own — with its path in the file. */
export function campaignRules(campaign: Pick<Campaign, 'segments' | 'waves'>): { rule: Rule; at: Path }[] {
  return [
    ...Object.entries(campaign.segments).map(([name, s]) => ({
      rule: s.where,
      at: ['segments', name, 'where'] as Path,
    })),
    ...campaign.waves.flatMap((w, i) =>
      w.audience.where ? [{ rule: w.audience.where, at: ['waves', i, 'audience', 'where'] as Path }] : [],
    ),
  ];
}

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

/** Whether a rule, through the named segments it refers to, uses any of these predicates. */
export function usesPredicate(
  rule: Rule,
  segments: Record<string, { where: Rule }>,
  predicates: readonly string[],
): boolean {
  const seen = new Set<string>();
  const uses = (r: Rule): boolean => {
    let found = false;
    walkRule(r, (x) => {
      if (predicates.some((p) => p in x)) found = true;
      else if ('segment' in x && !seen.has(x.segment)) {
        seen.add(x.segment);
        const named = segments[x.segment];
        if (named && uses(named.where)) found = true;
      }
    });
    return found;
  };
  return uses(rule);
}

/**
 * Whether a rule reads message history — `messageHistory` or `notReachedBy` — so that its audience
 * depends on what earlier waves sent.
 */
export function readsMessageHistory(rule: Rule, segments: Record<string, { where: Rule }>): boolean {
  return usesPredicate(rule, segments, ['messageHistory', 'notReachedBy']);
}

/**
 * Whether a wave's audience is customers with an unpaid order (`unpaid`): its messages are reminders,
 * and what they are for is that order paid — attribution credits the payment (docs/responses.md).
 */
export function remindsUnpaid(rule: Rule, segments: Record<string, { where: Rule }>): boolean {
  return usesPredicate(rule, segments, ['unpaid']);
}
