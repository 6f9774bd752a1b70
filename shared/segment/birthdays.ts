import { type LocalParts, localParts } from '../time/zoned-time.ts';

const DAY_MS = 86_400_000;
const two = (n: number) => String(n).padStart(2, '0');
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * The birthdays (MM-DD, as customers.birthday holds them) that fall within `days` days from the run's local
 * date, the run's day included. A 02-29 birthday falls on 02-28 in a year without 29 February, so it is
 * in the window when 02-28 of such a year is.
 */
export function birthdaysWithin(runAt: Date, zone: string, days: number): string[] {
  const p: LocalParts = localParts(runAt, zone);
  const start = Date.UTC(p.year, p.month - 1, p.day);
  const out = new Set<string>();
  for (let k = 0; k <= days && out.size < 366; k++) {
    const d = new Date(start + k * DAY_MS);
    const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    out.add(`${two(m)}-${two(dd)}`);
    if (m === 2 && dd === 28 && !isLeap(y)) out.add('02-29');
  }
  return [...out];
}

/** The run's local month, 1–12. */
export function runMonth(runAt: Date, zone: string): number {
  return localParts(runAt, zone).month;
}

/** Month numbers as the MM prefix of customers.birthday. */
export const monthPrefix = (m: number) => two(m);
