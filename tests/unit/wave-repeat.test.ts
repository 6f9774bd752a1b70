import { describe, expect, it } from 'vitest';
import {
  cronExpression,
  firstOccurrence,
  occurrenceAt,
  occurrencesBetween,
  parseRunId,
  type Repeat,
} from '../../shared/campaign/wave-repeat.ts';

const at = (iso: string) => new Date(iso);
const locals = (waveId: string, r: Repeat, zone: string, from: string, to: string) =>
  occurrencesBetween(waveId, r, zone, at(from), at(to)).map((o) => o.local);

describe('recurring wave occurrences', () => {
  const monthly: Repeat = { every: 'month', day: 15, at: '10:00', from: '2026-11-01', until: '2027-03-31' };

  it('fires a monthly wave on its day at its wall-clock time, from its first date to its last', () => {
    expect(locals('m', monthly, 'Asia/Shanghai', '2000-01-01T00:00Z', '2030-01-01T00:00Z')).toEqual([
      '2026-11-15T10:00',
      '2026-12-15T10:00',
      '2027-01-15T10:00',
      '2027-02-15T10:00',
      '2027-03-15T10:00',
    ]);
    // (after, to]: an occurrence exactly at `after` was fired before; one exactly at `to` is due.
    const [o] = occurrencesBetween(
      'm',
      monthly,
      'Asia/Shanghai',
      at('2026-11-15T02:00Z'),
      at('2026-12-15T02:00Z'),
    );
    expect(o).toMatchObject({ runId: 'm@2026-12-15T10:00', start: at('2026-12-15T02:00:00Z') });
  });

  it('fires a weekly wave on its weekday, a daily wave every day, in the campaign zone across DST', () => {
    const weekly: Repeat = { every: 'week', weekday: 'mon', at: '09:00', from: '2027-03-01' };
    expect(locals('w', weekly, 'America/New_York', '2027-03-01T00:00Z', '2027-03-23T00:00Z')).toEqual([
      '2027-03-01T09:00',
      '2027-03-08T09:00',
      '2027-03-15T09:00',
      '2027-03-22T09:00',
    ]);
    // 09:00 in New York is 14:00 UTC before 14 March 2027 and 13:00 UTC after it.
    const starts = occurrencesBetween(
      'w',
      weekly,
      'America/New_York',
      at('2027-03-01T00:00Z'),
      at('2027-03-16T00:00Z'),
    );
    expect(starts.map((o) => o.start.toISOString())).toEqual([
      '2027-03-01T14:00:00.000Z',
      '2027-03-08T14:00:00.000Z',
      '2027-03-15T13:00:00.000Z',
    ]);
    const daily: Repeat = { every: 'day', at: '23:30', from: '2027-01-30', until: '2027-02-01' };
    expect(locals('d', daily, 'Asia/Shanghai', '2027-01-01T00:00Z', '2027-12-01T00:00Z')).toEqual([
      '2027-01-30T23:30',
      '2027-01-31T23:30',
      '2027-02-01T23:30',
    ]);
    expect(firstOccurrence('w', weekly, 'America/New_York')?.local).toBe('2027-03-01T09:00');
    expect(firstOccurrence('w', { ...weekly, from: '2027-03-02' }, 'America/New_York')?.local).toBe(
      '2027-03-08T09:00',
    );
  });

  it('knows a run id for an occurrence of the rule only', () => {
    expect(parseRunId('member-day@2027-01-15T10:00')).toEqual({
      waveId: 'member-day',
      local: '2027-01-15T10:00',
    });
    expect(parseRunId('d11-preheat')).toBeNull();
    expect(occurrenceAt('m', monthly, 'Asia/Shanghai', '2027-01-15T10:00')?.start).toEqual(
      at('2027-01-15T02:00Z'),
    );
    expect(occurrenceAt('m', monthly, 'Asia/Shanghai', '2027-01-16T10:00')).toBeNull(); // not its day
    expect(occurrenceAt('m', monthly, 'Asia/Shanghai', '2027-01-15T11:00')).toBeNull(); // not its time
    expect(occurrenceAt('m', monthly, 'Asia/Shanghai', '2027-04-15T10:00')).toBeNull(); // after its last date
    expect(occurrenceAt('m', monthly, 'Asia/Shanghai', '2026-10-15T10:00')).toBeNull(); // before its first
  });

  it('writes the rule as an EventBridge Scheduler cron expression', () => {
    expect(cronExpression(monthly)).toBe('cron(0 10 15 * ? *)');
    expect(cronExpression({ every: 'week', weekday: 'mon', at: '09:05', from: '2027-01-01' })).toBe(
      'cron(5 9 ? * MON *)',
    );
    expect(cronExpression({ every: 'day', at: '00:00', from: '2027-01-01' })).toBe('cron(0 0 * * ? *)');
  });
});
