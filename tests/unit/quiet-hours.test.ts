import { describe, expect, it } from 'vitest';
import { quietHoursDecision } from '../../shared/delivery/contact-policy/quiet-hours.ts';

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
