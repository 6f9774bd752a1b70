import { createHash } from 'node:crypto';
import type { Campaign } from '../campaign/campaign-schema.ts';
import { Channel } from '../campaign/contact-policy-schema.ts';
import { baseWaveId } from '../campaign/wave-repeat.ts';
import { templateNames, templateUsesProducts } from '../delivery/render/render-message.ts';
import { col, rowDecoder } from '../lake/row-decoder.ts';
import { type TableRecord, type TableWriter, tableTimestamp } from '../lake/table-writer.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { waveRule } from '../segment/audience-sql.ts';
import { remindsUnpaid } from '../segment/rule-walk.ts';
import { type IngestDeps, writeResponses } from './ingest-events.ts';
import type { EventRow, Suppression } from './response-events.ts';
import { simulatedAudienceSql } from './simulated-audience-sql.ts';

/**
 * The simulated audience, for runs on one machine (never on AWS, where real events arrive): a seeded
 * response model that turns a wave's sends into delivery, open, click, bounce and unsubscribe events and
 * everyone the wave assigned, treated or held out, into orders over the days after the wave.
 *
 * Customers differ: each buys on a day with their own propensity, from their history before the wave —
 * paid orders in the last year (frequency), and for repeat buyers how far they are into their usual gap
 * between orders (their cycle) — so segments respond differently and selection effects are visible.
 * Every assigned customer, whatever their group and whether or not a message went out, buys at that
 * base; a message that was sent adds purchases at base × (trueLift − 1). A reminder about unpaid orders
 * gets them paid: at `paysUnpaid` without it, × trueLift with it. A click on a message that shows the
 * wave's products is on one of them (or the landing page), by each product's appeal; an order the message
 * caused after that click carries the clicked product at the product's own fit (else any catalogue
 * product), so products differ in clicks and in conversion. Everything it writes is marked simulated
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
  /**
   * How much more customers buy in these days than their year's average (a promotion season draws them):
   * a day's propensity is (orders in the last 365 days + 0.2) / 365 × activity × cycle.
   */
  activity: number;
  /** The campaign's true effect on conversion: treated customers order at base × trueLift. */
  trueLift: number;
  /**
   * A variant's own true effect, in place of trueLift for the messages of that variant (a planted
   * difference between A/B variants, for the rollout's truth test); absent: every variant at trueLift.
   */
  variantLift?: Record<string, number>;
  /**
   * A segment's own true effect, by the ledger's `segment` of the send (a grouped pilot's or rollout's
   * group), in place of trueLift for its customers (a variant's planted lift still comes first): a message
   * that works in one group only, for the grouped rollout's truth test.
   */
  segmentLift?: Record<string, number>;
  /** Share of orders created and left unpaid (what unpaid reminders are for). */
  unpaidShare: number;
  /** P(an unpaid order is paid in the window) without a reminder. */
  paysUnpaid: number;
  /** Days after the wave in which responses happen. */
  windowDays: number;
}

export const DEFAULT_RESPONSE_MODEL: ResponseModel = {
  seed: 1,
  delivered: { email: 0.96, sms: 0.98, 'call-list': 1 },
  opened: 0.22,
  clicked: { email: 0.18, sms: 0.05, 'call-list': 0.4 },
  unsubscribed: 0.004,
  activity: 2.5,
  trueLift: 1.5,
  unpaidShare: 0.08,
  paysUnpaid: 0.3,
  windowDays: 2,
};

/** An unpaid order to be recorded as paid (the local wiring merges it into the lake by order id). */
export interface Payment {
  orderId: string;
  customerId: string;
  createdAt: Date;
  paidAt: Date;
  amount: number;
  discount: number;
  channel: string;
}

export interface SimulationDeps extends IngestDeps {
  warehouse: Warehouse;
  orders: TableWriter;
  orderItems: TableWriter;
  payOrders: (payments: Payment[]) => Promise<void>;
}

