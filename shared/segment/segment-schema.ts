import { z } from 'zod';
import { Duration } from '../campaign/contact-policy-schema.ts';
import { isLocalDateTime } from '../time/zoned-time.ts';

/**
 * The segment language: who a wave is for, as data. Rules compose with all / any / not over predicates;
 * each predicate is a mapping with exactly one key. Compiled to one SQL text for Athena and DuckDB by
 * segment-sql.ts. Times are relative to the wave's run time; local date-times are in the campaign's zone.
 */

const LocalDateTime = z
  .string()
  .refine(isLocalDateTime, { error: 'expected a local date-time YYYY-MM-DDTHH:mm' });
const Names = z.array(z.string().min(1)).min(1);

/** Whole-number range, both ends included: days since last order, order counts. */
const IntRange = z
  .strictObject({ min: z.int().min(0).optional(), max: z.int().min(0).optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'expected `min`, `max` or both' })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    error: 'expected min ≤ max',
  });

/** Money band: `min` included, `max` excluded, so bands like <100, 100–300, 300+ do not overlap. */
const MoneyRange = z
  .strictObject({ min: z.number().min(0).optional(), max: z.number().min(0).optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'expected `min`, `max` or both' })
  .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, {
    error: 'expected min < max',
  });

const Score = z.int().min(1).max(5);

export const RFM_GROUPS = [
  'champions',
  'loyal',
  'potential-loyalist',
  'new',
  'at-risk',
  'cant-lose',
  'hibernating',
  'lost',
] as const;

export const HISTORY_EVENTS = ['sent', 'delivered', 'opened', 'clicked', 'converted'] as const;

/** When an order counts: exactly one of these, or none for the whole history. */
const OrderWindow = {
  within: Duration.optional().meta({ description: 'In the last period before the run, e.g. 365d.' }),
  between: z
    .tuple([LocalDateTime, LocalDateTime])
    .optional()
    .meta({ description: '[from, to) in local time.' }),
  sameSeasonLastYear: z
    .literal(true)
    .optional()
    .meta({ description: 'From the same date last year to 90 days after it: the season ahead, a year ago.' }),
  promotion: z.string().min(1).optional().meta({
    description:
      'A promotion of the calendar: double-11 (1–11 Nov), double-12 (12 Dec), 618 (1–18 Jun), nian-huo-jie, or one of the shop’s own (contact-policy.yaml promotions:).',
  }),
  yearsAgo: z
    .array(z.int().min(0).max(10))
    .min(1)
    .optional()
    .meta({ description: 'With promotion: which years, 0 = this year.' }),
};
const oneWindow = (w: {
  within?: unknown;
  between?: unknown;
  sameSeasonLastYear?: unknown;
  promotion?: unknown;
  yearsAgo?: unknown;
}) =>
  [w.within, w.between, w.sameSeasonLastYear, w.promotion].filter((x) => x !== undefined).length <= 1 &&
  (w.yearsAgo === undefined || w.promotion !== undefined);
const windowError = {
  error:
    'expected at most one of within, between, sameSeasonLastYear, promotion (yearsAgo goes with promotion)',
};

const Products = {
  category: Names.optional(),
  sku: Names.optional(),
};

export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { segment: string }
  | { everyone: true }
  | { recency: { days: { min?: number; max?: number } } }
  | { frequency: { orders: { min?: number; max?: number }; within?: string } }
  | {
      monetary: {
        spend?: { min?: number; max?: number };
        aov?: { min?: number; max?: number };
        within?: string;
      };
    }
  | { rfm: { r?: number[]; f?: number[]; m?: number[]; group?: (typeof RFM_GROUPS)[number][] } }
  | { bought: BoughtArgs }
  | {
      earlyBuyer: {
        category?: string[];
        sku?: string[];
        withinDaysOfLaunch: number;
        launchedWithin?: string;
      };
    }
  | { unitsBought: { category?: string[]; sku?: string[]; atLeast: number; within?: string } }
  | { crossSell: { bought: string[]; never: string[]; within?: string } }
  | { region: { provinces?: string[]; cityTiers?: number[] } }
  | { acquisitionChannel: string[] }
  | { memberTier: string[] }
  | { gender: string[] }
  | { ageBand: string[] }
  | { season: SeasonArgs }
  | { unpaid: { within?: string; createdBetween?: [string, string] } }
  | { replenishmentDue: { category: string; cycle: string; dueWithin: { before: string; after: string } } }
  | {
      messageHistory: {
        campaign?: string;
        waves: string[];
        event: (typeof HISTORY_EVENTS)[number];
        within?: string;
      };
    }
  | { notReachedBy: { campaign?: string; waves: string[] } }
  | { sample: { percent: number; seed: string } }
  | { points: { min?: number; max?: number } }
  | { birthday: { within: string } }
  | { birthdayMonth: { months?: number[] } };

