import { z } from 'zod';
import { Rule } from '../segment/segment-schema.ts';
import { isLocalDate, isLocalDateTime, isValidTimeZone } from '../time/zoned-time.ts';
import { checkCampaign } from './campaign-checks.ts';
import { Channel, ClockTime, Duration, FrequencyCap, QuietHours } from './contact-policy-schema.ts';
import { MAX_MONTH_DAY, REPEAT_EVERY, WEEKDAYS } from './wave-repeat.ts';
import { DEFAULT_TRIGGER_EVERY, isTickLength, TRIGGER_EVENTS } from './wave-trigger.ts';

/**
 * The campaign config: one zod schema for YAML/JSON files, API bodies and stored campaigns.
 * Field-level rules live here; rules across fields (references, cycles, SMS length) in campaign-checks.ts.
 */

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
  error: 'expected lower-case letters, digits and dashes, e.g. d11-preheat',
});

const LocalDateTime = z
  .string()
  .refine(isLocalDateTime, { error: 'expected a local date-time YYYY-MM-DDTHH:mm, e.g. 2026-11-11T00:00' })
  .meta({ description: "Wall-clock time in the campaign's time zone, without offset." });

const TimeZone = z
  .string()
  .refine(isValidTimeZone, { error: 'expected an IANA time zone, e.g. Asia/Shanghai' })
  .meta({ description: 'IANA time zone name.' });

const Money = z.number().min(0);
const Percent = z.number().min(0).max(100);

export const EmailChannel = z.strictObject({
  from: z
    .string()
    .min(3)
    .meta({ description: 'Verified SES identity, e.g. "优品小店 <crm@shop.example.com>".' }),
  replyTo: z.string().optional(),
  configurationSet: z
    .string()
    .optional()
    .meta({ description: 'SES configuration set whose event destination records delivery, opens, clicks.' }),
});

export const SmsChannel = z.strictObject({
  signature: z.string().regex(/^【[^【】]{2,12}】$/, {
    error: 'expected the shop signature in 【】, 2–12 characters, e.g. 【优品小店】',
  }),
  optOutText: z
    .string()
    .min(2)
    .meta({ description: 'Opt-out line every marketing SMS carries, e.g. 回T退订.' }),
  senderId: z.string().max(11).optional(),
  messageType: z.enum(['Promotional', 'Transactional']).default('Promotional'),
  maxSegments: z
    .int()
    .min(1)
    .max(5)
    .default(2)
    .meta({ description: 'Longest message allowed, in billed segments.' }),
});

export const CallListChannel = z.strictObject({
  team: z.string().optional().meta({ description: 'Who works the list, e.g. the VIP service desk.' }),
});

export const Channels = z.strictObject({
  email: EmailChannel.optional(),
  sms: SmsChannel.optional(),
  'call-list': CallListChannel.optional(),
});

/** A named segment: who, in the segment language (shared/segment/segment-schema.ts). */
export const Segment = z.strictObject({
  description: z.string().optional(),
  where: Rule,
});

export const Audience = z
  .strictObject({
    segment: z.string().optional().meta({ description: 'Name of a segment under `segments`.' }),
    where: Rule.optional().meta({ description: 'An inline rule, for a one-off audience.' }),
  })
  .refine((a) => (a.segment === undefined) !== (a.where === undefined), {
    error: 'expected exactly one of `segment` or `where`',
  });

export const EmailTemplate = z.strictObject({
  subject: z.string().min(1),
  html: z.string().min(1),
  text: z.string().optional(),
});

export const Templates = z
  .strictObject({
    email: EmailTemplate.optional(),
    sms: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Liquid; the signature and opt-out text are added.' }),
    'call-list': z
      .strictObject({ talkingPoints: z.string().min(1) })
      .optional()
      .meta({ description: 'What service staff say on the call.' }),
  })
  .meta({ description: 'One Liquid template per channel the wave may use.' });

export const Variant = z.strictObject({
  id: Slug,
  split: Percent.meta({ description: 'Share of the treated audience, in %; a wave’s splits add up to 100.' }),
  templates: Templates,
});