export interface SimulationReport {
  events: number;
  orders: number;
  unpaid: number;
  /** Unpaid orders paid in the window. */
  paid: number;
  suppressed: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A uniform draw in [0, 1) fixed by the seed and the key: the same run simulates the same responses. */
function draw(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** A TIMESTAMP as DuckDB's text gives it (`2026-11-11 10:00:00`, UTC) as an instant. */
const instant = (v: string) => new Date(`${v.replace(' ', 'T')}Z`);

const recipientColumns = rowDecoder('the simulated audience’s recipients', {
  send_id: col.text,
  customer_id: col.text,
  segment: col.optionalText,
  status: col.text,
  channel: col.optionalOneOf(Channel.options),
  variant: col.optionalText,
  sent_at: col.optionalText,
  planned_at: col.text,
  message_id: col.optionalText,
  aov: col.number,
  last_planned: col.optionalText,
  daily_propensity: col.number,
});
const productColumns = rowDecoder('the simulated audience’s products', {
  sku: col.text,
  category: col.optionalText,
  season: col.optionalText,
  launch_date: col.optionalText,
});
const unpaidColumns = rowDecoder('the simulated audience’s unpaid orders', {
  order_id: col.text,
  customer_id: col.text,
  created_at: col.text,
  amount: col.number,
  discount: col.optionalNumber,
  channel: col.optionalText,
  planned_at: col.text,
});

export async function simulateWaveResponses(
  deps: SimulationDeps,
  campaign: Campaign,
  waveId: string,
  model: ResponseModel = DEFAULT_RESPONSE_MODEL,
): Promise<SimulationReport> {
  // A run of a recurring or triggered wave (member-day@2026-12-15T10:00) is simulated as its wave.
  const wave = campaign.waves.find((w) => w.id === baseWaveId(waveId));
  if (!wave) throw new RangeError(`no wave ${waveId} in campaign ${campaign.id}`);
  const reminder = remindsUnpaid(waveRule(campaign, wave), campaign.segments);
  const sql = simulatedAudienceSql(campaign.id, waveId);
  const rows = (await deps.warehouse.query(sql.recipients)).rows.map(recipientColumns);
  const products = (await deps.warehouse.query(sql.products)).rows.map(productColumns);
  const catalogue = new Map(products.map((p) => [p.sku, p]));
  const linked = productLinks(campaign.id, wave.products ?? [], model.seed);
  const unpaidOrders = reminder ? (await deps.warehouse.query(sql.unpaidOrders)).rows.map(unpaidColumns) : [];
  const events: EventRow[] = [];
  const suppressions: Suppression[] = [];
  const orders: TableRecord[] = [];
  const lines: TableRecord[] = [];
  const payments: Payment[] = [];
  let unpaid = 0;
  const sentTo = new Map<string, { at: Date; clicked: boolean }>();
  for (const r of rows) {
    const sendId = r.send_id;
    const customerId = r.customer_id;
    const u = (purpose: string) => draw(model.seed, `${sendId}:${purpose}`);
    const treated = r.status === 'sent';
    if (treated && r.sent_at === null) throw new RangeError(`send ${sendId} is sent but has no sent_at`);
    const start = instant(treated && r.sent_at !== null ? r.sent_at : r.planned_at);
    const at = (hours: number) => new Date(start.getTime() + hours * HOUR);
    const channel = r.channel ?? 'email';
    const event = (
      eventType: string,
      when: Date,
      detail: string | null = null,
      sku: string | null = null,
    ): EventRow => ({
      eventId: `sim-${createHash('sha256').update(`${sendId}:${eventType}`).digest('hex').slice(0, 24)}`,
      eventType,
      campaignId: campaign.id,
      waveId,
      customerId,
      channel: channel === 'sms' ? 'sms' : 'email',
      sendId,
      messageId: r.message_id,
      occurredAt: when,
      detail,
      sku,
      source: 'simulation',
    });
    let clicked = false;
    let clickedSku: string | null = null;
    if (treated) {
      if (u('delivered') < model.delivered[channel]) {
        events.push(event('delivered', at(0.01)));
        const engaged = channel === 'email' ? u('opened') < model.opened : true;
        if (channel === 'email' && engaged) events.push(event('opened', at(1 + 10 * u('open-time'))));
        if (engaged && u('clicked') < model.clicked[channel]) {
          clicked = true;
          const variant = r.variant;
          if (templateUsesProducts(wave, variant, channel))
            clickedSku = linked.pick(u('clicked-link'), templateNames(wave, variant, channel, 'link'));
          events.push(event('clicked', at(1.5 + 10 * u('click-time')), null, clickedSku));
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
      sentTo.set(customerId, { at: start, clicked });
    }
    const order = (id: string, created: Date, key: string, clickedSku: string | null = null) => {
      const left = draw(model.seed, `${key}:unpaid`) < model.unpaidShare;
      unpaid += left ? 1 : 0;
      const orderId = `sim-${campaign.id}-${createHash('sha256').update(`${model.seed}:${id}`).digest('hex').slice(0, 16)}`;
      const amount = Math.round(r.aov * (0.6 + 0.8 * draw(model.seed, `${key}:amount`)) * 100) / 100;
      const status = left ? 'unpaid' : 'paid';
      orders.push({
        order_id: orderId,
        customer_id: customerId,
        created_at: tableTimestamp(created),
        paid_at: left ? null : tableTimestamp(new Date(created.getTime() + 5 * 60_000)),
        status,
        amount,
        discount: 0,
        channel: 'organic',
        source: 'simulation',
        dt: created.toISOString().slice(0, 7),
      });
      const bought = clickedSku !== null && draw(model.seed, `${key}:fit`) < linked.fit(clickedSku);
      const product = bought
        ? (catalogue.get(clickedSku as string) ?? {
            sku: clickedSku,
            category: null,
            season: null,
            launch_date: null,
          })
        : products[Math.floor(draw(model.seed, `${key}:sku`) * products.length)];
      if (product)
        lines.push({
          order_id: orderId,
          line_no: 1,
          customer_id: customerId,
          created_at: tableTimestamp(created),
          order_status: status,
          sku: product.sku,
          category: product.category,
          season: product.season,
          launch_date: product.launch_date,
          quantity: 1,
          unit_price: amount,
          dt: created.toISOString().slice(0, 7),
        });
    };
    // The customer's own propensity to buy on a day, from their history before the wave.
    const daily = Math.min(0.3, r.daily_propensity * model.activity);
    const inWindow = 1 - (1 - daily) ** model.windowDays;
    // Base purchases, in either group, sent or not: a daily draw, on days no earlier wave of the campaign
    // has simulated for them (each customer's base purchases are one calendar process).
    const planned = instant(r.planned_at);
    const coveredUntil = r.last_planned ? instant(r.last_planned).getTime() + model.windowDays * DAY : 0;
    for (let d = 0; d < model.windowDays; d++) {
      const dayStart = planned.getTime() + d * DAY;
      if (dayStart < coveredUntil) continue;
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const key = `base:${customerId}:${day}`;
      if (draw(model.seed, key) < daily)
        order(key, new Date(dayStart + DAY * draw(model.seed, `${key}:time`)), key);
    }
    // The campaign's effect: a message that went out adds purchases at base × (trueLift − 1) (its variant's
    // or its segment's lift, when planted), soon after a click when they clicked.
    const lift =
      (r.variant === null ? undefined : model.variantLift?.[r.variant]) ??
      (r.segment === null ? undefined : model.segmentLift?.[r.segment]) ??
      model.trueLift;
    if (treated && u('lifted') < inWindow * (lift - 1)) {
      const created = at(clicked ? 2 + 12 * u('order-time') : model.windowDays * 24 * u('order-time'));
      order(sendId, created, `${sendId}:lifted`, clickedSku);
    }
  }
  // A reminder's purpose: unpaid orders paid. Without it at paysUnpaid, with a message × trueLift.
  for (const o of unpaidOrders) {
    const key = `pay:${o.order_id}`;
    const sent = sentTo.get(o.customer_id);
    const p = Math.min(1, model.paysUnpaid * (sent ? model.trueLift : 1));
    if (draw(model.seed, key) >= p) continue;
    const from = sent?.at ?? instant(o.planned_at);
    const hours = sent?.clicked
      ? 0.5 + 6 * draw(model.seed, `${key}:time`)
      : model.windowDays * 24 * draw(model.seed, `${key}:time`);
    payments.push({
      orderId: o.order_id,
      customerId: o.customer_id,
      createdAt: instant(o.created_at),
      paidAt: new Date(from.getTime() + hours * HOUR),
      amount: o.amount,
      discount: o.discount ?? 0,
      channel: o.channel ?? 'organic',
    });
  }
  const suppressed = await writeResponses(deps, events, suppressions);
  await deps.orders.append(orders);
  await deps.orderItems.append(lines);
  await Promise.all([deps.orders.flush(), deps.orderItems.flush()]);
  if (payments.length > 0) await deps.payOrders(payments);
  return { events: events.length, orders: orders.length, unpaid, paid: payments.length, suppressed };
}

/**
 * The wave's linked products as the simulated audience sees them: each has an appeal (its weight among
 * the links a click lands on; the landing page, where the message shows it, weighs 1) and a fit (the
 * chance that an order caused after a click on it buys it), both drawn per campaign and sku from the seed.
 */
function productLinks(campaignId: string, products: readonly { sku: string }[], seed: number) {
  const appeal = products.map((p) => 0.25 + 1.5 * draw(seed, `appeal:${campaignId}:${p.sku}`));
  const fit = new Map(products.map((p) => [p.sku, 0.3 + 0.7 * draw(seed, `fit:${campaignId}:${p.sku}`)]));
  const total = appeal.reduce((a, b) => a + b, 0);
  return {
    /** The sku clicked for a uniform draw `u`, or null for the landing page. */
    pick(u: number, withLandingPage: boolean): string | null {
      let x = u * (total + (withLandingPage ? 1 : 0));
      for (let i = 0; i < products.length; i++) {
        x -= appeal[i] as number;
        if (x < 0) return (products[i] as { sku: string }).sku;
      }
      return null;
    },
    fit: (sku: string) => fit.get(sku) ?? 0,
  };
}
