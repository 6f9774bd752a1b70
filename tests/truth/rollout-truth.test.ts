import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RolloutRun, rolloutRun, rolloutShop } from './rollout-run.ts';

// The rollout on the example campaigns/spring-repurchase.yaml (a 20% pilot over two variants, the
// rollout four days later), with the simulated audience: one variant planted with three times the other's
// effect, then A/A (both variants at the same effect) on two seeds, and a 1% pilot too small to read.
// One generated shop of 8,000 customers; about 1,000 pilot recipients.
let shop: string;
let planted: RolloutRun;
const aa: RolloutRun[] = [];
let small: RolloutRun;

beforeAll(async () => {
  shop = await rolloutShop(8_000, 5);
  planted = await rolloutRun(shop, 1, { variantLift: { 'news-first': 3 } });
  for (const seed of [1, 2]) aa.push(await rolloutRun(shop, seed));
  small = await rolloutRun(shop, 3, { pilotShare: 1 });
}, 180_000);
afterAll(async () => {
  await rm(shop, { recursive: true, force: true });
});

describe('rollout on the pilot’s measured response', () => {
  it('picks the variant planted with the higher response, and sends only it, to the customers the pilot did not reach', () => {
    const d = planted.decision;
    expect(d?.outcome).toBe('winner');
    expect(d?.picked).toEqual(['news-first']);
    expect(d?.reason).toMatch(/^news-first .* is above every other variant's interval/);
    const [news, coupon] = ['news-first', 'coupon-first'].map((id) => d?.candidates.find((c) => c.id === id));
    expect(news && coupon && news.low > coupon.high).toBe(true);
    expect(Object.keys(planted.rolloutSent)).toEqual(['news-first']);
    expect(planted.rolloutSent['news-first']).toBeGreaterThan(3 * planted.pilotSent);
    expect(planted.sentTwice).toBe(0);
  });

  it('records the decision per candidate in rollout_decisions', () => {
    expect(
      planted.recorded.map((r) => [r.candidate, r.outcome, r.chosen, r.pilot_wave_id, r.metric]),
    ).toEqual([
      ['coupon-first', 'winner', false, 'pilot', 'conversion-rate'],
      ['news-first', 'winner', true, 'pilot', 'conversion-rate'],
    ]);
    const news = planted.recorded[1];
    const c = planted.decision?.candidates.find((x) => x.id === 'news-first');
    expect([news?.recipients, news?.converted, news?.low, news?.high].map(Number)).toEqual([
      c?.recipients,
      c?.converted,
      c?.low,
      c?.high,
    ]);
  });

  it('shows the decision in campaign status and campaign report', () => {
    expect(planted.status).toEqual(planted.decision);
    expect(planted.reported).toEqual([
      {
        waveId: 'rollout',
        pilotWaveId: 'pilot',
        decidedAt: '2027-03-09T02:00:00.000Z',
        metric: 'conversion-rate',
        outcome: 'winner',
        picked: ['news-first'],
        reason: planted.decision?.reason,
      },
    ]);
  });

  it('A/A: with both variants equally good, says there is no clear winner and sends both', () => {
    for (const r of aa) {
      expect(r.decision?.outcome).toBe('no-clear-winner');
      expect(r.decision?.reason).toMatch(
        /^no clear winner: the intervals overlap .*; sending every variant$/,
      );
      expect(Object.keys(r.rolloutSent).sort()).toEqual(['coupon-first', 'news-first']);
      expect(r.sentTwice).toBe(0);
    }
  });

  it('a pilot too small to read picks nothing and says the size it needs', () => {
    const d = small.decision;
    expect(d?.outcome).toBe('too-small');
    expect(d?.needed).toBeGreaterThan(Math.max(...(d?.candidates ?? []).map((c) => c.recipients)));
    expect(d?.reason).toMatch(
      /^pilot too small to read: variant [a-z-]+ has \d+ recipients at a [\d.]+% pooled conversion rate, expecting [\d.]+ conversions \(at least 10 needed\); reading it takes about \d+ recipients per variant; sending every variant$/,
    );
    expect(Object.keys(small.rolloutSent).sort()).toEqual(['coupon-first', 'news-first']);
  });
});
