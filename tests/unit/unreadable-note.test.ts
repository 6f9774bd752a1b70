import { describe, expect, it } from 'vitest';
import { unreadable } from '../../shared/responses/campaign-report.ts';
import { liftNote } from '../../shared/responses/report-format.ts';

const group = (customers: number, converted: number) => ({
  customers,
  converted,
  rate: converted / customers,
  revenuePerCustomer: 0,
});
const note = (t: ReturnType<typeof group>, h: ReturnType<typeof group>, locale: 'en' | 'zh-CN' = 'en') =>
  liftNote({ unread: unreadable(t, h), readable: false, minimumDetectable: null }, locale);

describe('the note of a comparison too small to read', () => {
  it('names the smaller group, its expected conversions and the size that would read', () => {
    // Pooled 93 / 11,190 = 0.831%: 1,190 holdout customers expect 9.9; 10 ÷ 0.00831 = 1,203.2 → 1,204 each.
    expect(note(group(10_000, 83), group(1_190, 10))).toBe(
      'holdout too small to read: 1,190 customers at a 0.8% conversion rate expect 9.9 conversions; reading it takes about 1,204 customers in each group',
    );
    expect(note(group(10_000, 83), group(1_190, 10), 'zh-CN')).toBe(
      '对照组只有 1,190 人，按 0.8% 的转化率预计只有 9.9 次转化，太少，无法判断；每组约需 1,204 人',
    );
  });

  it('at a high rate, counts the customers who did not convert (the rarer outcome)', () => {
    // Pooled 53 / 57 = 93.0%: 3 × 7.0% = 0.2 non-conversions; 10 ÷ 0.0702 = 142.5 → 143.
    expect(note(group(54, 50), group(3, 3))).toBe(
      'holdout too small to read: 3 customers at a 93.0% conversion rate expect 0.2 customers who did not convert; reading it takes about 143 customers in each group',
    );
  });

  it('says there is nothing to read when everyone or no one converted, and adds what groups this size could detect', () => {
    expect(note(group(54, 54), group(3, 3))).toBe(
      'every customer of both groups converted: there is no difference to read',
    );
    expect(
      liftNote(
        { unread: unreadable(group(54, 0), group(3, 0)), readable: false, minimumDetectable: 12 },
        'en',
      ),
    ).toBe(
      'no conversions in either group yet; the smallest effect groups this size could detect is about 12 conversions (5% significance, 80% power)',
    );
    expect(note(group(5, 1), { customers: 0, converted: 0, rate: 0, revenuePerCustomer: 0 })).toBe(
      'no holdout to compare with',
    );
  });
});