export interface BoughtArgs {
  category?: string[];
  sku?: string[];
  within?: string;
  between?: [string, string];
  sameSeasonLastYear?: true;
  promotion?: string;
  yearsAgo?: number[];
}

export interface SeasonArgs {
  name?: string;
  year?: number;
  yearsAgo?: number[];
  category?: string[];
  sku?: string[];
}

const predicates = {
  segment: z.string().min(1).meta({ description: 'Another named segment of the campaign.' }),
  everyone: z.literal(true).meta({ description: 'Every customer.' }),
  recency: z
    .strictObject({ days: IntRange })
    .meta({ description: 'Days since the last paid order (90/180/365 bands).' }),
  frequency: z
    .strictObject({ orders: IntRange, within: Duration.optional() })
    .meta({ description: 'Paid orders, in a window.' }),
  monetary: z
    .strictObject({ spend: MoneyRange.optional(), aov: MoneyRange.optional(), within: Duration.optional() })
    .refine((m) => m.spend !== undefined || m.aov !== undefined, { error: 'expected `spend`, `aov` or both' })
    .meta({ description: 'Total spend and average order value bands.' }),
  rfm: z
    .strictObject({
      r: z.array(Score).min(1).optional(),
      f: z.array(Score).min(1).optional(),
      m: z.array(Score).min(1).optional(),
      group: z.array(z.enum(RFM_GROUPS)).min(1).optional(),
    })
    .refine((x) => Object.values(x).some((v) => v !== undefined), {
      error: 'expected scores (r, f, m) or a group',
    })
    .meta({ description: 'RFM scores 1–5 (quintiles over the shop’s buyers) or named groups.' }),
  bought: z
    .strictObject({ ...Products, ...OrderWindow })
    .refine(oneWindow, windowError)
    .meta({ description: 'Paid for a category or sku, in a window.' }),
  earlyBuyer: z
    .strictObject({
      ...Products,
      withinDaysOfLaunch: z.int().min(0),
      launchedWithin: Duration.optional().meta({
        description: 'Only lines launched in this period before the run.',
      }),
    })
    .meta({ description: 'Bought a product within N days of its launch date.' }),
  unitsBought: z
    .strictObject({ ...Products, atLeast: z.int().min(1), within: Duration.optional() })
    .meta({ description: 'Bought at least N units of a category or sku.' }),
  crossSell: z
    .strictObject({ bought: Names, never: Names, within: Duration.optional() })
    .meta({ description: 'Bought one of these categories and never one of those.' }),
  region: z
    .strictObject({
      provinces: Names.optional(),
      cityTiers: z.array(z.int().min(1).max(5)).min(1).optional(),
    })
    .refine((r) => r.provinces !== undefined || r.cityTiers !== undefined, {
      error: 'expected `provinces`, `cityTiers` or both',
    }),
  acquisitionChannel: Names.meta({ description: 'e.g. [聚划算, 淘抢购, 天天特价]: flash-sale buyers.' }),
  memberTier: Names,
  gender: z.array(z.enum(['F', 'M', 'U'])).min(1),
  ageBand: Names.meta({
    description:
      'Age bands of the shop’s data (contact-policy.yaml ageBands:, default <18 … 51+), or unknown.',
  }),
  season: z
    .strictObject({
      name: z.string().min(1).optional().meta({
        description:
          'A season of the shop (default spring, summer, autumn, winter); default: the run’s season.',
      }),
      year: z.int().min(1900).max(2199).optional().meta({
        description: 'The edition that begins in this year (winter 2025: Dec 2025 – Feb 2026).',
      }),
      yearsAgo: z.array(z.int().min(0).max(10)).min(1).optional().meta({
        description: '0 = the latest edition begun by the run, 1 = the one before, …; default: every year.',
      }),
      ...Products,
    })
    .refine((s) => s.year === undefined || s.yearsAgo === undefined, {
      error: 'expected at most one of `year` and `yearsAgo`',
    })
    .meta({
      description:
        'Paid for something (a category or sku, if given) in a season, by the shop’s month ranges in the campaign’s zone.',
    }),
  unpaid: z
    .strictObject({
      within: Duration.optional(),
      createdBetween: z.tuple([LocalDateTime, LocalDateTime]).optional(),
    })
    .refine((u) => (u.within === undefined) !== (u.createdBetween === undefined), {
      error: 'expected exactly one of `within` or `createdBetween`',
    })
    .meta({ description: 'Has an order created in the window and still unpaid.' }),
  replenishmentDue: z
    .strictObject({
      category: z.string().min(1),
      cycle: Duration.meta({ description: 'How long one purchase lasts.' }),
      dueWithin: z.strictObject({ before: Duration, after: Duration }),
    })
    .meta({
      description:
        'Last purchase of the category plus its use cycle falls from `before` the run to `after` it.',
    }),
  messageHistory: z
    .strictObject({
      campaign: z.string().optional().meta({ description: 'Default: this campaign.' }),
      waves: Names,
      event: z.enum(HISTORY_EVENTS),
      within: Duration.optional().meta({
        description: 'For converted: paid order within this long after the send (default 48h).',
      }),
    })
    .meta({ description: 'Was sent / delivered / opened / clicked / converted in any of these waves.' }),
  notReachedBy: z.strictObject({ campaign: z.string().optional(), waves: Names }).meta({
    description:
      'Was not assigned by any of these waves: neither sent to (or meant to be) nor in their holdout.',
  }),
  sample: z.strictObject({ percent: z.number().gt(0).max(100), seed: z.string().min(1) }).meta({
    description:
      'A deterministic sample: the same seed picks the same customers; a smaller percent is a subset.',
  }),
  points: z
    .strictObject({
      min: z.int().min(0).optional().meta({ description: 'Balance at least this (included).' }),
      max: z.int().min(1).optional().meta({ description: 'Balance below this (excluded).' }),
    })
    .refine((p) => p.min !== undefined || p.max !== undefined, { error: 'expected `min`, `max` or both' })
    .refine((p) => p.min === undefined || p.max === undefined || p.min < p.max, {
      error: 'expected min below max',
    })
    .meta({
      description:
        'Loyalty points balance at the run (points_ledger): min included, max excluded; no points is 0.',
    }),
  birthday: z
    .strictObject({
      within: z
        .string()
        .regex(/^\d{1,3}d$/, { error: 'expected whole days, e.g. 7d' })
        .refine((d) => !/^\d{1,3}d$/.test(d) || Number.parseInt(d, 10) <= 366, {
          error: 'expected at most 366d',
        })
        .meta({ description: "Days from the run's local date, that day included (0d: today)." }),
    })
    .meta({
      description:
        "Birthday (customers.birthday) from the run's local date to `within` days after it; a 29 February birthday counts on 28 February in other years.",
    }),
  birthdayMonth: z
    .strictObject({
      months: z
        .array(z.int().min(1).max(12))
        .min(1)
        .optional()
        .meta({ description: "Months 1–12; default: the run's month in the campaign's zone." }),
    })
    .meta({ description: 'Birthday in these months (default: the month of the run).' }),
};

