import { describe, expect, it } from 'vitest';
import { allocateBudget } from '../../shared/delivery/contact-policy/budget.ts';

const r = (customerId: string, value: number, cost: number) => ({ customerId, value, cost });

describe('allocateBudget', () => {
  it('serves everyone when the plan fits the budget, or when there is no budget', () => {
    const all = [r('a', 1, 0.05), r('b', 2, 0.1)];
    expect(allocateBudget(all, 0.15)).toEqual({ served: all, overBudget: [], plannedCost: 0.15 });
    expect(allocateBudget(all, undefined).overBudget).toEqual([]);
  });

  it('serves the highest value first and suppresses the rest, never exceeding the budget', () => {
    const split = allocateBudget(
      [r('low', 10, 0.09), r('top', 900, 0.09), r('mid', 300, 0.09), r('mid2', 300, 0.045)],
      0.2,
    );
    // top (0.09) + mid (0.09) = 0.18; mid2 (0.045) would make 0.225 > 0.2; low (0.09) too.
    expect(split.served.map((x) => x.customerId)).toEqual(['top', 'mid']);
    expect(split.overBudget.map((x) => x.customerId)).toEqual(['mid2', 'low']);
    expect(split.plannedCost).toBe(0.18);
  });

  it('lets a cheaper lower-value recipient use what is left', () => {
    const split = allocateBudget([r('a', 3, 0.1), r('b', 2, 0.1), r('c', 1, 0.05)], 0.15);
    expect(split.served.map((x) => x.customerId)).toEqual(['a', 'c']);
  });
});
