import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrequencyCap } from '../../shared/campaign/contact-policy-schema.ts';
import { DynamoDbContactStore } from '../../shared/delivery/contact-policy/aws/dynamodb-contact-store.ts';
import type { ClaimRequest } from '../../shared/delivery/contact-policy/claim.ts';
import type { ContactStore } from '../../shared/delivery/contact-policy/contact-store.ts';
import { SqliteContactStore } from '../../shared/delivery/contact-policy/local/sqlite-contact-store.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const CAPS: FrequencyCap[] = [
  { id: 'marketing-monthly', appliesTo: 'marketing', channels: 'any', max: 1, window: '30d' },
  { id: 'sms-daily', appliesTo: 'all', channels: ['sms'], max: 1, window: '1d' },
];
const DAY = 86_400_000;
const T0 = new Date('2026-11-11T02:00:00Z');

const req = (over: Partial<ClaimRequest> & { sendId: string }): ClaimRequest => ({
  customerId: 'c1',
  channel: 'email',
  category: 'marketing',
  at: T0,
  caps: CAPS,
  ...over,
});

/** One suite, every adapter of the port: the embedded SQLite store and DynamoDB through dynalite. */
const adapters: [string, () => Promise<{ store: ContactStore; stop: () => Promise<void> }>][] = [
  [
    'sqlite (embedded)',
    async () => {
      const store = new SqliteContactStore();
      return { store, stop: () => store.close() };
    },
  ],
  [
    'dynamodb (dynalite)',
    async () => {
      const ddb = await startDynalite('contacts');
      const store = new DynamoDbContactStore({ client: ddb.client, tableName: 'contacts' });
      return { store, stop: ddb.stop };
    },
  ],
];

describe.each(adapters)('contact store contract: %s', (_name, make) => {
  let store: ContactStore;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ store, stop } = await make());
  });
  afterAll(async () => {
    await stop();
  });

  it('claims a first send, and the same send id again is a duplicate', async () => {
    expect(await store.claim(req({ sendId: 'd11/w1/c1' }))).toEqual({ kind: 'claimed' });
    expect(await store.claim(req({ sendId: 'd11/w1/c1' }))).toEqual({ kind: 'duplicate' });
    // Even a month later, on another channel: at most one message per customer per wave, ever.
    expect(
      await store.claim(req({ sendId: 'd11/w1/c1', channel: 'sms', at: new Date(T0.getTime() + 40 * DAY) })),
    ).toEqual({
      kind: 'duplicate',
    });
  });

  it('caps marketing across campaigns and channels, and frees the cap when the window has passed', async () => {
    const c = 'c2';
    expect(await store.claim(req({ customerId: c, sendId: 'a/w1/c2' }))).toEqual({ kind: 'claimed' });
    expect(
      await store.claim(
        req({ customerId: c, sendId: 'b/w1/c2', channel: 'sms', at: new Date(T0.getTime() + 10 * DAY) }),
      ),
    ).toEqual({
      kind: 'capped',
      capId: 'marketing-monthly',
    });
    expect(
      await store.claim(req({ customerId: c, sendId: 'b/w1/c2', at: new Date(T0.getTime() + 30 * DAY + 1) })),
    ).toEqual({
      kind: 'claimed',
    });
  });

  it('lets transactional messages past marketing caps, never past caps that apply to all', async () => {
    const c = 'c3';
    expect(await store.claim(req({ customerId: c, sendId: 'a/w1/c3', channel: 'sms' }))).toEqual({
      kind: 'claimed',
    });
    const later = new Date(T0.getTime() + 2 * 3_600_000);
    expect(
      await store.claim(
        req({ customerId: c, sendId: 'a/unpaid/c3', channel: 'sms', category: 'transactional', at: later }),
      ),
    ).toEqual({
      kind: 'capped',
      capId: 'sms-daily',
    });
    expect(
      await store.claim(
        req({ customerId: c, sendId: 'a/unpaid/c3', channel: 'email', category: 'transactional', at: later }),
      ),
    ).toEqual({
      kind: 'claimed',
    });
  });

  it('under concurrent claims for one customer, exactly one passes a cap of one', async () => {
    const claims = Array.from({ length: 12 }, (_, i) =>
      store.claim(req({ customerId: 'c4', sendId: `camp${i}/w/c4` })),
    );
    const results = await Promise.all(claims);
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'capped')).toHaveLength(11);
  });

  it('under concurrent duplicates of one send, exactly one is claimed', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => store.claim(req({ customerId: 'c5', sendId: 'd11/w2/c5' }))),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(11);
  });
});
