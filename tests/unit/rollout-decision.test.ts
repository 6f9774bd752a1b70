import { describe, expect, it } from 'vitest';
import { Rollout } from '../../shared/campaign/campaign-schema.ts';
import { chooseVariant } from '../../shared/delivery/render/choose-variant.ts';
import { decideRollout, type PilotResponse } from '../../shared/delivery/rollout/rollout-decision.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const AT = new Date('2027-03-09T02:00:00Z');
const variants = [
  { id: 'a', split: 50, templates: {} },
  { id: 'b', split: 50, templates: {} },
];
const wave = (rollout: Partial<Rollout> = {}) => ({
  id: 'rollout',
  variants,
  rollout: Rollout.parse({ from: 'pilot', ...rollout }),
});
const pilot = (a: [number, number], b: [number, number]): PilotResponse[] =>
  [a, b].map(([n, x], i) => ({
    variant: i ? 'b' : 'a',
    recipients: n,
    converted: x,
    revenueMean: 0,
    revenueVar: 0,
  }));

describe('the rollout rule', () => {
  it('picks a variant only when its interval lies above every other one', () => {
    const clear = decideRollout({ id: 'c' }, wave(), ['a', 'b'], pilot([1000, 60], [1000, 120]), AT);
    expect([clear.outcome, clear.picked]).toEqual(['winner', ['b']]);
    // 9% against 6%: the difference is significant at 5%, the intervals still overlap — no pick.
    const close = decideRollout({ id: 'c' }, wave(), ['a', 'b'], pilot([1000, 60], [1000, 80]), AT);
    expect([close.outcome, close.picked]).toEqual(['no-clear-winner', ['a', 'b']]);
    const fallback = decideRollout(
      { id: 'c' },
      wave({ otherwise: 'a' }),
      ['a', 'b'],
      pilot([1000, 60], [1000, 80]),
      AT,
    );
    expect([fallback.picked, fallback.reason]).toEqual([['a'], expect.stringMatching(/; sending a$/)]);
  });

  it('reads no pilot too small, nor a variant the pilot queued nobody with, and says what it would take', () => {
    // Pooled 5 of 120: each variant expects 2.5 conversions, not 10; it would take 10 ÷ (5/120) each.
    const tiny = decideRollout({ id: 'c' }, wave(), ['a', 'b'], pilot([60, 2], [60, 3]), AT);
    expect(tiny).toMatchObject({
      outcome: 'too-small',
      picked: ['a', 'b'],
      needed: Math.ceil(10 / (5 / 120)),
    });
    const missing = decideRollout({ id: 'c' }, wave(), ['a', 'b'], pilot([1000, 60], [0, 0]).slice(0, 1), AT);
    expect(missing.outcome).toBe('too-small');
    expect(missing.candidates.map((c) => [c.id, c.recipients])).toEqual([
      ['a', 1000],
      ['b', 0],
    ]);
  });

  it('A/A: two equal variants give a false winner in fewer than 1% of 2,000 pilots', () => {
    let winners = 0;
    for (let seed = 0; seed < 2_000; seed += 1) {
      const u = seededRandom(seed);
      const draw = () => {
        let x = 0;
        for (let i = 0; i < 800; i += 1) if (u() < 0.08) x += 1;
        return [800, x] as [number, number];
      };
      const d = decideRollout({ id: 'c' }, wave(), ['a', 'b'], pilot(draw(), draw()), AT);
      if (d.outcome === 'winner') winners += 1;
    }
    expect(winners / 2_000).toBeLessThan(0.01);
  });

  it('sends only the picked variants, each customer keeping their place', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `c${i}`);
    const all = ids.map((id) => chooseVariant({ id: 'c' }, { variants }, id));
    const onlyB = ids.map((id) => chooseVariant({ id: 'c' }, { variants }, id, ['b']));
    expect(new Set(onlyB)).toEqual(new Set(['b']));
    expect(all.filter((v) => v === 'a').length).toBeGreaterThan(900);
    expect(ids.map((id) => chooseVariant({ id: 'c' }, { variants }, id, ['a', 'b']))).toEqual(all);
  });
});
