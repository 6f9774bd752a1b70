import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatWait, runCampaign } from '../../cli/run-campaign.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { ManualClock, realTimeline } from '../../shared/clock.ts';
import { loadShopPolicy, sampleShop } from '../helpers/delivery-harness.ts';

describe('campaign run --real-time', () => {
  it('waits on the wall clock for each wave’s start, in slices, then runs it; nothing jumps the clock', async () => {
    const shop = await sampleShop(2_000);
    const dataDir = await mkdtemp(join(tmpdir(), 'real-time-'));
    await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
    const campaign = await loadConfigFile(Campaign, 'campaigns/double-11.yaml');
    // The wall clock reads 2026-10-25 00:00 in Shanghai: ten hours before the pre-heat (10:00).
    const wall = new ManualClock(new Date('2026-10-24T16:00:00Z'));
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      wall.set(new Date(wall.now().getTime() + ms));
    };
    const lines: string[] = [];
    const statuses = await runCampaign(campaign, await loadShopPolicy(), {
      dataDir,
      waveIds: ['d11-preheat', 'd11-cashback'],
      log: (l) => lines.push(l),
      timeline: () => realTimeline(wall, sleep),
    });
    expect(lines[0]).toBe('… 2026-10-25 10:00  d11-preheat: waiting 10 h 0 min for its start (real time)');
    expect(lines.some((l) => /^… 2026-11-11 00:00 {2}d11-cashback: waiting 16 d 14 h/.test(l))).toBe(true);
    // Never a sleep longer than a minute: a long wait rechecks the clock.
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(60_000);
    const slept = sleeps.reduce((a, b) => a + b, 0);
    const cashbackStart = Date.parse('2026-11-10T16:00:00Z');
    expect(wall.now().getTime()).toBeGreaterThanOrEqual(cashbackStart);
    expect(slept).toBeGreaterThanOrEqual(cashbackStart - Date.parse('2026-10-24T16:00:00Z'));
    for (const s of statuses.filter((x) => x.waveId === 'd11-preheat' || x.waveId === 'd11-cashback')) {
      expect(s.state).toBe('drained');
      expect(s.reconciles).toBe(true);
    }
  });

  it('says how long a wait is', () => {
    expect(formatWait(42_000)).toBe('42 s');
    expect(formatWait(5 * 60_000 + 3_000)).toBe('5 min 3 s');
    expect(formatWait(3 * 3_600_000 + 12 * 60_000)).toBe('3 h 12 min');
    expect(formatWait(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });
});
