import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../time/duration.ts';
import { MemberTiers, PointsRule } from './loyalty-schema.ts';
import {
  AgeBands,
  DEFAULT_AGE_BANDS,
  DEFAULT_SEASONS,
  DEFAULT_SHOP_CALENDAR,
  Promotions,
  Seasons,
} from './shop-calendar-schema.ts';

/** The longest cap window: a customer's contacts are remembered this long (claim.ts, IDEMPOTENCY_DAYS). */
export const CAP_WINDOW_MAX_DAYS = 400;

/** Channels a wave can use. `call-list` hands the customer to service staff instead of sending. */
export const Channel = z.enum(['email', 'sms', 'call-list']);
export type Channel = z.infer<typeof Channel>;

/** The longest duration a config may give, about ten years: longer ones put dates off the calendar. */
export const DURATION_MAX_DAYS = 3650;

/** A check of a duration's length that passes what is not a duration (the pattern reports that). */
const atMostDays = (days: number) => (text: string) =>
  !DURATION_PATTERN.test(text) || parseDuration(text) <= days * 86_400_000;

export const Duration = z
  .string()
  .regex(DURATION_PATTERN, { error: 'expected a duration like 30m, 14h, 5d or 2w' })
  .refine(atMostDays(DURATION_MAX_DAYS), { error: `expected at most ${DURATION_MAX_DAYS}d` })
  .meta({ description: 'A whole number and a unit: m (minutes), h (hours), d (days), w (weeks).' });

export const ClockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day HH:mm, e.g. 21:00' });

export const FrequencyCap = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected lower-case letters, digits and dashes' }),
    description: z.string().optional(),
    appliesTo: z
      .enum(['marketing', 'all'])
      .default('marketing')
      .meta({ description: 'marketing: transactional messages are exempt; all: every message counts.' }),
    channels: z
      .union([z.literal('any'), z.array(Channel).min(1)])
      .default('any')
      .meta({ description: '"any" counts messages on every channel together; a list counts only those.' }),
    max: z.int().min(0),
    window: Duration.refine(atMostDays(CAP_WINDOW_MAX_DAYS), {
      error: `expected at most ${CAP_WINDOW_MAX_DAYS}d: contacts are remembered that long`,
    }).meta({
      description: `Rolling window the cap counts over, e.g. 30d; at most ${CAP_WINDOW_MAX_DAYS}d.`,
    }),
  })
  .meta({ description: 'At most `max` messages per customer per rolling `window`, across all campaigns.' });
export type FrequencyCap = z.infer<typeof FrequencyCap>;

export const QuietWindow = z.strictObject({ start: ClockTime, end: ClockTime });
export type QuietWindow = z.infer<typeof QuietWindow>;

/** Per channel: a window in the recipient's local time when nothing is sent, or null for none. */
export const QuietHours = z.strictObject({
  email: QuietWindow.nullable().optional(),
  sms: QuietWindow.nullable().optional(),
  'call-list': QuietWindow.nullable().optional(),
});
export type QuietHours = z.infer<typeof QuietHours>;

const DAY_MS = 86_400_000;

/** An industry repurchase rate the shop compares itself with (the repurchase_vs_industry view). */
export const RepurchaseRateBenchmark = z
  .strictObject({
    rate: z
      .number()
      .refine((n) => n >= 0 && n <= 1, { error: 'expected a fraction between 0 and 1, e.g. 0.2 for 20%' })
      .meta({
        description: 'Share of buyers who buy a second time within the window, 0–1 (0.2 = 20%).',
        minimum: 0,
        maximum: 1,
      }),
    window: Duration.refine((text) => !DURATION_PATTERN.test(text) || parseDuration(text) % DAY_MS === 0, {
      error: 'expected whole days, e.g. 180d or 52w',
    }).meta({ description: 'Days after the first purchase the second must come within, e.g. 180d.' }),
    source: z.string().optional().meta({ description: 'Where the figure comes from (shown with it).' }),
  })
  .meta({ description: "The industry's second-purchase rate within a window." });
export type RepurchaseRateBenchmark = z.infer<typeof RepurchaseRateBenchmark>;

/**
 * The shop-wide settings file (`contact-policy.yaml`): the contact policy, which campaigns may override
 * in part, the shop's calendar — promotions, seasons, age bands (shop-calendar-schema.ts) — its loyalty
 * rules (member tiers, loyalty-schema.ts) and the figures its analyses are compared with.
 */
export const ContactPolicy = z
  .strictObject({
    $schema: z.string().optional(),
    caps: z.array(FrequencyCap).default([]),
    quietHours: QuietHours.default({}),
    benchmarks: z
      .strictObject({ repurchaseRate: RepurchaseRateBenchmark.optional() })
      .optional()
      .meta({ description: "Figures the shop's own analyses are compared with (docs/analyses.md)." }),
    promotions: Promotions.default({}),
    seasons: Seasons.default(DEFAULT_SEASONS),
    ageBands: AgeBands.default(DEFAULT_AGE_BANDS),
    memberTiers: MemberTiers.optional().meta({
      description:
        "The shop's member tiers, lowest first (default: normal, silver 500, gold 2,000, diamond 5,000 by lifetime paid spend); segment rules name them.",
    }),
    points: PointsRule.optional(),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.caps.forEach((cap, i) => {
      if (seen.has(cap.id))
        ctx.addIssue({ code: 'custom', path: ['caps', i, 'id'], message: `duplicate cap id "${cap.id}"` });
      seen.add(cap.id);
    });
  });
export type ContactPolicy = z.infer<typeof ContactPolicy>;

/** What applies when no policy file is given: the shops' "about one marketing message a month". */
export const DEFAULT_CONTACT_POLICY: ContactPolicy = {
  caps: [
    { id: 'marketing-monthly', appliesTo: 'marketing', channels: 'any', max: 1, window: '30d' },
    { id: 'sms-daily', appliesTo: 'all', channels: ['sms'], max: 1, window: '1d' },
  ],
  quietHours: { sms: { start: '21:00', end: '08:00' } },
  ...DEFAULT_SHOP_CALENDAR,
};
