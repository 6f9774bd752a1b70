import type { Problem } from '../errors.ts';
import type { Rule } from '../segment/segment-schema.ts';
import { parseDuration } from '../time/duration.ts';
import type { Campaign } from './campaign-schema.ts';
import { configLocator } from './config-file.ts';
import { effectivePolicy } from './contact-policy.ts';
import type { ContactPolicy } from './contact-policy-schema.ts';
import { formatPath } from './issue-messages.ts';
import { shortestGapMs } from './wave-repeat.ts';

const DAY_MS = 86_400_000;

/**
 * A recurring wave whose occurrences come closer together than a cap it falls under allows: customers an
 * occurrence reached are capped at the next. A monthly wave's occurrences can be 28 days apart (15 Feb →
 * 15 Mar), and a send goes out at or after its occurrence's start, so a rolling window of 28 days or more
 * with `max: 1` caps them. Reported by `campaign validate` as a warning (a shop may want the cap to win).
 */
export function repeatCapWarnings(
  source: { file: string; text: string; campaign: Campaign },
  shopPolicy: ContactPolicy,
): Problem[] {
  const { campaign } = source;
  const caps = effectivePolicy(shopPolicy, campaign).caps;
  const locate = configLocator(source.text);
  const out: Problem[] = [];
  campaign.waves.forEach((w, i) => {
    if (!w.repeat) return;
    const gap = shortestGapMs(w.repeat);
    // Birthdays in windows shorter than the gap: each occurrence reaches other customers (once a year each).
    const birthdays = birthdayWindowMs(
      w.audience.where ?? { segment: w.audience.segment ?? '' },
      campaign.segments,
    );
    if (birthdays !== null && birthdays + DAY_MS <= gap) return;
    const channels = new Set([w.channel, ...w.fallback, ...w.tiers.map((t) => t.channel)]);
    for (const cap of caps) {
      if (cap.appliesTo === 'marketing' && w.category !== 'marketing') continue;
      if (cap.channels !== 'any' && !cap.channels.some((c) => channels.has(c))) continue;
      // Occurrences that can fall in one window, the current one included.
      const inWindow = Math.floor(parseDuration(cap.window) / gap) + 1;
      if (inWindow <= cap.max) continue;
      const path = ['waves', i, 'repeat', 'every'];
      const days = gap / DAY_MS;
      out.push({
        file: source.file,
        ...locate(path),
        path: formatPath(path),
        message:
          `occurrences can be ${days} day(s) apart, but cap ${cap.id} allows ${cap.max} per ${cap.window}: ` +
          `customers one occurrence reaches are capped at the next${w.repeat.every === 'month' ? ' (e.g. 15 Feb → 15 Mar)' : ''}; ` +
          `a window under ${days}d (e.g. ${Math.max(1, days - 1)}d, overriding ${cap.id} in contactPolicy.caps) lets every occurrence reach them`,
      });
    }
  });
  return out;
}

/**
 * The days a rule's birthday window spans when the rule requires one (a `birthday` predicate, itself, in
 * an `all`, or through a named segment), else null.
 */
function birthdayWindowMs(
  rule: Rule,
  segments: Record<string, { where: Rule }>,
  seen = new Set<string>(),
): number | null {
  if ('birthday' in rule) return parseDuration(rule.birthday.within);
  if ('segment' in rule) {
    const named = segments[rule.segment];
    if (!named || seen.has(rule.segment)) return null;
    return birthdayWindowMs(named.where, segments, new Set([...seen, rule.segment]));
  }
  if ('all' in rule)
    for (const r of rule.all) {
      const ms = birthdayWindowMs(r, segments, seen);
      if (ms !== null) return ms;
    }
  return null;
}
