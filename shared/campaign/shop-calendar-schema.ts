import { z } from 'zod';
import { isLocalDateTime } from '../time/zoned-time.ts';
import type { MemberTier } from './loyalty-schema.ts';

/**
 * The shop's calendar settings, kept in the shop-wide file (`contact-policy.yaml`) with the caps: its
 * promotions and their dates per year, its seasons (month ranges) and the age bands its customer data
 * uses. Segment rules name promotions, seasons and bands; `campaign validate` checks the names against
 * these (shared/segment/shop-calendar-checks.ts).
 */

const LocalDateTime = z
  .string()
  .refine(isLocalDateTime, { error: 'expected a local date-time YYYY-MM-DDTHH:mm' });

/** One year's window of a promotion: [from, to) in the campaign's local time. */
const PromotionWindow = z
  .tuple([LocalDateTime, LocalDateTime])
  .refine(([from, to]) => !isLocalDateTime(from) || !isLocalDateTime(to) || from < to, {
    error: 'expected from before to: [from, to) in local time',
  });

const Year = z.string().regex(/^(19|20|21)\d\d$/, { error: 'expected a year, e.g. 2026' });

export const Promotions = z.record(z.string().min(1).max(100), z.record(Year, PromotionWindow)).meta({
  description:
    'Named promotions, each with its [from, to) window per year (local date-times). A built-in name (double-11, double-12, 618, nian-huo-jie) here replaces the built-in dates for the years given.',
});

const Month = z.int().min(1).max(12);

export const Seasons = z
  .record(z.string().min(1).max(100), z.strictObject({ from: Month, to: Month }))
  .superRefine((seasons, ctx) => {
    const owner = new Map<number, string>();
    for (const [name, { from, to }] of Object.entries(seasons)) {
      for (const m of seasonMonths(from, to)) {
        const other = owner.get(m);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `month ${m} is in both "${other}" and "${name}"; a month belongs to one season`,
          });
        else owner.set(m, name);
      }
    }
  })
  .meta({
    description:
      'Seasons by month range, both months included; a range may cross the year end (winter: { from: 12, to: 2 }). Replaces the default seasons.',
  });

/** The months of a range, both ends included, crossing the year end when `to` < `from`. */
export function seasonMonths(from: number, to: number): number[] {
  const months: number[] = [];
  for (let m = from; ; m = (m % 12) + 1) {
    months.push(m);
    if (m === to || months.length === 12) return months;
  }
}

/** An age band label: `<18` (under 18), `18-25` (18 to 25, both included), `51+` (51 and over). */
export const AGE_BAND_PATTERN = /^(?:<(\d{1,3})|(\d{1,3})-(\d{1,3})|(\d{1,3})\+)$/;

/** A band as ages [min, max], both included (max Infinity for `N+`); null if the label is no band. */
export function parseAgeBand(label: string): { min: number; max: number } | null {
  const m = AGE_BAND_PATTERN.exec(label);
  if (!m) return null;
  if (m[1] !== undefined) return { min: 0, max: Number(m[1]) - 1 };
  if (m[2] !== undefined) return { min: Number(m[2]), max: Number(m[3]) };
  return { min: Number(m[4]), max: Number.POSITIVE_INFINITY };
}

export const AgeBands = z
  .array(z.string().regex(AGE_BAND_PATTERN, { error: 'expected an age band like <18, 18-25 or 51+' }))
  .min(1)
  .superRefine((labels, ctx) => {
    let next: number | null = null;
    labels.forEach((label, i) => {
      const band = parseAgeBand(label);
      if (!band) return; // reported by the pattern
      if (band.min > band.max) {
        ctx.addIssue({ code: 'custom', path: [i], message: `"${label}": expected the lower age first` });
        return;
      }
      if (next !== null && band.min !== next)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `"${label}" should start at ${next}: bands go from young to old without gaps or overlaps`,
        });
      next = band.max + 1;
    });
  })
  .meta({
    description:
      'The age bands of customers.age_band, young to old without gaps: <N, A-B (both included), N+. `unknown` is always a band too.',
  });

/** Seasons when the shop gives none: spring 3–5, summer 6–8, autumn 9–11, winter 12–2. */
export const DEFAULT_SEASONS: z.output<typeof Seasons> = {
  spring: { from: 3, to: 5 },
  summer: { from: 6, to: 8 },
  autumn: { from: 9, to: 11 },
  winter: { from: 12, to: 2 },
};

/** The bands the shops' own reports (生意参谋) use, which the sample shop writes. */
export const DEFAULT_AGE_BANDS = ['<18', '18-25', '26-30', '31-35', '36-40', '41-50', '51+'];

/** The band of customers whose age is not known: always allowed besides the configured ones. */
export const UNKNOWN_AGE_BAND = 'unknown';

/** The calendar part of the shop-wide settings, with defaults applied. */
export interface ShopCalendar {
  promotions: z.output<typeof Promotions>;
  seasons: z.output<typeof Seasons>;
  ageBands: string[];
  /** The shop's member tiers when it states them (contact-policy.yaml memberTiers), else undefined. */
  memberTiers?: MemberTier[] | undefined;
}

export const DEFAULT_SHOP_CALENDAR: ShopCalendar = {
  promotions: {},
  seasons: DEFAULT_SEASONS,
  ageBands: DEFAULT_AGE_BANDS,
};
