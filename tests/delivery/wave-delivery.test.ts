import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { INTERRUPTED } from '../../shared/delivery/send-batch.ts';
import { sql } from '../../shared/lake/sql.ts';
import { instantToLocal } from '../../shared/time/zoned-time.ts';
import { copyWithWaves, waveOf as wave } from '../helpers/campaign-builders.ts';
import { deliveryHarness, type Harness, loadDouble11, sampleShop } from '../helpers/delivery-harness.ts';
import { faultySender } from '../helpers/faulty-sender.ts';
import { expectDeliveryInvariants } from './delivery-invariants.ts';

let shop: string;
let d11: Campaign;
const open: Harness[] = [];
const harness = async (
  ...args: Parameters<typeof deliveryHarness> extends [string, ...infer R] ? R : never
) => {
  const h = await deliveryHarness(shop, ...args);
  open.push(h);
  return h;
};
const byStatus = (rows: Record<string, unknown>[], status: string, reason?: string) =>
  rows.filter((r) => r.status === status && (reason === undefined || r.reason === reason));

beforeAll(async () => {
  shop = await sampleShop();
  d11 = await loadDouble11();
});
afterAll(async () => {
  for (const h of open) await h.close();
});

describe('a Double-11 on the sample shop, through plan → queue → send → ledger', () => {
  it('reconciles every wave, sends nobody twice, keeps caps and the holdout; a re-run sends nothing', async () => {
    const h = await harness([d11]);
    // The planner hands the queue up to ten batch messages at a time (one SQS SendMessageBatch request;
    // the send handler's deferrals go one by one).
    const sendSizes: number[] = [];
    const send = h.local.queue.send.bind(h.local.queue);
    h.local.queue.send = (bodies, options) => {
      sendSizes.push(bodies.length);
      return send(bodies, options);
    };
    for (const sw of h.waves(d11)) await h.run(sw);
    expect(Math.max(...sendSizes)).toBe(10);
    await expectDeliveryInvariants(h, [d11]);
    const statuses = await h.status(d11);
    const sent = statuses.reduce((n, s) => n + Object.values(s.sent).reduce((a, b) => a + (b ?? 0), 0), 0);
    expect(sent).toBeGreaterThan(500);
    expect(statuses.find((s) => s.waveId === 'd11-cashback')?.sent['call-list']).toBeGreaterThan(0);
    const outbox = (await h.outboxSendIds()).length;

    // Again: every wave run is closed, nothing is planned or sent.
    for (const sw of h.waves(d11)) expect((await h.run(sw)).plan.kind).toBe('already-run');
    // Even with the run records lost, the claims' idempotency keys stop every second message.
    await h.local.runs.clear(d11.id);
    for (const sw of h.waves(d11)) await h.run(sw);
    expect((await h.outboxSendIds()).length).toBe(outbox);
    await expectDeliveryInvariants(h, [d11]);
  });
});

describe('priority arbitration', () => {
  it('keeps customers in both audiences for the higher-priority 11 Nov wave: the 25 Oct pre-heat records them reserved', async () => {
    // The shop's cap: one marketing message per 30 days (no campaign override).
    const oneAMonth = copyWithWaves(d11, [wave(d11, 'd11-preheat'), wave(d11, 'd11-cashback')], {
      contactPolicy: undefined,
    });
    const h = await harness([oneAMonth]);
    const [preheat, cashback] = h
      .waves(oneAMonth)
      .filter((w) => ['d11-preheat', 'd11-cashback'].includes(w.wave.id));
    if (!preheat || !cashback) throw new Error('waves missing');
    expect(preheat.wave.priority).toBeLessThan(cashback.wave.priority);
    await h.run(preheat);
    await h.run(cashback);
    const rows = await h.ledger(oneAMonth.id);
    const reserved = byStatus(rows, 'suppressed', 'reserved').filter((r) => r.wave_id === 'd11-preheat');
    expect(reserved.length).toBeGreaterThan(5);
    const cashbackRows = new Map(
      rows.filter((r) => r.wave_id === 'd11-cashback').map((r) => [r.customer_id, r]),
    );
    // Each of them is in the Double-11 wave's treated arm (sent) or in that wave's own holdout among
    // customers an earlier wave treated (suppressed holdout, arm wave-holdout) — never capped.
    const outcomes = reserved.map((r) => {
      const c = cashbackRows.get(r.customer_id);
      return c?.status === 'sent' ? 'sent' : `${c?.status}/${c?.reason}/${c?.arm}`;
    });
    expect(outcomes.filter((o) => o !== 'sent' && o !== 'suppressed/holdout/wave-holdout')).toEqual([]);
    expect(outcomes.filter((o) => o === 'sent').length).toBeGreaterThan(reserved.length / 2);
    // Nobody the pre-heat reached was then capped out of the Double-11 wave.
    const preheatSent = new Set(
      byStatus(rows, 'sent')
        .filter((r) => r.wave_id === 'd11-preheat')
        .map((r) => r.customer_id),
    );
    const capped = byStatus(rows, 'suppressed', 'cap').filter((r) => r.wave_id === 'd11-cashback');
    expect(capped.filter((r) => preheatSent.has(r.customer_id))).toEqual([]);
    await expectDeliveryInvariants(h, [oneAMonth]);
  });

  it('without the higher priority, the earlier wave wins and the later one is capped (the control)', async () => {
    const flat = copyWithWaves(
      d11,
      d11.waves.map((w) => ({ ...w, priority: 50 })),
      { contactPolicy: undefined },
    );
    const h = await harness([flat]);
    const [preheat, cashback] = h
      .waves(flat)
      .filter((w) => ['d11-preheat', 'd11-cashback'].includes(w.wave.id));
    if (!preheat || !cashback) throw new Error('waves missing');
    await h.run(preheat);
    await h.run(cashback);
    const rows = await h.ledger(flat.id);
    expect(byStatus(rows, 'suppressed', 'reserved')).toEqual([]);
    expect(
      byStatus(rows, 'suppressed', 'cap').filter((r) => r.wave_id === 'd11-cashback').length,
    ).toBeGreaterThan(5);
  });
});

