import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GroupRolloutRun, groupRolloutRun } from './group-rollout-run.ts';
import { rolloutShop } from './rollout-run.ts';

// The grouped rollout on the example campaigns/spring-groups.yaml through `campaign run` (DuckDB, local
// delivery, simulated audience) on one generated shop of 12,000 customers, with a 60% pilot and a 30%
// holdout so that both groups' holdouts can be read. The groups differ in base rate: `frequent` (2+ orders
// in the last year) buys about 20% in the four days, `occasional` about 1%, messaged or not.
// Planted: the message works only in `occasional` (true lift 3 there, none in `frequent`).
// A/A: the message works nowhere (true lift 1).
let shop: string;
let planted: GroupRolloutRun;
let aa: GroupRolloutRun;
const sizes = { holdoutPercent: 30, pilotShare: 60 };

beforeAll(async () => {
  shop = await rolloutShop(12_000, 5);
  planted = await groupRolloutRun(shop, 1, { ...sizes, trueLift: 1, segmentLift: { occasional: 3 } });
  aa = await groupRolloutRun(shop, 1, { ...sizes, trueLift: 1 });
}, 240_000);
afterAll(async () => {
  await rm(shop, { recursive: true, force: true });
});

/** A candidate's raw treated rate: what a rule comparing groups' response rates would compare. */
const rawRate = (run: GroupRolloutRun, id: string) => {
  const c = run.decision?.candidates.find((x) => x.id === id);
  return c ? c.converted / c.recipients : Number.NaN;
};

describe('rollout to the groups where the pilot added response', () => {
  it('picks the group the message works in, though the other group buys far more anyway', () => {
    const d = planted.decision;
    expect([d?.pick, d?.outcome, d?.picked]).toEqual(['group', 'winner', ['occasional']]);
    const occasional = d?.candidates.find((c) => c.id === 'occasional');
    expect(occasional?.low).toBeGreaterThan(0);
    expect(d?.candidates.find((c) => c.id === 'frequent')?.low).toBeLessThanOrEqual(0);
    // Comparing raw rates would have picked `frequent`, where the message did nothing.
    expect(rawRate(planted, 'frequent')).toBeGreaterThan(5 * rawRate(planted, 'occasional'));
    expect(d?.reason).toMatch(
      /^lift above zero \(z above 2\.24\) in occasional \+\d+\.\d pts \[\+\d+\.\d, \+\d+\.\d\], z \d\.\d\d \(treated /,
    );
    expect(d?.reason).toMatch(/: sending to occasional$/);
  });

  it('sends the rollout only to the picked group, not to the pilot’s recipients, recording each one’s group', () => {
    expect(Object.keys(planted.sent.pilot)).toEqual(['frequent', 'occasional']);
    expect(Object.keys(planted.sent.rollout)).toEqual(['occasional']);
    expect(planted.rolloutSegments).toEqual(['occasional']);
    expect(planted.sent.rollout.occasional).toBeGreaterThan(1_000);
    expect(planted.sentTwice).toBe(0);
    // segment_response reports per group, with no new column.
    expect(planted.segmentResponse).toEqual({
      frequent: planted.sent.pilot.frequent,
      occasional: (planted.sent.pilot.occasional ?? 0) + (planted.sent.rollout.occasional ?? 0),
    });
  });

  it('records one rollout_decisions row per group, with its holdout', () => {
    expect(planted.recorded.map((r) => [r.candidate, r.pick, r.outcome, r.chosen])).toEqual([
      ['frequent', 'group', 'winner', false],
      ['occasional', 'group', 'winner', true],
    ]);
    const row = planted.recorded[1];
    const c = planted.decision?.candidates[1];
    expect(
      [row?.recipients, row?.converted, row?.holdout_recipients, row?.holdout_converted, row?.low].map(
        Number,
      ),
    ).toEqual([c?.recipients, c?.converted, c?.holdout?.customers, c?.holdout?.converted, c?.low]);
    expect(String(row?.rule)).toMatch(/^pick every group whose lift/);
  });

  it('A/A: picks no group and sends `otherwise` (every group), where raw rates would pick the high-base group', () => {
    const d = aa.decision;
    expect([d?.outcome, d?.picked]).toEqual(['no-clear-winner', ['frequent', 'occasional']]);
    expect(d?.candidates.every((c) => c.low <= 0 && c.high >= 0)).toBe(true);
    expect(d?.reason).toMatch(
      /^no group's lift is shown above zero \(z above 2\.24: .*\); sending to every group$/,
    );
    // The trap: `frequent` converts many times more often than `occasional` with no effect of the message.
    expect(rawRate(aa, 'frequent')).toBeGreaterThan(5 * rawRate(aa, 'occasional'));
    expect(Object.keys(aa.sent.rollout)).toEqual(['frequent', 'occasional']);
  });
});
