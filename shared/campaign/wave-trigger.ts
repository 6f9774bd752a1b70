import { parseDuration } from '../time/duration.ts';
import { instantToLocal, localToInstant } from '../time/zoned-time.ts';
import { type Occurrence, occurrenceRunId } from './wave-repeat.ts';

/**
 * Triggered waves: a wave with `trigger:` runs as a micro-batch every `every` (15 minutes by default),
 * on ticks aligned to midnight in the campaign's zone. The run at tick t reaches the customers whose
 * triggering event (an order created, an order still unpaid, an order shipped or delivered, a click without an
 * order since) happened in
 * (t − every − after, t − after]: consecutive ticks' windows do not overlap, so each event is in exactly
 * one run. Each tick is a wave run named like a recurring wave's occurrence (`unpaid@2026-11-12T10:15`).
 * Pure functions; the SQL is in shared/segment/trigger-sql.ts.
 */

export const TRIGGER_EVENTS = [
  'order-created',
  'order-unpaid',
  'order-shipped',
  'order-delivered',
  'click',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const DEFAULT_TRIGGER_EVERY = '15m';

export interface Trigger {
  on: TriggerEvent;
  /** How long after the event the message goes (the event must still hold then: still unpaid, no order). */
  after: string;
  /** How often the micro-batch runs; divides an hour (minutes) or a day (hours). */
  every: string;
  /** First date a run may fall on, YYYY-MM-DD. */
  from: string;
  /** Last date a run may fall on (included). */
  until?: string | undefined;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Whether `every` is a tick length the schedules can run on both engines: minutes dividing an hour, hours dividing a day. */
export function isTickLength(every: string): boolean {
  const m = /^(\d+)(m|h)$/.exec(every);
  if (!m) return false;
  const n = Number(m[1]);
  return m[2] === 'm' ? n >= 5 && 60 % n === 0 : n >= 1 && 24 % n === 0;
}

/** The tick at or after `at` (ticks fall on the wall clock from local midnight), within from/until; null after until. */
export function tickAtOrAfter(trigger: Trigger, timeZone: string, at: Date): Date | null {
  const stepMinutes = parseDuration(trigger.every) / MINUTE_MS;
  const first = localToInstant(`${trigger.from}T00:00`, timeZone);
  const t = at < first ? first : at;
  const local = instantToLocal(t, timeZone);
  let date = local.slice(0, 10);
  let minutes = Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));
  if (t.getTime() > localToInstant(local, timeZone).getTime()) minutes += 1; // seconds past the minute
  minutes = Math.ceil(minutes / stepMinutes) * stepMinutes;
  if (minutes >= 1440) {
    date = new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    minutes = 0;
  }
  if (trigger.until !== undefined && date > trigger.until) return null;
  const two = (n: number) => String(n).padStart(2, '0');
  return localToInstant(`${date}T${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`, timeZone);
}

/** The run at a tick: its id and times. */
export function tickOccurrence(waveId: string, timeZone: string, tick: Date): Occurrence {
  const local = instantToLocal(tick, timeZone);
  return { waveId, local, runId: occurrenceRunId(waveId, local), start: tick };
}

/** The occurrence a run id's local time names, if it is a tick within from/until; null otherwise. */
export function tickAt(waveId: string, trigger: Trigger, timeZone: string, local: string): Occurrence | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return null;
  const at = localToInstant(local, timeZone);
  const tick = tickAtOrAfter(trigger, timeZone, at);
  return tick && tick.getTime() === at.getTime() && instantToLocal(at, timeZone) === local
    ? tickOccurrence(waveId, timeZone, tick)
    : null;
}

/** The events a run at `tick` answers: those in (tick − every − after, tick − after]. */
export function triggerWindow(trigger: Trigger, tick: Date): { after: Date; to: Date } {
  const to = tick.getTime() - parseDuration(trigger.after);
  return { after: new Date(to - parseDuration(trigger.every)), to: new Date(to) };
}

/** The tick whose window holds an event at `at`. */
export function tickFor(trigger: Trigger, timeZone: string, at: Date): Date | null {
  return tickAtOrAfter(trigger, timeZone, new Date(at.getTime() + parseDuration(trigger.after)));
}

/** The schedule expression of a trigger's micro-batch on EventBridge Scheduler, in the campaign's zone. */
export function triggerCronExpression(trigger: Trigger): string {
  const m = /^(\d+)(m|h)$/.exec(trigger.every);
  const n = Number(m?.[1] ?? 15);
  return m?.[2] === 'h' ? `cron(0 0/${n} * * ? *)` : `cron(0/${n} * * * ? *)`;
}
