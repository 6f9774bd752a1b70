import { localToInstant } from '../time/zoned-time.ts';

/**
 * Recurring waves: a wave with `repeat:` instead of `start:` runs once per occurrence of its rule (every
 * day, every week on a weekday, every month on a day) at a wall-clock time in the campaign's zone, from a
 * first date to an optional last one. Each occurrence is its own wave run, named by the wave id and the
 * occurrence's local date-time (`member-day@2027-01-15T10:00`): its own idempotency keys
 * (campaign/run/customer), ledger rows, reconciliation and status line. Pure functions.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const REPEAT_EVERY = ['day', 'week', 'month'] as const;

/** The highest `day` of a monthly wave: every month has it, so every month has an occurrence. */
export const MAX_MONTH_DAY = 28;

export interface Repeat {
  every: (typeof REPEAT_EVERY)[number];
  /** Day of the month, 1–28 (`every: month`). */
  day?: number | undefined;
  /** `every: week`. */
  weekday?: Weekday | undefined;
  /** Wall-clock time, HH:mm. */
  at: string;
  /** First date an occurrence may fall on, YYYY-MM-DD. */
  from: string;
  /** Last date an occurrence may fall on (included); none: it repeats until the campaign is stopped. */
  until?: string | undefined;
}

/** Separates a recurring wave's id from its occurrence's local date-time in a run id. */
export const OCCURRENCE_MARK = '@';

export interface Occurrence {
  /** The recurring wave's id. */
  waveId: string;
  /** The occurrence's local date-time in the campaign's zone, YYYY-MM-DDTHH:mm. */
  local: string;
  /** `<wave id>@<local>`: the run's wave id in the ledger, the run store and the idempotency keys. */
  runId: string;
  start: Date;
}

export function occurrenceRunId(waveId: string, local: string): string {
  return `${waveId}${OCCURRENCE_MARK}${local}`;
}

/** A run id's recurring wave and local date-time, or null for the id of a one-off wave. */
export function parseRunId(runId: string): { waveId: string; local: string } | null {
  const i = runId.lastIndexOf(OCCURRENCE_MARK);
  if (i <= 0) return null;
  return { waveId: runId.slice(0, i), local: runId.slice(i + 1) };
}

/** The wave id a run belongs to: the recurring wave of an occurrence, else the run id itself. */
export function baseWaveId(runId: string): string {
  return parseRunId(runId)?.waveId ?? runId;
}

const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Whether a calendar date (YYYY-MM-DD) is one the rule fires on (ignoring from/until). */
export function firesOn(repeat: Repeat, date: string): boolean {
  const d = new Date(msOf(date));
  if (repeat.every === 'day') return true;
  if (repeat.every === 'week') return WEEKDAYS[(d.getUTCDay() + 6) % 7] === repeat.weekday;
  return d.getUTCDate() === repeat.day;
}

/**
 * The occurrences starting in (after, to], in order. `fromDate`/`toDate` bound the calendar walk: the
 * dates around the instants in any zone (a day either side), then the instants decide.
 */
export function occurrencesBetween(
  waveId: string,
  repeat: Repeat,
  timeZone: string,
  after: Date,
  to: Date,
): Occurrence[] {
  const first = Math.max(msOf(repeat.from), Math.floor(after.getTime() / DAY_MS) * DAY_MS - DAY_MS);
  const last = Math.min(
    repeat.until ? msOf(repeat.until) : Number.POSITIVE_INFINITY,
    Math.floor(to.getTime() / DAY_MS) * DAY_MS + DAY_MS,
  );
  const out: Occurrence[] = [];
  for (let ms = first; ms <= last; ms += DAY_MS) {
    const date = dateOf(ms);
    if (!firesOn(repeat, date)) continue;
    const local = `${date}T${repeat.at}`;
    const start = localToInstant(local, timeZone);
    if (start > after && start <= to)
      out.push({ waveId, local, runId: occurrenceRunId(waveId, local), start });
  }
  return out;
}

/** The first occurrence, or null when the rule never fires between `from` and `until`. */
export function firstOccurrence(waveId: string, repeat: Repeat, timeZone: string): Occurrence | null {
  const from = localToInstant(`${repeat.from}T00:00`, timeZone);
  // A month holds an occurrence of any rule; 32 days cover the latest first one.
  const [found] = occurrencesBetween(
    waveId,
    repeat,
    timeZone,
    new Date(from.getTime() - 1),
    new Date(from.getTime() + 32 * DAY_MS),
  );
  return found ?? null;
}

/** The occurrence a run id names, if the rule fires then (within from/until); null otherwise. */
export function occurrenceAt(
  waveId: string,
  repeat: Repeat,
  timeZone: string,
  local: string,
): Occurrence | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(local);
  if (!m?.[1] || m[2] !== repeat.at || !firesOn(repeat, m[1])) return null;
  if (m[1] < repeat.from || (repeat.until !== undefined && m[1] > repeat.until)) return null;
  return { waveId, local, runId: occurrenceRunId(waveId, local), start: localToInstant(local, timeZone) };
}

/** The shortest time between two consecutive occurrences, in ms (a month from Feb 15 to Mar 15: 28 days). */
export function shortestGapMs(repeat: Repeat): number {
  if (repeat.every === 'day') return DAY_MS;
  if (repeat.every === 'week') return 7 * DAY_MS;
  return 28 * DAY_MS;
}

const CRON_DAYS: Record<Weekday, string> = {
  mon: 'MON',
  tue: 'TUE',
  wed: 'WED',
  thu: 'THU',
  fri: 'FRI',
  sat: 'SAT',
  sun: 'SUN',
};

/**
 * The rule as an EventBridge Scheduler cron expression (minutes hours day-of-month month day-of-week
 * year), read in the schedule's own time zone (ScheduleExpressionTimezone).
 */
export function cronExpression(repeat: Repeat): string {
  const [h, m] = repeat.at.split(':').map(Number);
  if (repeat.every === 'day') return `cron(${m} ${h} * * ? *)`;
  if (repeat.every === 'week') return `cron(${m} ${h} ? * ${CRON_DAYS[repeat.weekday ?? 'mon']} *)`;
  return `cron(${m} ${h} ${repeat.day} * ? *)`;
}

/** How a marketer reads the rule: "every month on day 15 at 10:00, from 2027-01-01". */
export function describeRepeat(repeat: Repeat): string {
  const when =
    repeat.every === 'day'
      ? 'every day'
      : repeat.every === 'week'
        ? `every week on ${repeat.weekday}`
        : `every month on day ${repeat.day}`;
  return `${when} at ${repeat.at}, from ${repeat.from}${repeat.until ? ` until ${repeat.until}` : ''}`;
}
