import type { ShopCalendar } from '../campaign/shop-calendar-schema.ts';
import { seasonMonths } from '../campaign/shop-calendar-schema.ts';
import { UserError } from '../errors.ts';
import { localParts } from '../time/zoned-time.ts';

/**
 * Seasons as the shop defines them: month ranges in the campaign's zone (default spring 3–5, summer 6–8,
 * autumn 9–11, winter 12–2). A season's year is the year it begins in: winter 2025 is December 2025 to
 * February 2026. Windows are [from, to) local date-times, turned into instants by the caller.
 */
type Seasons = ShopCalendar['seasons'];

const pad = (n: number) => String(n).padStart(2, '0');

export function unknownSeasonMessage(name: string, seasons: Seasons): string {
  return `unknown season "${name}"; the shop's seasons are ${Object.keys(seasons).join(', ')} (seasons: in contact-policy.yaml)`;
}

/** The season a local month is in, if any. */
export function seasonOfMonth(month: number, seasons: Seasons): string | undefined {
  return Object.entries(seasons).find(([, s]) => seasonMonths(s.from, s.to).includes(month))?.[0];
}

/** The season the run is in (in `timeZone`), or a UserError when its month is in none. */
export function runSeason(runAt: Date, timeZone: string, seasons: Seasons): string {
  const { month } = localParts(runAt, timeZone);
  const name = seasonOfMonth(month, seasons);
  if (name === undefined)
    throw new UserError(
      `the run's month (${month}) is in none of the shop's seasons (${Object.keys(seasons).join(', ')}): name the season`,
    );
  return name;
}

/** The year of the latest edition of a season that has begun by the run: 0 in `yearsAgo` counts from it. */
export function latestSeasonYear(name: string, runAt: Date, timeZone: string, seasons: Seasons): number {
  const season = seasons[name];
  if (!season) throw new UserError(unknownSeasonMessage(name, seasons));
  const { year, month } = localParts(runAt, timeZone);
  return month >= season.from ? year : year - 1;
}

/** A season's window in the year it begins: [first day of `from`, first day after `to`). */
export function seasonWindow(name: string, year: number, seasons: Seasons): [string, string] {
  const season = seasons[name];
  if (!season) throw new UserError(unknownSeasonMessage(name, seasons));
  const endYear = year + (season.to < season.from ? 1 : 0) + (season.to === 12 ? 1 : 0);
  const endMonth = season.to === 12 ? 1 : season.to + 1;
  return [`${year}-${pad(season.from)}-01T00:00`, `${endYear}-${pad(endMonth)}-01T00:00`];
}
