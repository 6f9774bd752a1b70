import { describe, expect, it } from 'vitest';
import type { FrequencyCap } from '../../shared/campaign/contact-policy-schema.ts';
import {
  type ClaimRequest,
  decideClaim,
  EMPTY_CONTACTS,
  IDEMPOTENCY_DAYS,
} from '../../shared/delivery/contact-policy/claim.ts';

const DAY = 86_400_000;
const T0 = new Date('2026-11-11T02:00:00Z').getTime();
const twoPerWeek: FrequencyCap = {
  id: 'two-a-week',
  appliesTo: 'marketing',
  channels: ['email'],
  max: 2,
  window: '7d',
};
const req = (sendId: string, atMs: number, over: Partial<ClaimRequest> = {}): ClaimRequest => ({
  sendId,
  customerId: 'c1',
  channel: 'email',
  category: 'marketing',
  at: new Date(atMs),
  caps: [twoPerWeek],
  ...over,
});

/** Applies claims in order, returning each result. */
function run(requests: ClaimRequest[]) {
  let state = EMPTY_CONTACTS;
  return requests.map((r) => {
    const { result, next } = decideClaim(state, r);
    if (next) state = next;
    return { result, state };
  });
}

describe('decideClaim', () => {
  it('counts a cap of N over a rolling window, only on its channels', () => {
    const out = run([
      req('a', T0),
      req('b', T0 + 1 * DAY),
      req('c', T0 + 2 * DAY),
      req('d', T0 + 2 * DAY, { channel: 'sms' }),
      req('e', T0 + 7 * DAY + 1),
    ]);
    expect(out.map((o) => o.result)).toEqual([
      { kind: 'claimed' },
      { kind: 'claimed' },
      { kind: 'capped', capId: 'two-a-week' },
      { kind: 'claimed' },
      { kind: 'claimed' },
    ]);
  });

  it('prunes contacts older than every window (keeping at least 30 days) and send ids older than the idempotency period', () => {
    const out = run([
      req('old', T0),
      req('mid', T0 + 20 * DAY),
      req('new', T0 + (IDEMPOTENCY_DAYS + 1) * DAY),
    ]);
    const last = out[2]?.state;
    expect(last?.recent.map((c) => c.sendId)).toEqual(['new']);
    // 'old' is 401 days old: forgotten; 'mid' is 381 days old: still remembered.
    expect(Object.keys(last?.claimed ?? {}).sort()).toEqual(['mid', 'new']);
    expect(out[1]?.state.recent.map((c) => c.sendId)).toEqual(['old', 'mid']);
  });

  it('never writes for a duplicate or a capped send', () => {
    const first = decideClaim(EMPTY_CONTACTS, req('a', T0));
    expect(first.next).not.toBeNull();
    const state = first.next ?? EMPTY_CONTACTS;
    expect(decideClaim(state, req('a', T0 + DAY)).next).toBeNull();
    expect(decideClaim(state, req('z', T0 + DAY, { caps: [{ ...twoPerWeek, max: 1 }] })).next).toBeNull();
  });
});
