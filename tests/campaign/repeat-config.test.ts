import { describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { ConfigError, formatProblem } from '../../shared/errors.ts';

function problems(text: string): string[] {
  try {
    parseConfigText(Campaign, text, 'test.yaml');
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
}

/** A campaign whose first wave has the given schedule lines (indented under the wave), line 10 on. */
const campaign = (schedule: string, more = '') => `id: t1
name: Test
channels:
  sms: { signature: 【小店】, optOutText: 回T退订 }
segments:
  buyers: { where: { recency: { days: { max: 365 } } } }
waves:
  - id: member-day
    audience: { segment: buyers }
    channel: sms
${schedule}
    templates: { sms: "{{ signature }}会员日 {{ optOut }}" }
${more}`;

describe('recurring waves in the campaign config', () => {
  it('accepts a monthly, weekly and daily rule', () => {
    expect(
      problems(campaign('    repeat: { every: month, day: 15, at: "10:00", from: "2027-01-01" }')),
    ).toEqual([]);
    expect(
      problems(
        campaign(
          '    repeat: { every: week, weekday: mon, at: "09:00", from: "2027-01-01", until: "2027-06-30" }\n    sendBy: 6h',
        ),
      ),
    ).toEqual([]);
    expect(problems(campaign('    repeat: { every: day, at: "20:00", from: "2027-01-01" }'))).toEqual([]);
  });

  it('names what a rule lacks or has too much of, at its line and column', () => {
    expect(problems(campaign('    repeat: { every: month, at: "10:00", from: "2027-01-01" }'))).toEqual([
      'test.yaml:11:13 waves[0].repeat.day: required: the day of the month (1–28) a monthly wave runs on',
    ]);
    expect(
      problems(campaign('    repeat: { every: month, day: 31, at: "10:00", from: "2027-01-01" }')),
    ).toEqual([
      'test.yaml:11:34 waves[0].repeat.day: expected a day of the month from 1 to 28 (every month has it)',
    ]);
    expect(
      problems(campaign('    repeat: { every: week, day: 3, at: "10:00", from: "2027-01-01" }')),
    ).toEqual([
      'test.yaml:11:13 waves[0].repeat.weekday: required: the weekday (mon … sun) a weekly wave runs on',
      'test.yaml:11:33 waves[0].repeat.day: only a monthly wave has a day of the month (this one repeats every week)',
    ]);
    expect(problems(campaign('    repeat: { every: fortnight, at: "25:00", from: "2027-02-30" }'))).toEqual([
      'test.yaml:11:22 waves[0].repeat.every: expected one of day, week, month',
      'test.yaml:11:37 waves[0].repeat.at: expected a time of day HH:mm, e.g. 21:00',
      'test.yaml:11:52 waves[0].repeat.from: expected a date YYYY-MM-DD, e.g. 2027-01-01',
    ]);
    expect(
      problems(
        campaign(
          '    repeat: { every: day, at: "10:00", from: "2027-03-01", until: "2027-02-01" }\n    sendBy: "2027-03-01T20:00"',
        ),
      ),
    ).toEqual([
      'test.yaml:11:67 waves[0].repeat.until: the last date must not be before the first (2027-03-01)',
      'test.yaml:12:13 waves[0].sendBy: a recurring wave’s deadline is a duration after each run, e.g. 6h',
    ]);
  });

  it('wants start or repeat, not both, and no wave offset from a recurring one', () => {
    expect(problems(campaign(''))).toEqual([
      'test.yaml:8:5 waves[0].start: required: a local date-time, { after, offset }, `repeat:` for a recurring wave or `trigger:` for a triggered one',
    ]);
    expect(
      problems(
        campaign(
          '    start: "2027-01-01T10:00"\n    repeat: { every: day, at: "10:00", from: "2027-01-01" }',
        ),
      ),
    ).toEqual([
      'test.yaml:12:13 waves[0].repeat: a wave has one of `start`, `repeat` or `trigger`, not start and repeat',
    ]);
    const after = `  - id: next
    start: { after: member-day, offset: 1d }
    audience: { segment: buyers }
    channel: sms
    templates: { sms: "{{ signature }}下一波 {{ optOut }}" }`;
    expect(problems(campaign('    repeat: { every: day, at: "10:00", from: "2027-01-01" }', after))).toEqual([
      'test.yaml:14:21 waves[1].start.after: wave "member-day" runs more than once (repeat or trigger): a wave cannot start after one of its runs',
    ]);
  });

  it('checks a trigger: a known event, a tick length both engines run, one way to start', () => {
    expect(problems(campaign('    trigger: { on: order-unpaid, after: 2h, from: "2027-01-01" }'))).toEqual(
      [],
    );
    expect(
      problems(campaign('    trigger: { on: order-paid, after: 2h, every: 7m, from: "2027-01-01" }')),
    ).toEqual([
      'test.yaml:11:20 waves[0].trigger.on: expected one of order-created, order-unpaid, order-shipped, order-delivered, click',
      'test.yaml:11:50 waves[0].trigger.every: expected minutes that divide an hour (5m, 10m, 15m, 20m, 30m, 60m) or hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h)',
    ]);
    expect(
      problems(
        campaign(
          '    repeat: { every: day, at: "10:00", from: "2027-01-01" }\n    trigger: { on: click, after: 1d, from: "2027-01-01" }',
        ),
      ),
    ).toEqual([
      'test.yaml:12:14 waves[0].trigger: a wave has one of `start`, `repeat` or `trigger`, not repeat and trigger',
    ]);
  });
});
