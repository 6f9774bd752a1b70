/**
 * Durations as marketers write them in config: a whole number and a unit, "30m", "14h", "5d", "2w".
 * One syntax for wave offsets, frequency-cap windows and attribution windows.
 */
export const DURATION_PATTERN = /^(\d+)(m|h|d|w)$/;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const parsed = new Map<string, number>();

export function parseDuration(text: string): number {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new RangeError(`not a duration like 30m, 14h, 5d or 2w: ${text}`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  parsed.set(text, ms);
  return ms;
}
