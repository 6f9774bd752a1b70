import { expect } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import type { ScheduledWave } from '../../shared/delivery/campaign-catalog.ts';
import { parseDuration } from '../../shared/time/duration.ts';
import type { Harness } from '../helpers/delivery-harness.ts';

/**
 * What must hold after any run, whatever went wrong on the way: every wave reconciles, nobody got two
 * messages for one wave, the outbox holds exactly the ledger's sends, holdout customers got nothing,
 * and no cap was exceeded by the messages that left.
 */
export async function expectDeliveryInvariants(h: Harness, campaigns: Campaign[]): Promise<void> {
  const outbox = await h.outboxSendIds();
  expect(new Set(outbox).size, 'a send id appears twice in the outbox').toBe(outbox.length);
  const sentIds: string[] = [];
  const sends: { customer: string; at: number; channel: string; category: string }[] = [];
  const waves: ScheduledWave[] = [];
  for (const campaign of campaigns) {
    waves.push(...h.waves(campaign));
    for (const s of await h.status(campaign)) {
      expect(s.state, `${s.waveId} drained`).toBe('drained');
      expect(s.inFlight, `${s.waveId}: audience = sent + suppressed + failed`).toBe(0);
      expect(s.reconciles).toBe(true);
    }
    const rows = await h.ledger(campaign.id);
    const bySend = new Map<string, Record<string, unknown>[]>();
    for (const r of rows) bySend.set(String(r.send_id), [...(bySend.get(String(r.send_id)) ?? []), r]);
    for (const [id, list] of bySend) {
      const sent = list.filter((r) => r.status === 'sent');
      expect(sent.length, `${id} recorded sent more than once`).toBeLessThanOrEqual(1);
      if (sent[0]) {
        sentIds.push(id);
        sends.push({
          customer: String(sent[0].customer_id),
          at: Date.parse(`${String(sent[0].sent_at).replace(' ', 'T')}Z`),
          channel: String(sent[0].channel),
          category: String(sent[0].category),
        });
      }
      if (list.some((r) => r.reason === 'holdout')) expect(sent, `${id}: holdout messaged`).toHaveLength(0);
    }
  }
  expect([...outbox].sort()).toEqual([...sentIds].sort());
  // Caps: the strictest policy in force (the shop's with each campaign's overrides) over every send.
  const caps = waves.flatMap((w) => w.policy.caps);
  const byCustomer = new Map<string, typeof sends>();
  for (const s of sends) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s]);
  for (const cap of caps) {
    const max = Math.max(...caps.filter((c) => c.id === cap.id).map((c) => c.max));
    for (const [customer, list] of byCustomer) {
      const counted = list.filter(
        (s) =>
          (cap.appliesTo === 'all' || s.category === 'marketing') &&
          (cap.channels === 'any' || cap.channels.includes(s.channel as never)),
      );
      for (const s of counted) {
        const inWindow = counted.filter((o) => o.at > s.at - parseDuration(cap.window) && o.at <= s.at);
        expect(inWindow.length, `cap ${cap.id} exceeded for ${customer}`).toBeLessThanOrEqual(max);
      }
    }
  }
}
