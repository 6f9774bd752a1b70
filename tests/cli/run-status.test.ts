import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignCli as campaign, copyOfLake, type WaveStatus } from '../helpers/campaign-cli.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

let dataDir: string;
beforeAll(async () => {
  const shop = await sampleShop(2_000);
  dataDir = await copyOfLake(shop, 'run');
});

describe('campaign run and campaign status', () => {
  const runD11 = () =>
    campaign(['run', 'campaigns/double-11.yaml', '--until', '2026-11-11T23:59', '--data-dir', dataDir]);
  it('runs the waves to the outbox, says every drained wave reconciles, and a second run sends nothing', () => {
    const first = runD11();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✔ 2026-10-25 10:00 {2}d11-preheat: audience \d+/);
    expect(first.stdout).toMatch(/✔ d11-afternoon: audience (\d+) = \d+ sent \+ \d+ suppressed \+ 0 failed/);
    expect(first.stdout).not.toMatch(/d11-unpaid: audience/); // after --until
    const smsLines = readFileSync(join(dataDir, 'outbox', 'sms.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(existsSync(join(dataDir, 'outbox', 'email', 'index.jsonl'))).toBe(true);

    const again = runD11();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/d11-preheat: already run .*nothing sent again/);
    expect(
      readFileSync(join(dataDir, 'outbox', 'sms.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(smsLines.length);

    const status = campaign(['status', 'double-11-2026', '--data-dir', dataDir, '--json']);
    expect(status.code).toBe(0);
    const waves = JSON.parse(status.stdout) as WaveStatus[];
    expect(waves.map((w) => w.waveId)).toEqual(['d11-preheat', 'd11-cashback', 'd11-afternoon']);
    expect(waves.every((w) => w.reconciles)).toBe(true);
    expect(waves.reduce((n, w) => n + (w.sent.sms ?? 0), 0)).toBe(smsLines.length);

    const table = campaign(['status', 'campaigns/double-11.yaml', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/d11-unpaid +not-run/);
    expect(table.stdout).toMatch(/✔ d11-cashback: audience \d+ = /);
  });

  it('names what is wrong: an unknown campaign id, a bad --until', () => {
    const unknown = campaign(['status', 'no-such-campaign', '--data-dir', dataDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /no file no-such-campaign, and no wave of a campaign with that id has run/,
    );
    const until = campaign(['run', 'campaigns/double-11.yaml', '--until', 'tomorrow', '--data-dir', dataDir]);
    expect(until.code).toBe(1);
    expect(until.stderr).toMatch(/--until expects YYYY-MM-DDTHH:mm, got "tomorrow"/);
  });
});
