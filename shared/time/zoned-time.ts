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
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s));
  return probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d && h < 24 && mi < 60;
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
  const p = localParts(instant, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `zone` shows `local` ("YYYY-MM-DDTHH:mm[:ss]").
 * In a DST gap the result is shifted forward by the gap; in an overlap the earlier instant wins.
 */
export function localToInstant(local: string, zone: string): Date {
  const m = LOCAL_DATE_TIME.exec(local);
  if (!m) throw new RangeError(`not a local date-time (YYYY-MM-DDTHH:mm): ${local}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s);
  const first = wall - zoneOffsetMs(new Date(wall), zone);
  const second = wall - zoneOffsetMs(new Date(first), zone);
  const wanted = local.slice(0, 16);
  const valid = [first, second].filter((t) => instantToLocal(new Date(t), zone) === wanted);
  return new Date(valid.length > 0 ? Math.min(...valid) : Math.max(first, second));
}

/** `instant` as the wall-clock time in `zone`, "YYYY-MM-DDTHH:mm". */
export function instantToLocal(instant: Date, zone: string): string {
  const p = localParts(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}