export const PREDICATE_NAMES = Object.keys(predicates) as (keyof typeof predicates)[];
const KNOWN_KEYS = ['all', 'any', 'not', ...PREDICATE_NAMES];

/**
 * A rule, validated by dispatching on its one key, so that a problem deep inside a rule is reported at
 * its own path (`segments.x.where.all[1].recency.days.min`) instead of as "no union member matched".
 */
export const Rule = z.custom<Rule>().superRefine((input, ctx) => checkRule(input, [], ctx));

type Path = (string | number)[];

function checkRule(input: unknown, path: Path, ctx: z.RefinementCtx): void {
  const issue = (at: Path, message: string) => ctx.addIssue({ code: 'custom', path: at, message, input });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    issue(path, 'expected a rule: a mapping such as { recency: … } or { all: [ … ] }');
    return;
  }
  const keys = Object.keys(input);
  if (keys.length !== 1) {
    issue(
      path,
      `expected exactly one key per rule (wrap several in all: [ … ]), got ${keys.join(', ') || 'none'}`,
    );
    return;
  }
  const [key] = keys as [string];
  const value = (input as Record<string, unknown>)[key];
  if (key === 'all' || key === 'any') {
    if (!Array.isArray(value) || value.length === 0)
      issue([...path, key], 'expected a non-empty list of rules');
    else for (const [i, r] of value.entries()) checkRule(r, [...path, key, i], ctx);
    return;
  }
  if (key === 'not') {
    checkRule(value, [...path, key], ctx);
    return;
  }
  if (!(PREDICATE_NAMES as string[]).includes(key)) {
    issue([...path, key], `unknown rule "${key}"; expected one of ${KNOWN_KEYS.join(', ')}`);
    return;
  }
  const result = predicates[key as keyof typeof predicates].safeParse(value, { reportInput: true });
  if (result.success) return;
  for (const sub of result.error.issues) {
    ctx.addIssue({ ...sub, path: [...path, key, ...sub.path] } as Parameters<typeof ctx.addIssue>[0]);
  }
}

/** JSON Schema of a rule, for editors: the same forms as checkRule, recursive through $defs. */
export function ruleJsonSchema(ref: string): Record<string, unknown> {
  const list = { type: 'array', minItems: 1, items: { $ref: ref } };
  const form = (key: string, schema: unknown) => ({
    type: 'object',
    properties: { [key]: schema },
    required: [key],
    additionalProperties: false,
  });
  return {
    description:
      'A segment rule: all / any / not over predicates; each rule is a mapping with exactly one key.',
    anyOf: [
      form('all', list),
      form('any', list),
      form('not', { $ref: ref }),
      ...PREDICATE_NAMES.map((name) => {
        const { $schema: _drop, ...schema } = z.toJSONSchema(predicates[name], {
          io: 'input',
          unrepresentable: 'any',
        });
        return form(name, schema);
      }),
    ],
  };
}
