import { describe, expect, it } from 'vitest';
import { tooSmall } from '../../shared/responses/campaign-report.ts';

const group = (customers: number, converted: number) => ({
  customers,
  converted,
  rate: converted / customers,
  revenuePerCustomer: 0,
});

describe('the note of a comparison too small to read', () => {
  it('names the smaller group, its expected conversions and the size that would read', () => {
    // Pooled 93 / 11,190 = 0.831%: 1,190 holdout customers expect 9.9; 10 ÷ 0.00831 = 1,203.2 → 1,204 each.
    expect(tooSmall(group(10_000, 83), group(1_190, 10))).toBe(
      'holdout too small to read: 1190 customers at a 0.8% conversion rate expect 9.9 conversions; reading it takes about 1204 customers in each group',
    );
  });

  it('at a high rate, counts the customers who did not convert (the rarer outcome)', () => {
    expect(tooSmall(group(54, 50), group(3, 3))).toBe(
      // Pooled 53 / 57 = 93.0%: 3 × 7.0% = 0.2 non-conversions; 10 ÷ 0.0702 = 142.5 → 143.
      'holdout too small to read: 3 customers at a 93.0% conversion rate expect 0.2 customers who did not convert; reading it takes about 143 customers in each group',
    );
  });

  it('says there is nothing to read when everyone or no one converted', () => {
    expect(tooSmall(group(54, 54), group(3, 3))).toBe(
      'every customer of both groups converted: there is no difference to read',
    );
    expect(tooSmall(group(54, 0), group(3, 0))).toBe('no conversions in either group yet');
    expect(tooSmall(group(5, 1), group(0, 0))).toBe('no holdout to compare with');
  });
});
