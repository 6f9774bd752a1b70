import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { FrequencyCap } from '../../shared/campaign/contact-policy-schema.ts';
import { DynamoDbContactStore } from '../../shared/delivery/contact-policy/aws/dynamodb-contact-store.ts';
import {
  type ClaimRequest,
  type ClaimResult,
  claimChange,
  markChange,
  releaseChange,
  reserveChange,
  suppressChange,
} from '../../shared/delivery/contact-policy/claim.ts';
import type { ContactStore } from '../../shared/delivery/contact-policy/contact-store.ts';
import { JournalContactStore } from '../../shared/delivery/contact-policy/local/journal-contact-store.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const CAPS: FrequencyCap[] = [
  { id: 'marketing-monthly', appliesTo: 'marketing', channels: 'any', max: 1, window: '30d' },
  { id: 'sms-daily', appliesTo: 'all', channels: ['sms'], max: 1, window: '1d' },
];
const DAY = 86_400_000;
const T0 = new Date('2026-11-11T02:00:00Z');

const req = (over: Partial<ClaimRequest> & { sendId: string }): ClaimRequest => ({
  wave: over.sendId.split('/').slice(0, 2).join('/'),
  customerId: 'c1',
  priority: 50,
  channel: 'email',
  category: 'marketing',
  at: T0,
  caps: CAPS,
  ...over,
});

