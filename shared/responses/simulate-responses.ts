import { createHash } from 'node:crypto';
import type { Channel } from '../campaign/contact-policy-schema.ts';
import { oneSendSql } from '../delivery/ledger/ledger.ts';
import type { TableWriter } from '../lake/table-writer.ts';
import { tableTimestamp } from '../lake/table-writer.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { sqlString } from '../segment/sql-literals.ts';
import { type IngestDeps, writeResponses } from './ingest-events.ts';
import type { EventRow, Suppression } from './response-events.ts';

/**
 * The simulated audience, for runs on one machine (never on AWS, where real events arrive): a seeded
 * response model that turns a wave's sends into delivery, open, click, bounce and unsubscribe events and
 * its treated and holdout customers into orders over the days after the wave. Every customer in the
 * wave, treated or held out, buys at the base rate (a daily draw, each day drawn once per campaign);
 * each message adds purchases at base × (trueLift − 1), so treated customers buy at about base × trueLift. Everything it writes is marked simulated
 * (events.source = 'simulation', orders.source = 'simulation', order ids `sim-…`).
 */
export interface ResponseModel {
  seed: number;
  /** P(delivered | sent) per channel; an undelivered email is a permanent bounce. */
  delivered: Record<Channel, number>;
  /** P(opened | delivered email). */
  opened: number;
  /** P(clicked | opened) for email, P(clicked | delivered) for SMS, P(positive call) for the call list. */
  clicked: Record<Channel, number>;
  /** P(unsubscribes | delivered email). */
  unsubscribed: number;
  /** P(a customer orders within the window) without the campaign. */
  baseConversion: number;
  /** The campaign's true effect on conversion: treated customers order at base × trueLift. */
  trueLift: number;
  /** Share of those orders created but left unpaid (what unpaid reminders are for). */
  unpaidShare: number;
  /** Days after the wave in which responses happen. */
  windowDays: number;
}

export const DEFAULT_RESPONSE_MODEL: ResponseModel = {
  seed: 1,
  delivered: { email: 0.96, sms: 0.98, 'call-list': 1 },
  opened: 0.22,
  clicked: { email: 0.18, sms: 0.05, 'call-list': 0.4 },
  unsubscribed: 0.004,
  baseConversion: 0.04,
  trueLift: 1.5,
  unpaidShare: 0.08,
  windowDays: 2,
};

export interface SimulationDeps extends IngestDeps {
  warehouse: Warehouse;
  orders: TableWriter;
}

export interface SimulationReport {
  events: number;
  orders: number;
  unpaid: number;
  suppressed: number;
}

const HOUR = 3_600_000;

