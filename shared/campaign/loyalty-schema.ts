import { z } from 'zod';

/**
 * The shop's loyalty rules, kept in the shop-wide file (`contact-policy.yaml`): its member tiers (names
 * and the thresholds that earn them). The tiers are computed from the lake's paid orders when orders are
 * imported and when the sample shop is generated (shared/shop/member-tiers.ts); segment rules name them
 * (`memberTier: [VIP]`) and `campaign validate` checks the names against these.
 */

/** Whole days, e.g. 365d: the trailing window a tier's spend and orders are counted over. */
export const DAYS_PATTERN = /^([1-9]\d{0,3})d$/;
const Days = z
  .string()
  .regex(DAYS_PATTERN, { error: 'expected whole days, e.g. 365d (at most 9999d)' })
  .meta({ description: 'Whole days, e.g. 365d.' });

export const MemberTier = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(50)
      .meta({ description: 'The tier as the shop names it, e.g. 普通, 高级, VIP, 至尊VIP.' }),
    minSpend: z
      .number()
      .min(0)
      .optional()
      .meta({ description: 'Paid spend (order amounts, in the shop currency) at least this.' }),
    minOrders: z.int().min(1).optional().meta({ description: 'Paid orders at least this many.' }),
    match: z.enum(['all', 'any']).default('all').meta({
      description: 'With both minSpend and minOrders: all (both must hold, the default) or any (either).',
    }),
    within: Days.optional().meta({
      description:
        'Count spend and orders over the trailing days (e.g. 365d) before the computation; else over the whole history.',
    }),
  })
  .meta({ description: 'One member tier and the paid spend and/or orders that earn it.' });
export type MemberTier = z.infer<typeof MemberTier>;

export const MemberTiers = z
  .array(MemberTier)
  .min(1)
  .max(20)
  .superRefine((tiers, ctx) => {
    const seen = new Set<string>();
    tiers.forEach((tier, i) => {
      if (seen.has(tier.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate tier name "${tier.name}"` });
      seen.add(tier.name);
      if (i > 0 && tier.minSpend === undefined && tier.minOrders === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `tier "${tier.name}": expected minSpend, minOrders or both (only the first tier is for everyone)`,
        });
    });
    const first = tiers[0];
    if (first && ((first.minSpend ?? 0) > 0 || first.minOrders !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: [0],
        message: `tier "${first.name}" is the first: every customer starts there, so it takes no minSpend or minOrders`,
      });
  })
  .meta({
    description:
      'Member tiers from lowest to highest: every customer is in the highest tier whose thresholds they meet (paid orders only), else the first.',
  });

/** The tiers when the shop states none: normal, silver, gold, diamond by lifetime paid spend. */
export const DEFAULT_MEMBER_TIERS: MemberTier[] = [
  { name: 'normal', match: 'all' },
  { name: 'silver', minSpend: 500, match: 'all' },
  { name: 'gold', minSpend: 2000, match: 'all' },
  { name: 'diamond', minSpend: 5000, match: 'all' },
];

export const PointsRule = z
  .strictObject({
    perYuan: z
      .number()
      .gt(0)
      .max(1000)
      .meta({ description: 'Points per ¥1 of a paid order (amount paid), rounded down per order.' }),
    expireAfter: Days.optional().meta({
      description:
        'Points expire this many days after they were earned (e.g. 365d), oldest first; else never.',
    }),
  })
  .meta({ description: 'Loyalty points: accrue on paid orders, redeemed by the points import.' });
export type PointsRule = z.infer<typeof PointsRule>;

/** The days of a points rule's expiry, or null when points do not expire. */
export function expireDays(rule: PointsRule): number | null {
  const m = rule.expireAfter ? DAYS_PATTERN.exec(rule.expireAfter) : null;
  return m ? Number(m[1]) : null;
}
