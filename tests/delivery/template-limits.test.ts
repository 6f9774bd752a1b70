import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../shared/lake/sql.ts';
import { emailWave, testCampaign } from '../helpers/campaign-builders.ts';
import { deliveryHarness, type Harness, sampleShop } from '../helpers/delivery-harness.ts';
import { expectDeliveryInvariants } from './delivery-invariants.ts';

/**
 * A template can pass `validate` (rendered once, with the sample customer, a gold member) and still blow
 * up for some real customers: here a ten-million-step loop runs for diamond members only. At send time
 * the limits hold per message: those recipients fail with the reason recorded, everyone else is sent.
 */
const BOMB = '{% if customer.memberTier == "diamond" %}{% for i in (1..10000000) %}x{% endfor %}{% endif %}';

const campaign = testCampaign({
  id: 'limits',
  name: 'Template limits',
  waves: [
    emailWave({
      start: '2026-11-02T10:00',
      audience: { where: { memberTier: ['diamond', 'gold'] } },
      templates: { email: { subject: 'Hi', html: `${BOMB}<p>{{ customer.name }}</p>` } },
    }),
  ],
});

let shop: string;
let h: Harness;
beforeAll(async () => {
  shop = await sampleShop(1_000);
  h = await deliveryHarness(shop, [campaign]);
});
afterAll(async () => {
  await h.close();
});

describe('template limits at send time', () => {
  it('fails only the recipients whose message goes over a limit, with the reason in the ledger', async () => {
    const started = Date.now();
    for (const sw of h.waves(campaign)) await h.run(sw);
    const elapsed = Date.now() - started;

    const tiers = new Map(
      (await h.warehouse.query(sql`SELECT customer_id, member_tier FROM customers`)).rows.map((r) => [
        String(r.customer_id),
        String(r.member_tier),
      ]),
    );
    const rows = await h.ledger(campaign.id);
    // Recipients the contact policy let through (others are suppressed before anything renders).
    const reached = rows.filter((r) => r.status !== 'suppressed');
    const diamond = reached.filter((r) => tiers.get(String(r.customer_id)) === 'diamond');
    const gold = reached.filter((r) => tiers.get(String(r.customer_id)) === 'gold');
    expect(diamond.length).toBeGreaterThan(0);
    expect(gold.length).toBeGreaterThan(0);
    for (const r of diamond) {
      expect(r.status).toBe('failed');
      expect(r.reason).toBe(
        'render: over the template limits (loops and filters may handle at most 100000 items per message), line:1, col:42',
      );
    }
    expect(gold.every((r) => r.status === 'sent')).toBe(true);
    await expectDeliveryInvariants(h, [campaign]);
    // Each failed message stopped at the limit instead of rendering ten million steps (~1 s each).
    expect(elapsed).toBeLessThan(20_000);
  });
});
