import { describe, expect, it } from 'vitest';
import type { FrequencyCap } from '../../shared/campaign/contact-policy-schema.ts';
import {
  type ClaimRequest,
  type CustomerContacts,
  decideClaim,
  EMPTY_CONTACTS,
  IDEMPOTENCY_DAYS,
  recordExpiry,
} from '../../shared/delivery/contact-policy/claim.ts';
import { parseContacts } from '../../shared/delivery/contact-policy/stored-contacts.ts';

/**
 * A cap window rolls in both directions: a simulated run may claim a send dated before contacts already
 * recorded (`run winback.yaml`, 5 Dec, then `run double-11.yaml`, 11 Nov). The claim must count those
 * later contacts, each under the caps it was claimed with, so the order the runs happen in changes nothing.
 */
const DAY = 86_400_000;
const NOV11 = Date.parse('2026-11-11T02:00:00Z');
const DEC5 = Date.parse('2026-12-05T02:00:00Z');
const shopMonthly: FrequencyCap = {
  id: 'marketing-monthly',
  appliesTo: 'marketing',
  channels: 'any',
  max: 1,
  window: '30d',
};
const d11Monthly: FrequencyCap = { ...shopMonthly, max: 2 };
const smsDaily: FrequencyCap = { id: 'sms-daily', appliesTo: 'all', channels: ['sms'], max: 1, window: '1d' };

const req = (
  sendId: string,
  at: number,
  caps: FrequencyCap[],
  over: Partial<ClaimRequest> = {},
): ClaimRequest => ({
  sendId,
  wave: sendId.split('/').slice(0, 2).join('/'),
  customerId: 'c1',
  channel: 'sms',
  category: 'marketing',
  priority: 50,
  at: new Date(at),
  caps,
  ...over,
});

function claimAll(requests: ClaimRequest[], start: CustomerContacts = EMPTY_CONTACTS) {
  let state = start;
  const results = requests.map((r) => {
    const { result, next } = decideClaim(state, r);
    if (next) state = parseContacts(JSON.stringify(next)); // as a store keeps it
    return result.kind === 'capped' ? `capped ${result.capId}` : result.kind;
  });
  return { results, state };
}

const winback = req('winback/w/c1', DEC5, [shopMonthly, smsDaily]);
const cashback = req('d11/cashback/c1', NOV11, [d11Monthly, smsDaily]);
const preheat = req('d11/preheat/c1', NOV11 - 17 * DAY, [d11Monthly, smsDaily]);

describe('claims count contacts recorded later in time', () => {
  it('refuses a send inside the window of a later contact claimed under a cap of one, whichever runs first', () => {
    // Real-time order: the winback on 5 Dec finds the cashback of 11 Nov in its 30 days.
    expect(claimAll([cashback, winback]).results).toEqual(['claimed', 'capped marketing-monthly']);
    // Simulated out of order: the winback is recorded first; the cashback 24 days before it is refused.
    expect(claimAll([winback, cashback]).results).toEqual(['claimed', 'capped marketing-monthly']);
  });

  it("keeps each contact's own cap: a later contact allowed two leaves room for one earlier send", () => {
    const laterD11 = req('d11/follow-up/c1', NOV11 + 3 * DAY, [d11Monthly, smsDaily]);
    expect(claimAll([laterD11, cashback]).results).toEqual(['claimed', 'claimed']);
    expect(claimAll([laterD11, cashback, preheat]).results).toEqual([
      'claimed',
      'claimed',
      'capped marketing-monthly',
    ]);
  });

  it('frees an earlier send once it is a whole window before the later contact, as in the other direction', () => {
    expect(claimAll([winback, req('d11/x/c1', DEC5 - 30 * DAY, [d11Monthly])]).results).toEqual([
      'claimed',
      'claimed',
    ]);
    expect(claimAll([winback, req('d11/y/c1', DEC5 - 30 * DAY + 1, [d11Monthly])]).results).toEqual([
      'claimed',
      'capped marketing-monthly',
    ]);
  });

  it("counts a later contact only under caps that count the new send (another channel's cap does not bind)", () => {
    const emailLater = req('winback/w/c1', DEC5, [smsDaily, { ...shopMonthly, channels: ['email'] }], {
      channel: 'email',
    });
    expect(claimAll([emailLater, req('d11/z/c1', DEC5 - DAY, [d11Monthly, smsDaily])]).results).toEqual([
      'claimed',
      'claimed',
    ]);
  });

  it('reads a later contact kept without its caps (an older record) under the claiming send’s caps', () => {
    const older = JSON.stringify({
      claimed: [{ id: 'winback/w/c1', at: DEC5, state: 'sent', channel: 'sms', category: 'marketing' }],
      reserved: [],
      suppressed: {},
    });
    expect(claimAll([req('d11/a/c1', NOV11, [shopMonthly])], parseContacts(older)).results).toEqual([
      'capped marketing-monthly',
    ]);
    expect(claimAll([req('d11/a/c1', NOV11, [d11Monthly])], parseContacts(older)).results).toEqual([
      'claimed',
    ]);
  });

  it('keeps a record as long as its latest contact needs it, whatever the date of the change that writes it', () => {
    const { state } = claimAll([winback, req('d11/x/c1', DEC5 - 40 * DAY, [d11Monthly])]);
    expect(recordExpiry(state, new Date(DEC5 - 40 * DAY))).toEqual(new Date(DEC5 + IDEMPOTENCY_DAYS * DAY));
  });
});
