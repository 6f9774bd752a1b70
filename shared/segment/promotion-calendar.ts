import type { ShopCalendar } from '../campaign/shop-calendar-schema.ts';
import { UserError } from '../errors.ts';
import { SPRING_FESTIVALS } from '../time/spring-festivals.ts';

/**
 * The promotion calendar: the platform's promotions every shop knows, with their usual dates, and the
 * shop's own (`promotions:` in the shop-wide file), which may also move a built-in promotion's dates in
 * a given year. A window is [from, to) in local wall-clock time (`YYYY-MM-DDTHH:mm`), turned into
 * instants in the campaign's zone by the caller. Why these dates: docs/segments.md#the-promotion-calendar.
 */
export interface BuiltInPromotion {
  name: string;
  /** How the shops call it. */
  label: string;
  /** The window of a year's edition, or null when the calendar does not know that year. */
  window(year: number): [string, string] | null;
}

const yearly =
  (from: string, to: string) =>
  (year: number): [string, string] => [`${year}-${from}T00:00`, `${year}-${to}T00:00`];

const DAY_MS = 86_400_000;
const shiftDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export const BUILT_IN_PROMOTIONS: readonly BuiltInPromotion[] = [
  // The pre-sale's first payments (1 Nov) through the day itself.
  { name: 'double-11', label: '双十一', window: yearly('11-01', '11-12') },
  // A one-day event.
  { name: 'double-12', label: '双十二', window: yearly('12-12', '12-13') },
  // 年中促: from 1 June (the sale opens, pre-sale balances are paid) through 18 June.
  { name: '618', label: '年中促', window: yearly('06-01', '06-19') },
  // 年货节: the four weeks up to a week before Spring Festival, when couriers stop; the edition of a year
  // is the one before that year's Spring Festival (so 2026's ran 20 Jan – 10 Feb 2026).
  {
    name: 'nian-huo-jie',
    label: '年货节',
    window: (year) => {
      const festival = SPRING_FESTIVALS.find((d) => d.startsWith(`${year}-`));
      return festival ? [`${shiftDays(festival, -28)}T00:00`, `${shiftDays(festival, -7)}T00:00`] : null;
    },
  },
];

/** Every promotion name a rule may use: the built-in ones, then the shop's own. */
export function promotionNames(calendar: Pick<ShopCalendar, 'promotions'>): string[] {
  return [...new Set([...BUILT_IN_PROMOTIONS.map((p) => p.name), ...Object.keys(calendar.promotions)])];
}

export function unknownPromotionMessage(name: string, calendar: Pick<ShopCalendar, 'promotions'>): string {
  return `unknown promotion "${name}"; the calendar knows ${promotionNames(calendar).join(', ')} (add the shop's own under promotions: in contact-policy.yaml)`;
}

/**
 * A promotion's window in a year: the shop's dates for that year when it gives them, else the built-in
 * dates. Throws a UserError (the shop file needs a fix) naming what is known, for a name or year it lacks.
 */
export function promotionWindow(
  name: string,
  year: number,
  calendar: Pick<ShopCalendar, 'promotions'>,
): [string, string] {
  const own = Object.hasOwn(calendar.promotions, name) ? calendar.promotions[name] : undefined;
  const ownWindow = own && Object.hasOwn(own, String(year)) ? own[String(year)] : undefined;
  if (ownWindow) return ownWindow;
  const builtIn = BUILT_IN_PROMOTIONS.find((p) => p.name === name);
  if (!own && !builtIn) throw new UserError(unknownPromotionMessage(name, calendar));
  const window = builtIn?.window(year);
  if (window) return window;
  const years = Object.keys(own ?? {}).sort();
  throw new UserError(
    `promotion "${name}" has no dates for ${year}${years.length ? `; the shop's calendar has ${years.join(', ')}` : ''}: add promotions.${name}.${year}: [from, to] to contact-policy.yaml`,
  );
}
