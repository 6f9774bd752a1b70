import { describe, expect, it } from 'vitest';
import type { WaveState } from '../../shared/api/campaign-store.ts';
import { campaignState } from '../../shared/api/lifecycle.ts';

const of = (...states: WaveState[]) => campaignState(Object.fromEntries(states.map((s, i) => [`w${i}`, s])));

describe("a campaign's state follows its waves'", () => {
  it('is a draft only while every wave is pending', () => {
    expect(of('pending', 'pending')).toBe('draft');
    // Once a wave ran or was cancelled, pending waves mean the campaign is under way, never a draft again.
    expect(of('done', 'cancelled', 'pending')).toBe('running');
    expect(of('cancelled', 'pending')).toBe('running');
    expect(of('done', 'pending')).toBe('running');
  });

  it('names the most active wave otherwise', () => {
    expect(of('running', 'paused', 'pending')).toBe('running');
    expect(of('scheduled', 'pending')).toBe('scheduled');
    expect(of('scheduled', 'done')).toBe('running');
    expect(of('paused', 'done', 'pending')).toBe('paused');
    expect(of('done', 'cancelled')).toBe('done');
    expect(of('cancelled', 'cancelled')).toBe('cancelled');
  });
});
