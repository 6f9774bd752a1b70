import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../shared/time/duration.ts';
import {
  instantToLocal,
  isLocalDateTime,
  isValidTimeZone,
  localToInstant,
} from '../../shared/time/zoned-time.ts';

describe('local date-times in a zone', () => {
  it('turns Beijing wall-clock time into UTC (UTC+8, no DST)', () => {
    expect(localToInstant('2026-11-11T00:00', 'Asia/Shanghai').toISOString()).toBe(
      '2026-11-10T16:00:00.000Z',
    );
    expect(instantToLocal(new Date('2026-11-10T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-11T00:00');
  });

  it('follows daylight saving time where the zone has it', () => {
    expect(localToInstant('2026-07-01T09:00', 'America/Los_Angeles').toISOString()).toBe(
      '2026-07-01T16:00:00.000Z',
    );
    expect(localToInstant('2026-12-01T09:00', 'America/Los_Angeles').toISOString()).toBe(
      '2026-12-01T17:00:00.000Z',
    );
    // 02:30 does not exist on 2026-03-08 in Los Angeles: shifted forward by the gap.
    expect(
      instantToLocal(localToInstant('2026-03-08T02:30', 'America/Los_Angeles'), 'America/Los_Angeles'),
    ).toBe('2026-03-08T03:30');
  });

  it('refuses impossible wall-clock times instead of rolling them over', () => {
    const refused: [string, RegExp][] = [
      ['2025-13-45T99:00', /month 13 does not exist/],
      ['2025-02-30T10:00', /day 30 does not exist: February 2025 has 28 days/],
      ['2025-03-01T25:00', /hour 25 does not exist/],
      ['2025-03-01T24:00', /hour 24 does not exist \(midnight is 00:00 of the next day\)/],
      ['2025-03-01T10:61', /minute 61 does not exist/],
      ['2025-03-01T10:00:60', /second 60 does not exist/],
      ['0000-03-01T10:00', /year 0 does not exist/],
    ];
    for (const [local, reason] of refused) {
      expect(() => localToInstant(local, 'Asia/Shanghai'), local).toThrow(reason);
      expect(isLocalDateTime(local), local).toBe(false);
    }
    expect(localToInstant('2024-02-29T10:00', 'Asia/Shanghai').toISOString()).toBe(
      '2024-02-29T02:00:00.000Z',
    );
    // Years below 100 are those years, not 19xx.
    expect(localToInstant('0025-06-01T12:00', 'UTC').toISOString()).toBe('0025-06-01T12:00:00.000Z');
  });

  it('rejects what is not a date-time or a zone', () => {
    expect(isLocalDateTime('2026-02-30T10:00')).toBe(false);
    expect(isLocalDateTime('2026-11-11 10:00')).toBe(false);
    expect(isLocalDateTime('2026-11-11T10:00')).toBe(true);
    expect(isValidTimeZone('Asia/Beijing')).toBe(false);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
  });
});

describe('parseDuration', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('14h')).toBe(50_400_000);
    expect(parseDuration('5d')).toBe(432_000_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    expect(() => parseDuration('5 days')).toThrow(/not a duration/);
  });
});
