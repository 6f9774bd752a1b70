/**
 * Local date-times in named time zones, on the platform's Intl data (no Temporal in Node 24 by default).
 * Campaign times are written as local wall-clock times ("2026-11-11T00:00") in the campaign's zone.
 */

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isLocalDateTime(text: string): boolean {
  const m = LOCAL_DATE_TIME.exec(text);
  return m !== null && calendarProblem(fieldsOf(m)) === null;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date "YYYY-MM-DD" that exists (2027-02-29 does not). */
export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  return calendarProblem({ year: y, month: mo, day: d, hour: 0, minute: 0, second: 0 }) === null;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function daysIn(year: number, month: number): number {
  return month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;
}

/**
 * Why the fields are not a wall-clock time on the calendar (years 1–9999), or null when they are. Nothing
 * rolls over: 2025-02-30, 24:00 and 10:61 are not times, whatever Date.UTC would make of them.
 */
export function calendarProblem(f: LocalParts): string | null {
  if (f.year < 1 || f.year > 9999) return `year ${f.year} does not exist (years go from 1 to 9999)`;
  if (f.month < 1 || f.month > 12) return `month ${f.month} does not exist`;
  const days = daysIn(f.year, f.month);
  if (f.day < 1 || f.day > days)
    return `day ${f.day} does not exist: ${MONTHS[f.month - 1]} ${f.year} has ${days} days`;
  if (f.hour > 23)
    return f.hour === 24 && f.minute === 0 && f.second === 0
      ? 'hour 24 does not exist (midnight is 00:00 of the next day)'
      : `hour ${f.hour} does not exist`;
  if (f.minute > 59) return `minute ${f.minute} does not exist`;
  if (f.second > 59) return `second ${f.second} does not exist`;
  return null;
}

/** Milliseconds since the epoch of the fields read as UTC; years below 100 are not taken as 19xx. */
export function utcMillis(f: LocalParts): number {
  const d = new Date(Date.UTC(2000, f.month - 1, f.day, f.hour, f.minute, f.second));
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  return d.getTime();
}

function fieldsOf(m: RegExpExecArray): LocalParts {
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return { year: y, month: mo, day: d, hour: h, minute: mi, second: Number.isNaN(s) ? 0 : s };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(instant: Date, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `zone` from UTC at `instant`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(instant: Date, zone: string): number {
  const day = Math.floor(instant.getTime() / DAY_MS);
  const key = `${zone} ${day}`;
  let steady = steadyOffsets.get(key);
  if (steady === undefined) {
    // Most days have one offset all day: the same at their first and last second. Those are remembered
    // (an import reads the zone of a million timestamps); a day with a transition is asked every time.
    const start = offsetAt(day * DAY_MS, zone);
    steady = start === offsetAt((day + 1) * DAY_MS - 1000, zone) ? start : null;
    if (steadyOffsets.size >= 50_000) steadyOffsets.clear();
    steadyOffsets.set(key, steady);
  }
  return steady ?? offsetAt(instant.getTime(), zone);
}

const DAY_MS = 86_400_000;
const steadyOffsets = new Map<string, number | null>();

function offsetAt(ms: number, zone: string): number {
  const asUtc = utcMillis(localParts(new Date(ms), zone));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `zone` shows `local` ("YYYY-MM-DDTHH:mm[:ss]").
 * In a DST gap the result is shifted forward by the gap; in an overlap the earlier instant wins.
 */
export function localToInstant(local: string, zone: string): Date {
  const m = LOCAL_DATE_TIME.exec(local);
  if (!m) throw new RangeError(`not a local date-time (YYYY-MM-DDTHH:mm): ${local}`);
  const fields = fieldsOf(m);
  const problem = calendarProblem(fields);
  if (problem) throw new RangeError(`not a local date-time: ${local}: ${problem}`);
  const wall = utcMillis(fields);
  const first = wall - zoneOffsetMs(new Date(wall), zone);
  const second = wall - zoneOffsetMs(new Date(first), zone);
  // An instant shows `local` when its own offset brings it back to the wall time (to the minute).
  const minute = (ms: number) => Math.floor(ms / 60_000);
  const valid = [first, second].filter((t) => minute(t + zoneOffsetMs(new Date(t), zone)) === minute(wall));
  return new Date(valid.length > 0 ? Math.min(...valid) : Math.max(first, second));
}

/** `instant` as the wall-clock time in `zone`, "YYYY-MM-DDTHH:mm". */
export function instantToLocal(instant: Date, zone: string): string {
  const p = localParts(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}