export const ValueTier = z.strictObject({
  name: Slug,
  when: z
    .strictObject({
      by: z.enum(['spend', 'orders']).default('spend'),
      atLeast: z.number().min(0).optional(),
      topPercent: z.number().gt(0).max(100).optional(),
    })
    .refine((w) => w.atLeast !== undefined || w.topPercent !== undefined, {
      error: 'expected `atLeast` or `topPercent`',
    })
    .meta({ description: 'Customers whose lifetime value is at least a threshold or in the top percent.' }),
  channel: Channel,
});

export const Offer = z.strictObject({
  type: z.enum(['coupon', 'cashback', 'discount', 'gift', 'reminder']),
  title: z.string().min(1),
  code: z.string().optional(),
  value: Money.optional().meta({
    description: 'Face value in the campaign currency (coupon amount, cashback).',
  }),
  minSpend: Money.optional(),
  validUntil: LocalDateTime.optional(),
});

/** The most product links a wave carries: each one is a tracked link per send, stored before the message leaves. */
export const MAX_PRODUCTS = 20;

/** A page a tracked link redirects to: http(s) only (no `javascript:` or `data:`), no spaces. */
const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. https://shop.example.com/item/123' })
  .regex(/^\S+$/, { error: 'expected a URL without spaces' });

export const Product = z.strictObject({
  sku: z
    .string()
    .min(1)
    .max(64)
    // Control characters would let one sku's signed link text pass for another's (short-links.ts).
    .regex(/^[^\p{Cc}]+$/u, { error: 'expected a sku without control characters (line breaks, tabs)' })
    .meta({ description: 'The product’s sku, as in the products table (e.g. down-jacket-2026W-03).' }),
  url: HttpUrl.meta({ description: 'The product page its tracked link redirects to.' }),
  name: z
    .string()
    .min(1)
    .max(60)
    .optional()
    .meta({ description: 'What the template shows for it; the sku when not given.' }),
});
export type Product = z.infer<typeof Product>;

export const WaveStart = z.union(
  [
    LocalDateTime,
    z.strictObject({
      after: Slug.meta({ description: 'Id of the wave this one follows.' }),
      offset: Duration,
    }),
  ],
  { error: 'expected a local date-time YYYY-MM-DDTHH:mm or { after: <wave id>, offset: <duration> }' },
);

const LocalDate = z
  .string()
  .refine(isLocalDate, { error: 'expected a date YYYY-MM-DD, e.g. 2027-01-01' })
  .meta({ description: "A calendar date in the campaign's time zone." });

/**
 * A recurring wave's rule (wave-repeat.ts): each occurrence is its own wave run. Which of `day` and
 * `weekday` the rule needs is checked across fields (campaign-checks.ts), at the field's own line.
 */
export const Repeat = z.strictObject({
  every: z.enum(REPEAT_EVERY).meta({ description: 'day, week or month.' }),
  day: z
    .int()
    .refine((d) => d >= 1 && d <= MAX_MONTH_DAY, {
      error: `expected a day of the month from 1 to ${MAX_MONTH_DAY} (every month has it)`,
    })
    .meta({
      description: `Day of the month, 1–${MAX_MONTH_DAY} (every: month).`,
      minimum: 1,
      maximum: MAX_MONTH_DAY,
    })
    .optional(),
  weekday: z.enum(WEEKDAYS).optional().meta({ description: 'mon … sun (every: week).' }),
  at: ClockTime.meta({ description: "Wall-clock time HH:mm in the campaign's time zone." }),
  from: LocalDate.meta({ description: 'First date an occurrence may fall on.' }),
  until: LocalDate.optional().meta({ description: 'Last date an occurrence may fall on (included).' }),
});

/**
 * A triggered wave's rule (wave-trigger.ts): a micro-batch every `every` reaches the customers whose
 * event happened `after` before it (and still holds), once per event.
 */
export const Trigger = z.strictObject({
  on: z.enum(TRIGGER_EVENTS).meta({
    description:
      'order-created, order-unpaid (still unpaid at the run), order-shipped, order-delivered (the order feed’s shipped/delivered events) or click (no order since the click).',
  }),
  after: Duration.meta({ description: 'How long after the event the message goes, e.g. 2h.' }),
  every: Duration.refine(isTickLength, {
    error:
      'expected minutes that divide an hour (5m, 10m, 15m, 20m, 30m, 60m) or hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h)',
  })
    .default(DEFAULT_TRIGGER_EVERY)
    .meta({ description: 'How often the micro-batch runs (default 15m), on ticks from local midnight.' }),
  from: LocalDate.meta({ description: 'First date a run may fall on.' }),
  until: LocalDate.optional().meta({ description: 'Last date a run may fall on (included).' }),
});

