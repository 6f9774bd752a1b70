import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideQuietHours, quietHoursDecision } from '../../shared/delivery/contact-policy/quiet-hours.ts';

const SMS_NIGHT = { start: '21:00', end: '08:00' };
const at = (iso: string) => new Date(iso);

describe('quietHoursDecision', () => {
  it('sends outside the window and defers inside it to the window’s end, in the recipient’s zone', () => {
    // 2026-11-11 10:00 Shanghai (02:00Z): outside.
    expect(quietHoursDecision(at('2026-11-11T02:00:00Z'), SMS_NIGHT, 'Asia/Shanghai')).toEqual({
      kind: 'send',
    });
    // 00:00 Shanghai on 11.11: deferred to 08:00 the same day.
    expect(quietHoursDecision(at('2026-11-10T16:00:00Z'), SMS_NIGHT, 'Asia/Shanghai')).toEqual({
      kind: 'defer',
      until: at('2026-11-11T00:00:00Z'),
    });
    // 22:30 Shanghai on 11.11: deferred to 08:00 the next day.
    expect(quietHoursDecision(at('2026-11-11T14:30:00Z'), SMS_NIGHT, 'Asia/Shanghai')).toEqual({
      kind: 'defer',
      until: at('2026-11-12T00:00:00Z'),
    });
    // The same instant is 06:30 in London: inside the window there, deferred to 08:00 London.
    expect(quietHoursDecision(at('2026-11-11T06:30:00Z'), SMS_NIGHT, 'Europe/London')).toEqual({
      kind: 'defer',
      until: at('2026-11-11T08:00:00Z'),
    });
  });

  it('suppresses when the window ends after the send-by deadline', () => {
    const sendBy = at('2026-11-10T23:00:00Z'); // 07:00 Shanghai
    expect(quietHoursDecision(at('2026-11-10T16:00:00Z'), SMS_NIGHT, 'Asia/Shanghai', sendBy)).toEqual({
      kind: 'suppress',
    });
    expect(
      quietHoursDecision(at('2026-11-10T16:00:00Z'), SMS_NIGHT, 'Asia/Shanghai', at('2026-11-11T04:00:00Z')),
    ).toEqual({
      kind: 'defer',
      until: at('2026-11-11T00:00:00Z'),
    });
  });

  it('handles windows within one day and no window at all', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(quietHoursDecision(at('2026-11-11T05:00:00Z'), lunch, 'Asia/Shanghai')).toEqual({
      kind: 'defer',
      until: at('2026-11-11T06:00:00Z'),
    });
    expect(quietHoursDecision(at('2026-11-11T07:00:00Z'), lunch, 'Asia/Shanghai')).toEqual({ kind: 'send' });
    expect(quietHoursDecision(at('2026-11-10T16:00:00Z'), null, 'Asia/Shanghai')).toEqual({ kind: 'send' });
  });

  it('ends the window at the right instant across a daylight-saving change', () => {
    // Night of 2026-03-07/08 in Los Angeles: clocks go forward at 02:00; 08:00 PDT is 15:00Z.
    expect(quietHoursDecision(at('2026-03-08T06:00:00Z'), SMS_NIGHT, 'America/Los_Angeles')).toEqual({
      kind: 'defer',
      until: at('2026-03-08T15:00:00Z'),
    });
  });
});

describe('the minute rule behind remembering decisions', () => {
  const ZONES = [
    'Asia/Shanghai',
    'Europe/London',
    'America/New_York',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Adelaide',
    'Pacific/Chatham',
  ];
  it('remembers a decision for its minute only: the next minute may decide otherwise', () => {
    const sendBy = at('2026-11-12T04:00:00Z');
    const late = { start: '21:30', end: '08:00' };
    // 21:29:30 and 21:30:00 in Shanghai: the last minute before the window, then its first.
    expect(quietHoursDecision(at('2026-11-11T13:29:30Z'), late, 'Asia/Shanghai', sendBy)).toEqual({
      kind: 'send',
    });
    expect(quietHoursDecision(at('2026-11-11T13:30:00Z'), late, 'Asia/Shanghai', sendBy)).toEqual({
      kind: 'defer',
      until: at('2026-11-12T00:00:00Z'),
    });
  });

  it('a decision holds for the whole minute, in any zone (half-hour and 45-minute offsets, DST changes)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2028-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 59_999 }),
        fc.constantFrom(SMS_NIGHT, { start: '12:15', end: '13:45' }, { start: '23:59', end: '00:01' }),
        (zone, day, offset, window) => {
          const minute = Math.floor(day.getTime() / 60_000) * 60_000;
          const sendBy = new Date(minute + 9 * 3_600_000);
          const first = decideQuietHours(new Date(minute), window, zone, sendBy);
          expect(decideQuietHours(new Date(minute + offset), window, zone, sendBy)).toEqual(first);
          expect(quietHoursDecision(new Date(minute + offset), window, zone, sendBy)).toEqual(first);
        },
      ),
      { numRuns: 500 },
    );
  });
});
