import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { copyWithWaves } from '../helpers/campaign-builders.ts';
import { deliveryHarness, type Harness, loadDouble11, sampleShop } from '../helpers/delivery-harness.ts';
import { faultySender } from '../helpers/faulty-sender.ts';
import { seededRandom } from '../helpers/seeded-random.ts';
import { expectDeliveryInvariants } from './delivery-invariants.ts';

let shop: string;
let d11: Campaign;
const open: Harness[] = [];
beforeAll(async () => {
  shop = await sampleShop(1_500);
  d11 = await loadDouble11();
});
afterAll(async () => {
  for (const h of open) await h.close();
});

describe('delivery under random interleavings and faults (property)', () => {
  it('whatever the order, duplicates, crashes and throttling: one message per wave at most, caps kept, every recipient recorded', async () => {
    // Three waves of the Double-11, under a monthly marketing cap of 1, 2 or 5 (a loose cap must not be
    // what keeps a wave from messaging a customer twice).
    const campaign = (max: number) =>
      copyWithWaves(d11, d11.waves.slice(0, 3), {
        contactPolicy: {
          caps: [{ id: 'marketing-monthly', appliesTo: 'marketing', channels: 'any', max, window: '30d' }],
        },
      });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          // SQS duplicates are rare; high rates multiply the copies of messages deferred over many 15-minute hops.
          duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
          crash: fc.double({ min: 0, max: 0.3, noNaN: true }),
          throttle: fc.double({ min: 0, max: 0.5, noNaN: true }),
          batchSize: fc.integer({ min: 1, max: 10 }),
          capMax: fc.constantFrom(1, 2, 5),
        }),
        async ({ seed, duplicate, crash, throttle, batchSize, capMax }) => {
          const c = campaign(capMax);
          const rnd = seededRandom(seed);
          const h = await deliveryHarness(shop, [c], {
            queue: { batchSize, chaos: { random: rnd, duplicate } },
          });
          open.push(h);
          // Each call draws crash, then (if it did not crash) throttle, from the seeded random.
          const faults = { throwAt: () => rnd() < crash, failAt: () => rnd() < throttle, retryable: true };
          h.local.email = faultySender(h.local.email, {
            ...faults,
            error: 'TooManyRequestsException',
          }) as never;
          h.local.sms = faultySender(h.local.sms, { ...faults, error: 'ThrottlingException' }) as never;
          for (const sw of h.waves(c)) await h.run(sw);
          await expectDeliveryInvariants(h, [c]);
          const statuses = await h.status(c);
          expect(statuses.every((s) => s.reconciles)).toBe(true);
          await h.close();
          open.pop();
        },
      ),
      { numRuns: 8, seed: 20261122 },
    );
  });
});