/** A pilot: a stable sample of the wave's audience, to compare its variants before a rollout wave. */
export const Pilot = z.strictObject({
  share: z
    .number()
    .gt(0, { error: 'expected a share above 0 and at most 100%' })
    .max(100, { error: 'expected a share above 0 and at most 100%' })
    .meta({ description: 'Share of the wave’s audience the pilot reaches, in %, by a stable hash.' }),
  groups: z
    .array(Slug)
    .min(1, { error: 'expected at least one group (a name under `segments:`)' })
    .optional()
    .meta({
      description:
        'Named segments to compare: each pilot recipient belongs to the first one it matches; customers in none are not in the pilot. Needs a holdout (docs/responses.md, groups).',
    }),
});

/** The measure a rollout compares its candidates on (docs/responses.md, rollout). */
export const ROLLOUT_METRICS = ['conversion-rate', 'revenue-per-recipient'] as const;

/** What a rollout picks: the pilot's variants, or the groups of a grouped pilot (docs/responses.md). */
export const ROLLOUT_PICKS = ['variant', 'group'] as const;

/**
 * A rollout: at its start, the wave picks the pilot's variant whose measured response beats every other's
 * by the rule of docs/responses.md (its 95% interval's lower bound above each other's upper bound), and
 * sends only that variant; with no clear winner, or a pilot too small to read, it sends `otherwise`.
 * `pick: group` picks instead every group of a grouped pilot whose incremental response (treated against
 * the group's holdout) has its 95% interval wholly above zero, and sends to those groups only.
 */
export const Rollout = z.strictObject({
  from: Slug.meta({ description: 'Id of the earlier pilot wave of this campaign.' }),
  pick: z.enum(ROLLOUT_PICKS).default('variant').meta({
    description:
      'variant (default): the pilot’s best variant; group: the pilot’s groups where the message added response.',
  }),
  metric: z
    .enum(ROLLOUT_METRICS)
    .default('conversion-rate')
    .meta({ description: 'conversion-rate (default) or revenue-per-recipient, measured up to the start.' }),
  otherwise: z.string().default('all').meta({
    description:
      '`all` (every variant, as split; or every group) or a variant id (a group name for pick: group): what is sent with no clear winner.',
  }),
  resendPilot: z
    .boolean()
    .default(false)
    .meta({ description: 'Also send to the pilot’s recipients (by default they are not sent again).' }),
});
export type Rollout = z.infer<typeof Rollout>;

