import { describe, expect, it } from 'vitest';
import type { FrequencyCap } from '../../shared/campaign/contact-policy-schema.ts';
import {
  type ClaimRequest,
  type CustomerContacts,
  decideClaim,
  EMPTY_CONTACTS,
  IDEMPOTENCY_DAYS,
  markChange,
  type Reservation,
  settleChange,
  suppressChange,
} from '../../shared/delivery/contact-policy/claim.ts';
import { parseContacts } from '../../shared/delivery/contact-policy/stored-contacts.ts';

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
  wave: `camp/${sendId}`,
  priority: 50,
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

  it('forgets claims (and with them the contacts the caps count) older than the idempotency period', () => {
    const yearly: FrequencyCap = { ...twoPerWeek, id: 'yearly', max: 3, window: `${IDEMPOTENCY_DAYS}d` };
    const out = run([
      req('old', T0, { caps: [yearly] }),
      req('mid', T0 + 20 * DAY, { caps: [yearly] }),
      req('new', T0 + (IDEMPOTENCY_DAYS + 1) * DAY, { caps: [yearly] }),
    ]);
    // 'old' is 401 days old: forgotten; 'mid' is 381 days old: still remembered, and counted.
    expect(out[2]?.state.claimed.map((m) => m.id)).toEqual(['mid', 'new']);
    expect(out[1]?.state.claimed.map((m) => [m.id, m.channel, m.category])).toEqual([
      ['old', 'email', 'marketing'],
      ['mid', 'email', 'marketing'],
    ]);
    const fourth = decideClaim(
      out[2]?.state as CustomerContacts,
      req('more', T0 + 380 * DAY, { caps: [yearly] }),
    );
    expect(fourth.result).toEqual({ kind: 'claimed' }); // 'mid' and 'new' in the window: 2 of 3
  });

  it('never writes for a duplicate or a capped send', () => {
    const first = decideClaim(EMPTY_CONTACTS, req('a', T0));
    expect(first.next).not.toBeNull();
    const state = first.next ?? EMPTY_CONTACTS;
    expect(decideClaim(state, req('a', T0 + DAY)).next).toBeNull();
    expect(decideClaim(state, req('z', T0 + DAY, { caps: [{ ...twoPerWeek, max: 1 }] })).next).toBeNull();
  });

  describe('reservations of higher-priority waves', () => {
    const monthly: FrequencyCap = {
      id: 'monthly',
      appliesTo: 'marketing',
      channels: 'any',
      max: 1,
      window: '30d',
    };
    const d11: Reservation = {
      wave: 'd11/main',
      at: T0 + 17 * DAY,
      until: T0 + 17.5 * DAY,
      priority: 90,
      channel: 'sms',
      category: 'marketing',
    };
    const withReservation = (r: Reservation): CustomerContacts => ({ ...EMPTY_CONTACTS, reserved: [r] });
    const preheat = (over: Partial<ClaimRequest> = {}) =>
      req('d11/preheat/c1', T0, { wave: 'd11/preheat', priority: 20, caps: [monthly], ...over });

    it('refuses a lower-priority send that would leave no room under the cap for the reserved wave', () => {
      expect(decideClaim(withReservation(d11), preheat()).result).toEqual({
        kind: 'reserved',
        wave: 'd11/main',
      });
    });

    it('lets it pass when the cap has room for both, or the reservation is outside the window', () => {
      expect(decideClaim(withReservation(d11), preheat({ caps: [{ ...monthly, max: 2 }] })).result.kind).toBe(
        'claimed',
      );
      expect(
        decideClaim(withReservation({ ...d11, at: T0 + 31 * DAY, until: T0 + 32 * DAY }), preheat()).result
          .kind,
      ).toBe('claimed');
    });

    it('is not held back by a reservation of lower or equal priority, or one on channels the cap does not count', () => {
      expect(decideClaim(withReservation({ ...d11, priority: 20 }), preheat()).result.kind).toBe('claimed');
      const smsOnly: FrequencyCap = { ...monthly, channels: ['sms'] };
      expect(
        decideClaim(withReservation(d11), preheat({ caps: [smsOnly], channel: 'email' })).result.kind,
      ).toBe('claimed');
    });

    it("consumes the wave's own reservation when it sends, and forgets reservations whose deadline has passed", () => {
      const own = decideClaim(
        withReservation(d11),
        req('d11/main/c1', d11.at, { wave: 'd11/main', priority: 90, caps: [monthly] }),
      );
      expect(own.result.kind).toBe('claimed');
      expect(own.next?.reserved).toEqual([]);
      const later = decideClaim(withReservation(d11), req('x/y/c1', d11.until + 1, { caps: [monthly] }));
      expect(later.result.kind).toBe('claimed');
      expect(later.next?.reserved).toEqual([]);
    });
  });

  it('reads records kept before claims were a list (an object by send id) and keeps deciding on them', () => {
    const stored = JSON.stringify({
      recent: [{ sendId: 'a', at: T0, channel: 'email', category: 'marketing' }],
      claimed: { a: { at: T0, state: 'claimed' } },
      reserved: [],
      suppressed: {},
    });
    const state = parseContacts(stored);
    expect(state.claimed).toEqual([
      { id: 'a', at: T0, state: 'claimed', channel: 'email', category: 'marketing' },
    ]);
    expect(decideClaim(state, req('a', T0 + DAY)).result).toEqual({ kind: 'duplicate', state: 'claimed' });
    const marked = markChange('c1', 'a', 'sent', new Date(T0)).decide(state).next;
    expect(marked?.claimed).toEqual([
      { id: 'a', at: T0, state: 'sent', channel: 'email', category: 'marketing' },
    ]);
    const second = decideClaim(marked as CustomerContacts, req('b', T0 + DAY));
    expect(second.next?.claimed.map((m) => [m.id, m.state])).toEqual([
      ['a', 'sent'],
      ['b', 'claimed'],
    ]);
  });

  it('reads records that kept contacts apart from claims (in `recent`): their caps and duplicates hold as before', () => {
    const once: FrequencyCap = { ...twoPerWeek, id: 'once-a-week', max: 1 };
    const stored = JSON.stringify({
      recent: [{ sendId: 'camp/a', at: T0, channel: 'email', category: 'marketing' }],
      // 'camp/old' left every cap window: its contact was pruned, its send id is still remembered.
      claimed: [
        { id: 'camp/old', at: T0 - 60 * DAY, state: 'sent' },
        { id: 'camp/a', at: T0, state: 'sent' },
      ],
      reserved: [],
      suppressed: {},
    });
    const state = parseContacts(stored);
    expect(state).not.toHaveProperty('recent');
    expect(state.claimed).toEqual([
      { id: 'camp/old', at: T0 - 60 * DAY, state: 'sent' },
      { id: 'camp/a', at: T0, state: 'sent', channel: 'email', category: 'marketing' },
    ]);
    expect(decideClaim(state, req('camp/b', T0 + DAY, { caps: [once] })).result).toEqual({
      kind: 'capped',
      capId: 'once-a-week',
    });
    expect(decideClaim(state, req('camp/old', T0 + DAY, { caps: [once] })).result).toEqual({
      kind: 'duplicate',
      state: 'sent',
    });
    expect(decideClaim(state, req('camp/b', T0 + 8 * DAY, { caps: [once] })).result).toEqual({
      kind: 'claimed',
    });
  });

  it('counts a send settled without a claim under no cap', () => {
    const settled = settleChange('c1', 'camp/dead', new Date(T0)).decide(EMPTY_CONTACTS)
      .next as CustomerContacts;
    expect(settled.claimed).toEqual([{ id: 'camp/dead', at: T0, state: 'failed' }]);
    const once: FrequencyCap = { ...twoPerWeek, id: 'once-a-week', max: 1 };
    expect(decideClaim(settled, req('camp/b', T0 + DAY, { caps: [once] })).result).toEqual({
      kind: 'claimed',
    });
  });
});

describe('service notices (category notice)', () => {
  const suppress = (state: CustomerContacts, channel: 'sms' | 'any', reason: 'opt-out' | 'bounced') =>
    suppressChange('c1', channel, reason, new Date(T0)).decide(state).next ?? state;
  const sms = (category: ClaimRequest['category']) =>
    req(`notice-${category}`, T0, { channel: 'sms', category, caps: [] });

  it('reach a customer who opted out of marketing, never one whose number bounced', () => {
    const optedOut = suppress(suppress(EMPTY_CONTACTS, 'any', 'opt-out'), 'sms', 'opt-out');
    expect(decideClaim(optedOut, sms('notice')).result).toEqual({ kind: 'claimed' });
    expect(decideClaim(optedOut, sms('transactional')).result).toEqual({
      kind: 'suppressed',
      reason: 'opt-out',
    });
    // A bounce after the opt-out is kept, and stops notices too.
    const bounced = suppress(optedOut, 'sms', 'bounced');
    expect(decideClaim(bounced, sms('notice')).result).toEqual({ kind: 'suppressed', reason: 'bounced' });
    expect(decideClaim(bounced, sms('marketing')).result).toEqual({ kind: 'suppressed', reason: 'opt-out' });
  });
});
