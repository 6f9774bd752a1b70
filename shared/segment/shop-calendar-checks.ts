import type { Campaign } from '../campaign/campaign-schema.ts';
import { configLocator } from '../campaign/config-file.ts';
import { formatPath } from '../campaign/issue-messages.ts';
import { type ShopCalendar, UNKNOWN_AGE_BAND } from '../campaign/shop-calendar-schema.ts';
import type { Problem } from '../errors.ts';
import { promotionNames, unknownPromotionMessage } from './promotion-calendar.ts';
import { campaignRules, walkRule } from './rule-walk.ts';
import { unknownSeasonMessage } from './seasons.ts';

type Path = (string | number)[];

export function unknownMemberTierMessage(tier: string, tiers: readonly string[]): string {
  return `unknown member tier "${tier}"; the shop's tiers are ${tiers.join(', ')} (memberTiers: in contact-policy.yaml)`;
}

export function unknownAgeBandMessage(band: string, bands: readonly string[]): string {
  return `unknown age band "${band}"; the shop's bands are ${bands.join(', ')} (ageBands: in contact-policy.yaml)`;
}

/**
 * The names a campaign's rules take from the shop's calendar — promotions, seasons, age bands, and the
 * member tiers when the shop states them — that the shop does not know, each at its path in the campaign
 * file.
 */
export function calendarIssues(
  campaign: Pick<Campaign, 'segments' | 'waves'>,
  calendar: ShopCalendar,
): { path: Path; message: string }[] {
  const issues: { path: Path; message: string }[] = [];
  const promotions = new Set(promotionNames(calendar));
  const bands = [...calendar.ageBands, UNKNOWN_AGE_BAND];
  const tiers = calendar.memberTiers?.map((t) => t.name);
  for (const { rule, at } of campaignRules(campaign)) {
    walkRule(rule, (r, path) => {
      const here = [...at, ...path];
      if ('bought' in r && r.bought.promotion !== undefined && !promotions.has(r.bought.promotion))
        issues.push({
          path: [...here, 'bought', 'promotion'],
          message: unknownPromotionMessage(r.bought.promotion, calendar),
        });
      if ('season' in r && r.season.name !== undefined && !Object.hasOwn(calendar.seasons, r.season.name))
        issues.push({
          path: [...here, 'season', 'name'],
          message: unknownSeasonMessage(r.season.name, calendar.seasons),
        });
      if ('ageBand' in r)
        r.ageBand.forEach((band, i) => {
          if (!bands.includes(band))
            issues.push({ path: [...here, 'ageBand', i], message: unknownAgeBandMessage(band, bands) });
        });
      if ('memberTier' in r && tiers)
        r.memberTier.forEach((tier, i) => {
          if (!tiers.includes(tier))
            issues.push({ path: [...here, 'memberTier', i], message: unknownMemberTierMessage(tier, tiers) });
        });
    });
  }
  return issues;
}

/** calendarIssues as problems at their line and column of the campaign's text. */
export function calendarProblems(
  source: { file: string; text: string; campaign: Pick<Campaign, 'segments' | 'waves'> },
  calendar: ShopCalendar,
): Problem[] {
  const issues = calendarIssues(source.campaign, calendar);
  if (issues.length === 0) return [];
  const locate = configLocator(source.text);
  return issues.map((i) => ({
    file: source.file,
    ...locate(i.path),
    path: formatPath(i.path),
    message: i.message,
  }));
}