export const Wave = z.strictObject({
  id: Slug,
  name: z.string().optional(),
  start: WaveStart.optional().meta({
    description: 'A local date-time, or an offset after another wave’s start (or `repeat`).',
  }),
  repeat: Repeat.optional().meta({
    description: 'Instead of `start`: run every day, week or month; each occurrence is its own wave run.',
  }),
  trigger: Trigger.optional().meta({
    description:
      'Instead of `start`: run every few minutes for the customers an event (order, click) made due.',
  }),
  sendBy: z
    .union([LocalDateTime, Duration], {
      error: 'expected a local date-time YYYY-MM-DDTHH:mm or a duration like 6h',
    })
    .optional()
    .meta({ description: 'Deadline: a local date-time, or a duration after the start.' }),
  category: z.enum(['marketing', 'transactional', 'notice']).default('marketing').meta({
    description:
      'transactional (unpaid-order reminders): exempt from marketing caps; notice (shipped, delivered): also no holdout, not stopped by marketing opt-outs, no opt-out line.',
  }),
  audience: Audience,
  channel: Channel.meta({ description: 'Preferred channel.' }),
  fallback: z
    .array(Channel)
    .default([])
    .meta({ description: 'Channels to try, in order, when the preferred one cannot reach the customer.' }),
  tiers: z
    .array(ValueTier)
    .default([])
    .meta({ description: 'By-value overrides of the channel; the first tier that matches wins.' }),
  templates: Templates.optional(),
  variants: z.array(Variant).optional().meta({ description: 'A/B variants; replaces `templates`.' }),
  pilot: Pilot.optional().meta({
    description: 'Send to a sample of the audience only, to compare variants.',
  }),
  rollout: Rollout.optional().meta({
    description: 'Pick the pilot’s winning variant at the start (docs/responses.md, rollout).',
  }),
  link: HttpUrl.optional().meta({ description: 'Landing page the tracked short link redirects to.' }),
  products: z
    .array(Product)
    .max(MAX_PRODUCTS)
    .superRefine((products, ctx) => {
      const seen = new Set<string>();
      products.forEach((p, i) => {
        if (seen.has(p.sku))
          ctx.addIssue({ code: 'custom', path: [i, 'sku'], message: `duplicate sku "${p.sku}"` });
        seen.add(p.sku);
      });
    })
    .optional()
    .meta({
      description:
        'Products the wave links: each gets its own tracked link per send, in templates as {{ products }} (name, url), and a click records its sku.',
    }),
  offer: Offer.optional(),
  priority: z
    .int()
    .min(0)
    .max(100)
    .default(50)
    .meta({ description: 'When waves compete for a customer under one cap, the higher priority wins.' }),
  limits: z
    .strictObject({
      maxRecipients: z.int().min(1).optional(),
      budget: Money.optional(),
    })
    .optional(),
});
export type Wave = z.infer<typeof Wave>;

/** The segment a wave reports under: its named segment, or `inline` for a wave with its own rule. */
export function waveSegment(wave: Wave): string {
  return wave.audience.segment ?? 'inline';
}

export const Attribution = z.strictObject({
  model: z.enum(['last-touch', 'first-touch']).default('last-touch'),
  windows: z
    .strictObject({
      email: z.strictObject({ open: Duration.optional(), click: Duration.optional() }).default({}),
      sms: z.strictObject({ delivered: Duration.optional(), click: Duration.optional() }).default({}),
      'call-list': z.strictObject({ called: Duration.optional() }).default({}),
    })
    .default({ email: {}, sms: {}, 'call-list': {} })
    .meta({ description: 'How long after each touch an order counts for the campaign.' }),
});

export const Costs = z
  .strictObject({
    email: Money.default(0),
    smsPerSegment: Money.default(0),
    'call-list': Money.default(0),
  })
  .meta({ description: 'Cost per message in the campaign currency; SMS per billed segment.' });

export const Campaign = z
  .strictObject({
    $schema: z.string().optional(),
    id: Slug,
    name: z.string().min(1),
    description: z.string().optional(),
    timeZone: TimeZone.default('Asia/Shanghai'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 code, e.g. CNY' })
      .default('CNY'),
    locale: z
      .enum(['zh-CN', 'en'])
      .default('zh-CN')
      .meta({ description: 'Language of the report’s explanations (zh-CN or en).' }),
    channels: Channels,
    segments: z.record(Slug, Segment).default({}),
    waves: z.array(Wave).min(1),
    contactPolicy: z
      .strictObject({
        caps: z.array(FrequencyCap).default([]),
        quietHours: QuietHours.optional(),
      })
      .optional()
      .meta({ description: 'Overrides of the shop-wide policy: a cap with the same id replaces it.' }),
    holdoutPercent: z
      .number()
      .min(0, { error: 'expected a holdout between 0 and 50%' })
      .max(50, { error: 'expected a holdout between 0 and 50%' })
      .default(0),
    attribution: Attribution.default({
      model: 'last-touch',
      windows: { email: {}, sms: {}, 'call-list': {} },
    }),
    costs: Costs.default({ email: 0, smsPerSegment: 0, 'call-list': 0 }),
    budget: Money.optional().meta({ description: 'Total spend allowed for the campaign.' }),
  })
  // Cross-field checks run even when some fields failed, so that one run reports every problem.
  .check(
    z.superRefine(checkCampaign, {
      when: (payload) => {
        const v = payload.value as { waves?: unknown } | null;
        return typeof v === 'object' && v !== null && Array.isArray(v.waves);
      },
    }),
  );
export type Campaign = z.infer<typeof Campaign>;
export type CampaignInput = z.input<typeof Campaign>;
