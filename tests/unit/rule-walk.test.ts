import { describe, expect, it } from 'vitest';
import { readsMessageHistory } from '../../shared/segment/rule-walk.ts';
import type { Rule } from '../../shared/segment/segment-schema.ts';

describe('readsMessageHistory', () => {
  const segments: Record<string, { where: Rule }> = {
    reached: { where: { notReachedBy: { waves: ['a'] } } },
    loyal: { where: { frequency: { orders: { min: 3 } } } },
    nested: { where: { all: [{ segment: 'loyal' }, { not: { segment: 'reached' } }] } },
    loop: { where: { any: [{ segment: 'loop' }, { recency: { days: { max: 90 } } }] } },
  };
  it('sees message history directly, through named segments, and nowhere else', () => {
    expect(
      readsMessageHistory({ messageHistory: { waves: ['a'], event: 'clicked' } } as Rule, segments),
    ).toBe(true);
    expect(readsMessageHistory({ segment: 'nested' }, segments)).toBe(true);
    expect(readsMessageHistory({ segment: 'loyal' }, segments)).toBe(false);
    expect(readsMessageHistory({ segment: 'loop' }, segments)).toBe(false);
  });
});
