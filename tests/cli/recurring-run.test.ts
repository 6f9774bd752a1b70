import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignCli, copyOfLake, type WaveStatus as Status } from '../helpers/campaign-cli.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

const campaign = campaignCli;

let shop: string;
const dataDirWithShop = () => copyOfLake(shop, 'recurring');
/** The customers each occurrence's messages went to, from the outbox (send id campaign/run/customer). */
const reachedBy = (dataDir: string) => {
  const by = new Map<string, Set<string>>();
  for (const line of readFileSync(join(dataDir, 'outbox', 'sms.jsonl'), 'utf8')
    .trim()
    .split('\n')) {
    const [, run = '', customer = ''] = (JSON.parse(line) as { sendId: string }).sendId.split('/');
    by.set(run, (by.get(run) ?? new Set()).add(customer));
  }
  return by;
};
const overlap = (a = new Set<string>(), b = new Set<string>()) => [...a].filter((x) => b.has(x)).length;
const MONTHS = ['2026-12-15', '2027-01-15', '2027-02-15', '2027-03-15', '2027-04-15'];

beforeAll(async () => {
  shop = await sampleShop(2_000);
});

describe('a recurring wave run locally', () => {
  it('fires every occurrence up to the clock as its own wave run, each reconciled; a second run sends nothing', async () => {
    const dataDir = await dataDirWithShop();
    const args = [
      'run',
      'tests/fixtures/member-day-monthly.yaml',
      '--until',
      '2027-04-30T23:59',
      '--data-dir',
      dataDir,
    ];
    const first = campaign(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const day of MONTHS)
      expect(first.stdout).toMatch(new RegExp(`✔ ${day} 10:00 {2}member-day@${day}T10:00: audience \\d+`));
    expect(first.stdout).not.toMatch(/2027-05-15/);
    const reached = reachedBy(dataDir);
    const messages = [...reached.values()].reduce((n, s) => n + s.size, 0);

    const status = campaign([
      'status',
      'tests/fixtures/member-day-monthly.yaml',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(status.code).toBe(0);
    const runs = JSON.parse(status.stdout) as Status[];
    expect(runs.map((r) => r.waveId)).toEqual(MONTHS.map((d) => `member-day@${d}T10:00`));
    for (const r of runs) {
      expect(r.reconciles).toBe(true);
      const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
      expect(r.audience).toBe(total(r.sent) + total(r.suppressed) + total(r.failed));
      // The campaign's 27-day window lets every month reach its members again (28 days at the least).
      expect(r.suppressed.cap ?? 0).toBe(0);
      expect(r.sent.sms).toBe(reached.get(r.waveId)?.size);
    }
    // The same members, month after month: one message per occurrence, never two in one.
    expect(
      overlap(reached.get(`member-day@2027-02-15T10:00`), reached.get(`member-day@2027-03-15T10:00`)),
    ).toBeGreaterThan(100);
    const table = campaign(['status', 'member-day', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(
      /✔ member-day@2027-03-15T10:00: audience \d+ = \d+ sent \+ \d+ suppressed \+ 0 failed/,
    );

    // The report has a row per run, under the wave's name, at the run's start.
    const report = JSON.parse(
      campaign(['report', 'tests/fixtures/member-day-monthly.yaml', '--data-dir', dataDir, '--json']).stdout,
    ) as {
      waves: { waveId: string; name: string | null; start: string | null; segment: string }[];
    };
    expect(report.waves.map((w) => [w.waveId, w.name, w.start, w.segment])).toEqual(
      MONTHS.map((d) => [`member-day@${d}T10:00`, '每月15日会员日', `${d}T02:00:00.000Z`, 'members']),
    );

    // A segment naming the recurring wave names every run of it: after four months, every reachable
    // member was reached (treated or held out) by one of them.
    const after = join(await mkdtemp(join(tmpdir(), 'recurring-campaign-')), 'after.yaml');
    writeFileSync(
      after,
      readFileSync('tests/fixtures/member-day-monthly.yaml', 'utf8')
        .replace('id: member-day\n', 'id: after-member-day\n')
        .replace(/ {4}repeat: .*\n/, '    start: "2027-05-01T10:00"\n')
        .replace(
          '        - recency: { days: { max: 730 } }\n',
          '        - recency: { days: { max: 730 } }\n        - notReachedBy: { campaign: member-day, waves: [member-day] }\n',
        ),
    );
    const preview = JSON.parse(campaign(['preview', after, '--data-dir', dataDir, '--json']).stdout) as {
      waves: { funnel: { segment: number; reachable: number } }[];
    };
    expect(preview.waves[0]?.funnel.segment).toBeGreaterThan(0);
    expect(preview.waves[0]?.funnel.reachable).toBe(0);

    const again = campaign(args);
    expect(again.code).toBe(0);
    for (const day of MONTHS)
      expect(again.stdout).toMatch(new RegExp(`member-day@${day}T10:00: already run .*nothing sent again`));
    const afterAgain = reachedBy(dataDir);
    expect([...afterAgain.values()].reduce((n, s) => n + s.size, 0)).toBe(messages);

    // A later clock fires only the occurrences that have come due since.
    const later = campaign([
      'run',
      'tests/fixtures/member-day-monthly.yaml',
      '--until',
      '2027-05-15T10:00',
      '--data-dir',
      dataDir,
    ]);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(/✔ 2027-05-15 10:00 {2}member-day@2027-05-15T10:00: audience \d+/);
    expect(later.stdout.match(/✔ \d{4}-/g)).toHaveLength(1);
  }, 120_000);

  it('under a 30-day cap, a month of 28 days caps the members the last occurrence reached, and validate says so', async () => {
    const dataDir = await dataDirWithShop();
    const dir = await mkdtemp(join(tmpdir(), 'recurring-campaign-'));
    const file = join(dir, 'member-day.yaml');
    const text = readFileSync('tests/fixtures/member-day-monthly.yaml', 'utf8');
    // Without the campaign's own 27-day window: the shop default, 1 marketing message per 30 days.
    writeFileSync(file, text.replace(/\ncontactPolicy:\n {2}caps:\n.*\n/, '\n'));
    const validate = campaign(['validate', file, '--data-dir', dataDir]);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toContain(
      `${file}:27:22 waves[0].repeat.every: occurrences can be 28 day(s) apart, but cap marketing-monthly allows 1 per 30d: customers one occurrence reaches are capped at the next (e.g. 15 Feb → 15 Mar)`,
    );
    expect(campaign(['validate', file, '--data-dir', dataDir, '--strict']).code).toBe(1);

    const run = campaign(['run', file, '--until', '2027-03-31T23:59', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const runs = JSON.parse(campaign(['status', file, '--data-dir', dataDir, '--json']).stdout) as Status[];
    const march = runs.find((r) => r.waveId === 'member-day@2027-03-15T10:00');
    expect(march?.reconciles).toBe(true);
    expect(march?.suppressed.cap).toBeGreaterThan(100);
    const reached = reachedBy(dataDir);
    // 15 Jan → 15 Feb is 31 days: reached again; 15 Feb → 15 Mar is 28: capped, nobody reached twice.
    expect(
      overlap(reached.get('member-day@2027-01-15T10:00'), reached.get('member-day@2027-02-15T10:00')),
    ).toBeGreaterThan(100);
    expect(
      overlap(reached.get('member-day@2027-02-15T10:00'), reached.get('member-day@2027-03-15T10:00')),
    ).toBe(0);
  }, 120_000);

  it('asks for --until when a recurring wave has no last date', async () => {
    const dataDir = await dataDirWithShop();
    const dir = await mkdtemp(join(tmpdir(), 'recurring-campaign-'));
    const file = join(dir, 'member-day.yaml');
    writeFileSync(
      file,
      readFileSync('tests/fixtures/member-day-monthly.yaml', 'utf8').replace(/, until: "[\d-]+"/, ''),
    );
    const r = campaign(['run', file, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'wave member-day of member-day repeats with no last date (repeat.until): run it with --until YYYY-MM-DDTHH:mm',
    );
  });
});