/** One suite, every adapter of the port: the embedded journal store and DynamoDB through dynalite. */
const adapters: ContractAdapter<Made<ContactStore>>[] = [
  {
    name: 'journal (embedded)',
    make: async () => {
      const store = new JournalContactStore(join(mkdtempSync(join(tmpdir(), 'contacts-')), 'contacts'));
      return { port: store, stop: () => store.close() };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    make: async () => {
      const ddb = await startDynalite('contacts');
      const store = new DynamoDbContactStore({ client: ddb.client, tableName: 'contacts' });
      return { port: store, stop: ddb.stop };
    },
  },
];

contractSuite('contact store', adapters, (made) => {
  const store = () => made().port;
  const claim = async (r: ClaimRequest): Promise<ClaimResult> =>
    (await store().apply([claimChange(r)]))[0] as ClaimResult;

  it('claims a first send, and the same send id again is a duplicate', async () => {
    expect(await claim(req({ sendId: 'd11/w1/c1' }))).toEqual({ kind: 'claimed' });
    expect(await claim(req({ sendId: 'd11/w1/c1' }))).toEqual({ kind: 'duplicate', state: 'claimed' });
    // Even a month later, on another channel: at most one message per customer per wave, ever.
    expect(
      await claim(req({ sendId: 'd11/w1/c1', channel: 'sms', at: new Date(T0.getTime() + 40 * DAY) })),
    ).toEqual({
      kind: 'duplicate',
      state: 'claimed',
    });
  });

  it('caps marketing across campaigns and channels, and frees the cap when the window has passed', async () => {
    const c = 'c2';
    expect(await claim(req({ customerId: c, sendId: 'a/w1/c2' }))).toEqual({ kind: 'claimed' });
    expect(
      await claim(
        req({ customerId: c, sendId: 'b/w1/c2', channel: 'sms', at: new Date(T0.getTime() + 10 * DAY) }),
      ),
    ).toEqual({
      kind: 'capped',
      capId: 'marketing-monthly',
    });
    expect(
      await claim(req({ customerId: c, sendId: 'b/w1/c2', at: new Date(T0.getTime() + 30 * DAY + 1) })),
    ).toEqual({
      kind: 'claimed',
    });
  });

  it('lets transactional messages past marketing caps, never past caps that apply to all', async () => {
    const c = 'c3';
    expect(await claim(req({ customerId: c, sendId: 'a/w1/c3', channel: 'sms' }))).toEqual({
      kind: 'claimed',
    });
    const later = new Date(T0.getTime() + 2 * 3_600_000);
    expect(
      await claim(
        req({ customerId: c, sendId: 'a/unpaid/c3', channel: 'sms', category: 'transactional', at: later }),
      ),
    ).toEqual({
      kind: 'capped',
      capId: 'sms-daily',
    });
    expect(
      await claim(
        req({ customerId: c, sendId: 'a/unpaid/c3', channel: 'email', category: 'transactional', at: later }),
      ),
    ).toEqual({
      kind: 'claimed',
    });
  });

  it('under concurrent claims for one customer, exactly one passes a cap of one', async () => {
    const claims = Array.from({ length: 12 }, (_, i) =>
      claim(req({ customerId: 'c4', sendId: `camp${i}/w/c4` })),
    );
    const results = await Promise.all(claims);
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'capped')).toHaveLength(11);
  });

  it('under concurrent duplicates of one send, exactly one is claimed', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => claim(req({ customerId: 'c5', sendId: 'd11/w2/c5' }))),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(11);
  });

  it('remembers what became of a send: a redelivered claim learns it was sent, failed or interrupted', async () => {
    const sends = ['d11/w3/c6', 'd11/w4/c6', 'd11/w5/c6'];
    const transactional = { customerId: 'c6', category: 'transactional' as const, caps: [] };
    for (const sendId of sends)
      expect(await claim(req({ sendId, ...transactional }))).toEqual({ kind: 'claimed' });
    await store().apply([
      markChange('c6', 'd11/w3/c6', 'sent', T0),
      markChange('c6', 'd11/w4/c6', 'failed', T0),
    ]);
    const again = await store().apply(sends.map((sendId) => claimChange(req({ sendId, ...transactional }))));
    expect(again).toEqual([
      { kind: 'duplicate', state: 'sent' },
      { kind: 'duplicate', state: 'failed' },
      { kind: 'duplicate', state: 'claimed' },
    ]);
  });

  it('keeps a reserved place for a higher-priority wave: the pre-heat yields to Double-11', async () => {
    const oneAMonth = [{ ...(CAPS[0] as FrequencyCap), max: 1 }];
    const preheatAt = new Date('2026-10-25T02:00:00Z');
    const d11At = new Date('2026-11-10T16:00:00Z');
    // Double-11's main wave holds the customer's place, reserved in the pre-heat.
    const reserveD11 = (customerId: string) =>
      reserveChange(
        customerId,
        {
          wave: 'd11/main',
          at: d11At.getTime(),
          until: d11At.getTime() + DAY,
          priority: 90,
          channel: 'email',
          category: 'marketing',
        },
        preheatAt,
      );
    await store().apply([reserveD11('c7')]);
    const preheat = {
      sendId: 'd11/preheat/c7',
      customerId: 'c7',
      priority: 20,
      at: preheatAt,
      caps: oneAMonth,
    };
    expect(await claim(req(preheat))).toEqual({ kind: 'reserved', wave: 'd11/main' });
    // A wave of higher priority than the reservation is not held back by it.
    expect(await claim(req({ ...preheat, sendId: 'vip/call/c7', priority: 95 }))).toEqual({
      kind: 'claimed',
    });
    // Released (the wave was cancelled), the place is free for the next claim of a lower priority wave.
    await store().apply([releaseChange('c8', 'd11/main', preheatAt)]);
    await store().apply([reserveD11('c8'), releaseChange('c8', 'd11/main', preheatAt)]);
    expect(await claim(req({ ...preheat, sendId: 'd11/preheat/c8', customerId: 'c8' }))).toEqual({
      kind: 'claimed',
    });
  });

  it('suppresses opted-out channels for every category, and "any" for every channel', async () => {
    await store().apply([
      suppressChange('c9', 'sms', 'opt-out', T0),
      suppressChange('c10', 'any', 'complained', T0),
    ]);
    const unpaid = { category: 'transactional' as const, caps: [] };
    expect(await claim(req({ sendId: 'd11/u/c9', customerId: 'c9', channel: 'sms', ...unpaid }))).toEqual({
      kind: 'suppressed',
      reason: 'opt-out',
    });
    expect(await claim(req({ sendId: 'd11/u/c9', customerId: 'c9', channel: 'email', ...unpaid }))).toEqual({
      kind: 'claimed',
    });
    expect(await claim(req({ sendId: 'd11/v/c10', customerId: 'c10', channel: 'call-list' }))).toEqual({
      kind: 'suppressed',
      reason: 'complained',
    });
    // The call list dials the SMS number: an SMS opt-out stops the call too.
    expect(await claim(req({ sendId: 'd11/v/c9', customerId: 'c9', channel: 'call-list' }))).toEqual({
      kind: 'suppressed',
      reason: 'opt-out',
    });
  });

  it('counts contacts recorded later in time, each under the cap it was claimed with (a run out of date order)', async () => {
    const dec5 = new Date('2026-12-05T02:00:00Z');
    const twoAMonth = [{ ...(CAPS[0] as FrequencyCap), max: 2 }, CAPS[1] as FrequencyCap];
    // The winback (shop cap: one a month) was recorded first; Double-11 allows two, but not inside the
    // winback's 30 days, which began on 5 Nov.
    expect(await claim(req({ customerId: 'c11', sendId: 'winback/w/c11', at: dec5 }))).toEqual({
      kind: 'claimed',
    });
    expect(await claim(req({ customerId: 'c11', sendId: 'd11/cashback/c11', caps: twoAMonth }))).toEqual({
      kind: 'capped',
      capId: 'marketing-monthly',
    });
    expect(
      await claim(
        req({
          customerId: 'c11',
          sendId: 'd11/preheat/c11',
          caps: twoAMonth,
          at: new Date(dec5.getTime() - 30 * DAY),
        }),
      ),
    ).toEqual({ kind: 'claimed' });
    // A later contact allowed two leaves room for one earlier send in its window, not for two.
    expect(
      await claim(req({ customerId: 'c12', sendId: 'd11/follow-up/c12', caps: twoAMonth, at: dec5 })),
    ).toEqual({
      kind: 'claimed',
    });
    const earlier = (d: number, wave: string) =>
      claim(
        req({
          customerId: 'c12',
          sendId: `d11/${wave}/c12`,
          caps: twoAMonth,
          at: new Date(dec5.getTime() - d * DAY),
        }),
      );
    expect(await earlier(10, 'a')).toEqual({ kind: 'claimed' });
    expect(await earlier(20, 'b')).toEqual({ kind: 'capped', capId: 'marketing-monthly' });
  });

  it('under concurrent workers claiming two waves for the same customers, every cap and every send id holds', async () => {
    const customers = Array.from({ length: 15 }, (_, i) => `w${i}`);
    // Four workers, each a batch of claims for both waves, two of them redeliveries of the others.
    const worker = (wave: string) =>
      store().apply(
        customers.map((customerId) => claimChange(req({ customerId, sendId: `d11/${wave}/${customerId}` }))),
      );
    const results = (await Promise.all([worker('a'), worker('b'), worker('a'), worker('b')])).flat();
    const claimed = results.filter((r) => r.kind === 'claimed');
    // A cap of one marketing message per 30 days: per customer exactly one claim, whichever wave won;
    // the winner's redelivery is a duplicate, the other wave is capped twice.
    expect(claimed).toHaveLength(customers.length);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(customers.length);
    expect(results.filter((r) => r.kind === 'capped')).toHaveLength(customers.length * 2);
  });
});