describe('quiet hours, in the recipient’s zone', () => {
  const nightSms = (sendBy: string) =>
    copyWithWaves(d11, [{ ...wave(d11, 'd11-preheat'), start: '2026-10-25T22:00', sendBy, fallback: [] }]);

  it('defers SMS sent into the night to the end of the window (08:00)', async () => {
    const c = nightSms('2026-10-26T12:00');
    const h = await harness([c]);
    await h.run(h.waves(c)[0] as never);
    const sms = byStatus(await h.ledger(c.id), 'sent');
    expect(sms.length).toBeGreaterThan(10);
    const customers = new Map(
      (await h.warehouse.query(sql`SELECT customer_id, time_zone FROM customers`)).rows.map((r) => [
        r.customer_id,
        r.time_zone,
      ]),
    );
    for (const r of sms) {
      const zone = (customers.get(r.customer_id) as string | null) ?? c.timeZone;
      const local = instantToLocal(new Date(`${String(r.sent_at).replace(' ', 'T')}Z`), zone);
      expect(local.slice(11, 16) >= '08:00' && local.slice(11, 16) < '21:00', `${local} in ${zone}`).toBe(
        true,
      );
    }
    await expectDeliveryInvariants(h, [c]);
  });

  it('suppresses with reason quiet-hours when the window ends after the send-by deadline', async () => {
    const c = nightSms('2026-10-25T23:30');
    const h = await harness([c]);
    await h.run(h.waves(c)[0] as never);
    const rows = await h.ledger(c.id);
    expect(byStatus(rows, 'suppressed', 'quiet-hours').length).toBeGreaterThan(10);
    expect(byStatus(rows, 'sent').filter((r) => r.channel === 'sms')).toEqual([]);
    await expectDeliveryInvariants(h, [c]);
  });
});

describe('budget', () => {
  it('serves the highest-value recipients first and suppresses the rest with reason budget', async () => {
    const c = copyWithWaves(
      d11,
      [
        {
          ...wave(d11, 'd11-afternoon'),
          start: '2026-11-11T14:00',
          channel: 'email',
          fallback: [],
          limits: { budget: 1.5 },
        },
      ],
      { contactPolicy: undefined },
    );
    const h = await harness([c]);
    await h.run(h.waves(c)[0] as never);
    const rows = await h.ledger(c.id);
    const served = rows.filter((r) => r.status === 'sent' || r.status === 'failed');
    const over = byStatus(rows, 'suppressed', 'budget');
    expect(served.length).toBe(150); // 1.50 at 0.01 per email
    expect(over.length).toBeGreaterThan(100);
    const spend = new Map(
      (
        await h.warehouse.query(
          sql`SELECT customer_id, sum(amount) AS s FROM orders WHERE status = 'paid' GROUP BY 1`,
        )
      ).rows.map((r) => [r.customer_id, Number(r.s)]),
    );
    const minServed = Math.min(...served.map((r) => spend.get(r.customer_id) ?? 0));
    const maxOver = Math.max(...over.map((r) => spend.get(r.customer_id) ?? 0));
    expect(minServed).toBeGreaterThanOrEqual(maxOver);
    await expectDeliveryInvariants(h, [c]);
  });
});