/** A uniform draw in [0, 1) fixed by the seed and the key: the same run simulates the same responses. */
function draw(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

export async function simulateWaveResponses(
  deps: SimulationDeps,
  campaignId: string,
  waveId: string,
  model: ResponseModel = DEFAULT_RESPONSE_MODEL,
): Promise<SimulationReport> {
  const campaign = sqlString(campaignId);
  const wave = sqlString(waveId);
  const { rows } = await deps.warehouse.query(`WITH s AS (
  SELECT * FROM (
    ${oneSendSql(['customer_id', 'status', 'channel', 'reason', 'sent_at', 'planned_at', 'message_id'], `campaign_id = ${campaign} AND wave_id = ${wave}`)}
  ) o WHERE status = 'sent' OR reason = 'holdout'
),
-- Each customer's base purchases are one calendar process: days already simulated by an earlier wave of
-- the campaign are not drawn again.
covered AS (SELECT customer_id, max(planned_at) AS last_planned FROM sends
  WHERE campaign_id = ${campaign} AND wave_id <> ${wave} AND (status = 'sent' OR reason = 'holdout')
    AND planned_at < (SELECT min(planned_at) FROM sends WHERE campaign_id = ${campaign} AND wave_id = ${wave})
  GROUP BY customer_id),
aov AS (SELECT customer_id, avg(amount) AS aov FROM orders WHERE status = 'paid' GROUP BY customer_id)
SELECT s.*, coalesce(aov.aov, 150) AS aov, cv.last_planned FROM s LEFT JOIN aov ON aov.customer_id = s.customer_id
LEFT JOIN covered cv ON cv.customer_id = s.customer_id
ORDER BY s.send_id`);
  const events: EventRow[] = [];
  const suppressions: Suppression[] = [];
  const orders: Record<string, string | number | null>[] = [];
  let unpaid = 0;
  for (const r of rows) {
    const sendId = String(r.send_id);
    const customerId = String(r.customer_id);
    const u = (purpose: string) => draw(model.seed, `${sendId}:${purpose}`);
    const treated = r.status === 'sent';
    const start = new Date(`${String(treated ? r.sent_at : r.planned_at).replace(' ', 'T')}Z`);
    const at = (hours: number) => new Date(start.getTime() + hours * HOUR);
    const channel = (r.channel as Channel | null) ?? 'email';
    const event = (eventType: string, when: Date, detail: string | null = null): EventRow => ({
      eventId: `sim-${createHash('sha256').update(`${sendId}:${eventType}`).digest('hex').slice(0, 24)}`,
      eventType,
      campaignId,
      waveId,
      customerId,
      channel: channel === 'sms' ? 'sms' : 'email',
      sendId,
      messageId: r.message_id === null ? null : String(r.message_id),
      occurredAt: when,
      detail,
      source: 'simulation',
    });
    let clicked = false;
    if (treated) {
      if (u('delivered') < model.delivered[channel]) {
        events.push(event('delivered', at(0.01)));
        const engaged = channel === 'email' ? u('opened') < model.opened : true;
        if (channel === 'email' && engaged) events.push(event('opened', at(1 + 10 * u('open-time'))));
        if (engaged && u('clicked') < model.clicked[channel]) {
          clicked = true;
          events.push(event('clicked', at(1.5 + 10 * u('click-time'))));
        }
        if (channel === 'email' && u('unsubscribed') < model.unsubscribed) {
          const when = at(2 + 10 * u('unsub-time'));
          events.push(event('unsubscribed', when));
          suppressions.push({ customerId, channel: 'email', reason: 'opt-out', at: when });
        }
      } else if (channel === 'email') {
        const when = at(0.01);
        events.push(event('bounced', when, 'Permanent'));
        suppressions.push({ customerId, channel: 'email', reason: 'bounced', at: when });
      }
    }
    const order = (id: string, created: Date, key: string) => {
      const left = draw(model.seed, `${key}:unpaid`) < model.unpaidShare;
      unpaid += left ? 1 : 0;
      orders.push({
        order_id: `sim-${campaignId}-${createHash('sha256').update(`${model.seed}:${id}`).digest('hex').slice(0, 16)}`,
        customer_id: customerId,
        created_at: tableTimestamp(created),
        paid_at: left ? null : tableTimestamp(new Date(created.getTime() + 5 * 60_000)),
        status: left ? 'unpaid' : 'paid',
        amount: Math.round(Number(r.aov) * (0.6 + 0.8 * draw(model.seed, `${key}:amount`)) * 100) / 100,
        discount: 0,
        channel: 'organic',
        source: 'simulation',
        dt: created.toISOString().slice(0, 7),
      });
    };
    // Base purchases, treated or not: a daily draw per customer, so that P(an order within the window)
    // is baseConversion, on days no earlier wave of the campaign has simulated for them.
    const daily = 1 - (1 - model.baseConversion) ** (1 / model.windowDays);
    const planned = new Date(`${String(r.planned_at).replace(' ', 'T')}Z`);
    const coveredUntil = r.last_planned
      ? new Date(`${String(r.last_planned).replace(' ', 'T')}Z`).getTime() + model.windowDays * 86_400_000
      : 0;
    for (let d = 0; d < model.windowDays; d++) {
      const dayStart = planned.getTime() + d * 86_400_000;
      if (dayStart < coveredUntil) continue;
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const key = `base:${customerId}:${day}`;
      if (draw(model.seed, key) < daily)
        order(key, new Date(dayStart + 86_400_000 * draw(model.seed, `${key}:time`)), key);
    }
    // The campaign's effect: treated customers buy on top of that, base × (trueLift − 1) per message,
    // soon after a click when they clicked.
    if (treated && u('lifted') < model.baseConversion * (model.trueLift - 1)) {
      const created = at(clicked ? 2 + 12 * u('order-time') : model.windowDays * 24 * u('order-time'));
      order(sendId, created, `${sendId}:lifted`);
    }
  }
  const suppressed = await writeResponses(deps, events, suppressions);
  await deps.orders.append(orders);
  return { events: events.length, orders: orders.length, unpaid, suppressed };
}
