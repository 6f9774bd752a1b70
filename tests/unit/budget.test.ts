import { describe, expect, it } from 'vitest';
import { BudgetMeter } from '../../shared/delivery/contact-policy/budget.ts';

/** Feeds recipients (already highest value first, as the audience query orders them) through a meter. */
function split(costs: [string, number][], budget?: number, max?: number) {
  const meter = new BudgetMeter(budget, max);
  const served = costs.filter(([, cost]) => meter.admit(cost)).map(([id]) => id);
  return { served, spent: meter.spent, limited: meter.limited };
}

describe('BudgetMeter', () => {
  it('serves everyone when there is no limit, or the plan fits', () => {
    expect(
      split([
        ['a', 0.05],
        ['b', 0.1],
      ]),
    ).toEqual({ served: ['a', 'b'], spent: 0.15, limited: false });
    expect(
      split(
        [
          ['a', 0.05],
          ['b', 0.1],
        ],
        0.15,
      ).served,
    ).toEqual(['a', 'b']);
  });

  it('serves in order while the budget lasts, never exceeding it (whole cents, no float drift)', () => {
    // 0.07 × 3 = 0.21000000000000002 in floating point; in cents it is exactly 21.
    expect(
      split(
        [
          ['a', 0.07],
          ['b', 0.07],
          ['c', 0.07],
          ['d', 0.07],
        ],
        0.21,
      ),
    ).toMatchObject({ served: ['a', 'b', 'c'], spent: 0.21 });
  });

  it('lets a cheaper recipient further down use what is left', () => {
    expect(
      split(
        [
          ['a', 0.1],
          ['b', 0.1],
          ['c', 0.05],
        ],
        0.15,
      ).served,
    ).toEqual(['a', 'c']);
  });

  it('caps the number of recipients (limits.maxRecipients)', () => {
    expect(
      split(
        [
          ['a', 0],
          ['b', 0],
          ['c', 0],
        ],
        undefined,
        2,
      ),
    ).toEqual({ served: ['a', 'b'], spent: 0, limited: true });
  });
});