describe('faults: nothing sent twice, nothing lost', () => {
  const cashbackOnly = () => copyWithWaves(d11, [wave(d11, 'd11-cashback')]);

  it('a crash between claim and send: the batch is redelivered and its recipients recorded failed, never resent', async () => {
    const c = cashbackOnly();
    const h = await harness([c]);
    h.local.email = faultySender(h.local.email, { throwAt: 1 }) as never;
    await h.run(h.waves(c)[0] as never);
    const interrupted = byStatus(await h.ledger(c.id), 'failed', INTERRUPTED);
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.length).toBeLessThanOrEqual(50);
    const outbox = new Set(await h.outboxSendIds());
    for (const r of interrupted) expect(outbox.has(String(r.send_id))).toBe(false);
    await expectDeliveryInvariants(h, [c]);
  });

  it('SES throttling bursts: throttled messages are re-queued with backoff and sent once', async () => {
    const c = cashbackOnly();
    const h = await harness([c]);
    const email = faultySender(h.local.email, {
      failAt: (call) => call % 3 !== 0,
      error: 'TooManyRequestsException after 6 attempts',
      retryable: true,
    });
    h.local.email = email as never;
    const before = h.clock.now();
    await h.run(h.waves(c)[0] as never);
    const rows = await h.ledger(c.id);
    expect(byStatus(rows, 'sent').filter((r) => r.channel === 'email').length).toBeGreaterThan(50);
    expect(email.calls).toBeGreaterThan(3);
    expect(h.clock.now().getTime()).toBeGreaterThan(before.getTime());
    await expectDeliveryInvariants(h, [c]);
  });

  it('poison messages are dead-lettered and their recipients recorded failed; unreadable ones are reported', async () => {
    const c = cashbackOnly();
    const h = await harness([c]);
    const ghost = {
      v: 1,
      campaignId: c.id,
      waveId: 'no-such-wave',
      channel: 'email',
      category: 'marketing',
      plannedAt: '2026-11-10T16:00:00.000Z',
      recipients: [
        {
          customerId: 'ghost-1',
          address: 'a@example.com',
          name: null,
          province: null,
          city: null,
          memberTier: null,
          timeZone: null,
          variant: null,
          tier: null,
        },
      ],
    };
    await h.local.queue.send([JSON.stringify(ghost), '{not json']);
    const result = await h.run(h.waves(c)[0] as never);
    expect(result.deadLetters.failed).toBe(1);
    expect(result.deadLetters.unreadable).toHaveLength(1);
    const ghostRows = (await h.ledger(c.id)).filter((r) => r.wave_id === 'no-such-wave');
    expect(ghostRows).toHaveLength(1);
    expect(String(ghostRows[0]?.reason)).toMatch(/^dead-lettered: UnknownWaveError: no wave no-such-wave/);
    await expectDeliveryInvariants(h, [c]);
  });

  it('two waves at once, competing for the same customers under a cap of one', async () => {
    const a: Campaign = { ...cashbackOnly(), contactPolicy: undefined };
    const b: Campaign = { ...a, id: 'd11-twin' };
    const h = await harness([a, b]);
    const { launchAndPlan } = await import('../../shared/delivery/plan-wave.ts');
    const { handleSendBatches } = await import('../../shared/delivery/send-batch.ts');
    const deps = { ...h.local, warehouse: h.warehouse, dialect: 'duckdb' as const, catalog: h.catalog };
    const [wa] = h.waves(a);
    const [wb] = h.waves(b);
    if (!wa || !wb) throw new Error('waves missing');
    h.clock.set(wa.start);
    await launchAndPlan(deps, wa);
    await launchAndPlan(deps, wb);
    const outcomes: { sent: number; suppressed: number; failed: number }[] = [];
    await h.local.queue.drain(
      async (records) => {
        const out = await handleSendBatches(deps, records);
        outcomes.push(...out.outcomes);
        return out;
      },
      { advance: (t) => h.clock.set(t) },
    );
    await h.local.ledger.flush();
    await h.warehouse.refreshViews(h.dataDir);
    for (const c of [a, b]) {
      const [sw] = h.waves(c);
      const run = await h.local.runs.get(c.id, sw?.wave.id ?? '');
      if (run) await h.local.runs.put({ ...run, state: 'drained' });
    }
    const rows = [...(await h.ledger(a.id)), ...(await h.ledger(b.id))];
    // What the handler reports per batch (its metrics) adds up to the ledger's rows from sending.
    const fromSending = rows.filter((r) => !['holdout', 'no-address', 'opt-out'].includes(String(r.reason)));
    expect(outcomes.reduce((n, o) => n + o.sent + o.suppressed + o.failed, 0)).toBe(fromSending.length);
    expect(outcomes.reduce((n, o) => n + o.sent, 0)).toBe(byStatus(rows, 'sent').length);
    const sentTo = byStatus(rows, 'sent')
      .filter((r) => r.channel !== 'call-list')
      .map((r) => r.customer_id);
    expect(new Set(sentTo).size).toBe(sentTo.length);
    expect(byStatus(rows, 'suppressed', 'cap').length).toBeGreaterThan(50);
    await expectDeliveryInvariants(h, [a, b]);
  });
});
