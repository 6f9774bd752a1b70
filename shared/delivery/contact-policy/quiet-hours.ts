import type { QuietWindow } from '../../campaign/contact-policy-schema.ts';
import { localParts, localToInstant } from '../../time/zoned-time.ts';

export type QuietDecision = { kind: 'send' } | { kind: 'defer'; until: Date } | { kind: 'suppress' };

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const two = (n: number) => String(n).padStart(2, '0');

/**
 * Quiet hours in the recipient's time zone. A send inside the window is deferred to the window's end;
 * if that is after the wave's send-by deadline, the recipient is suppressed (reason quiet-hours).
 * Windows may cross midnight (21:00–08:00). Never skipped silently: every call gives one decision.
 *
 * Decisions are remembered by zone, window, deadline and minute: a decision holds for a whole minute
 * (window edges are whole minutes of local time, and every zone's offset from UTC has been a whole
 * number of minutes since 1972), and the batches of a wave share a handful of zones, so the send path
 * asks the time-zone database once a minute per zone instead of once per batch.
 */
export function quietHoursDecision(
  at: Date,
  window: QuietWindow | null | undefined,
  zone: string,
  sendBy?: Date,
): QuietDecision {
  if (!window) return SEND;
  const key = `${zone}\t${window.start}-${window.end}\t${Math.floor(at.getTime() / 60_000)}\t${sendBy?.getTime() ?? ''}`;
  let d = remembered.get(key);
  if (!d) {
    d = decideQuietHours(at, window, zone, sendBy);
    if (remembered.size >= REMEMBERED) remembered.clear();
    remembered.set(key, d);
  }
  return d;
}

const SEND: QuietDecision = Object.freeze({ kind: 'send' });
const REMEMBERED = 10_000;
const remembered = new Map<string, QuietDecision>();

/** The decision itself, from the time-zone database (exported for the test of the minute rule). */
export function decideQuietHours(at: Date, window: QuietWindow, zone: string, sendBy?: Date): QuietDecision {
  const p = localParts(at, zone);
  const now = p.hour * 60 + p.minute;
  const [start, end] = [minutesOf(window.start), minutesOf(window.end)];
  const crosses = start > end;
  const inside = crosses ? now >= start || now < end : now >= start && now < end;
  if (!inside) return SEND;
  // The end is today, unless the window crossed midnight and we are in its evening part.
  const day = new Date(Date.UTC(p.year, p.month - 1, p.day + (crosses && now >= start ? 1 : 0)));
  const local = `${day.getUTCFullYear()}-${two(day.getUTCMonth() + 1)}-${two(day.getUTCDate())}T${window.end}`;
  const until = localToInstant(local, zone);
  if (sendBy && until.getTime() > sendBy.getTime()) return Object.freeze({ kind: 'suppress' });
  return Object.freeze({ kind: 'defer', until });
}
