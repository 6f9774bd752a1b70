import type { Wave } from '../campaign/campaign-schema.ts';
import type { Channel } from '../campaign/contact-policy-schema.ts';
import type { Clock } from '../clock.ts';
import type { CampaignCatalog, ScheduledWave } from './campaign-catalog.ts';
import { type ClaimResult, claimChange, markChange, type SendState } from './contact-policy/claim.ts';
import type { ContactStore } from './contact-policy/contact-store.ts';
import { type QuietDecision, quietHoursDecision } from './contact-policy/quiet-hours.ts';
import { type LedgerRow, type LedgerWriter, sendIdOf } from './ledger/ledger.ts';
import type { LinkIssuer, LinkStore, TrackedLink } from './links/short-links.ts';
import type { QueueProducer, QueueRecord } from './queue/queue.ts';
import { type Rendered, renderMessage, templateUsesProducts } from './render/render-message.ts';
import {
  type BatchRecipient,
  batchLedgerRow,
  parseSendBatch,
  type SendBatchMessage,
} from './send-batch-message.ts';
import { formatCallTime, suggestedCallTime } from './senders/call-list-sheet.ts';
import type { CallListWriter } from './senders/call-list-writer.ts';
import type { EmailSender, SendResult } from './senders/email-sender.ts';
import type { SmsSender } from './senders/sms-sender.ts';

export interface SendDeps {
  catalog: CampaignCatalog;
  contacts: ContactStore;
  ledger: LedgerWriter;
  links: LinkStore;
  linkIssuer: LinkIssuer;
  queues: Record<Channel, QueueProducer>;
  email: EmailSender;
  sms: SmsSender;
  callList: CallListWriter;
  clock: Clock;
  /** Provider throttling that outlasted the sender's own retries: re-queued this many times at most. */
  maxAttempts?: number;
  /** First re-queue delay after throttling; doubles per attempt. */
  retryDelaySeconds?: number;
}

/** Why a claimed send that was never confirmed is not sent again: at most one message per wave, ever. */
export const INTERRUPTED =
  'interrupted: claimed but never confirmed sent (not resent: at most once per wave)';

/**
 * The send handler, for the SQS event source mapping and the local queue alike: each record is one
 * batch of recipients of one wave and channel, handled on its own; a record that throws is reported as
 * failed (partial batch failure) and redelivered, and after maxReceiveCount dead-lettered.
 */
export async function handleSendBatches(
  deps: SendDeps,
  records: readonly QueueRecord[],
): Promise<{ failedIds: string[]; errors: Record<string, string>; outcomes: BatchOutcome[] }> {
  const failedIds: string[] = [];
  const errors: Record<string, string> = {};
  const outcomes: BatchOutcome[] = [];
  for (const record of records) {
    try {
      outcomes.push(await sendBatch(deps, parseSendBatch(record.body)));
    } catch (e) {
      failedIds.push(record.messageId);
      errors[record.messageId] = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300);
    }
  }
  return { failedIds, errors, outcomes };
}

/** What became of one batch's recipients (for metrics and logs; the ledger has each one). */
export interface BatchOutcome {
  campaignId: string;
  waveId: string;
  channel: Channel;
  sent: number;
  suppressed: number;
  failed: number;
  /** Back on the queue: deferred by quiet hours or throttling. */
  requeued: number;
}

interface Pending {
  recipient: BatchRecipient;
  sendId: string;
  rendered?: Rendered;
}

/**
 * Per recipient: quiet hours → one atomic claim (idempotency, suppression, caps, reservations) → render
 * → send → ledger → mark. Every recipient leaves with a ledger row or back on the queue (deferred by
 * quiet hours, or throttled), never neither.
 */
export async function sendBatch(deps: SendDeps, msg: SendBatchMessage): Promise<BatchOutcome> {
  const sw = await deps.catalog.wave(msg.campaignId, msg.waveId);
  const { campaign, wave } = sw;
  const now = deps.clock.now();
  const outcome = (rows: LedgerRow[], requeued: number): BatchOutcome => ({
    campaignId: msg.campaignId,
    waveId: msg.waveId,
    channel: msg.channel,
    sent: rows.filter((r) => r.status === 'sent').length,
    suppressed: rows.filter((r) => r.status === 'suppressed').length,
    failed: rows.filter((r) => r.status === 'failed').length,
    requeued,
  });
  if (msg.notBefore && Date.parse(msg.notBefore) > now.getTime()) {
    await requeue(deps, msg, msg.recipients, new Date(msg.notBefore));
    return outcome([], msg.recipients.length);
  }
  const rows: LedgerRow[] = [];
  const marks: { customerId: string; sendId: string; state: SendState }[] = [];
  const row = (r: BatchRecipient, over: Partial<LedgerRow> & Pick<LedgerRow, 'status'>) =>
    batchLedgerRow(msg, r, over);
  const fail = (p: Pending, error: string) => {
    rows.push(row(p.recipient, { status: 'failed', reason: error }));
    marks.push({ customerId: p.recipient.customerId, sendId: p.sendId, state: 'failed' });
  };

  // Quiet hours, in the recipient's zone (else the campaign's).
  const deferred = new Map<number, BatchRecipient[]>();
  const ready: BatchRecipient[] = [];
  const byZone = new Map<string, QuietDecision>(); // one decision per zone: the batch shares `now`
  for (const r of msg.recipients) {
    if (now > sw.sendBy) {
      rows.push(row(r, { status: 'failed', reason: "deadline: reached the queue after the wave's send-by" }));
      continue;
    }
    const zone = r.timeZone ?? campaign.timeZone;
    let d = byZone.get(zone);
    if (!d) {
      d = quietHoursDecision(now, sw.policy.quietHours[msg.channel], zone, sw.sendBy);
      byZone.set(zone, d);
    }
    if (d.kind === 'send') ready.push(r);
    else if (d.kind === 'suppress') rows.push(row(r, { status: 'suppressed', reason: 'quiet-hours' }));
    else deferred.set(d.until.getTime(), [...(deferred.get(d.until.getTime()) ?? []), r]);
  }

  // One atomic claim per recipient.
  const claims = await deps.contacts.apply(
    ready.map((r) =>
      claimChange({
        sendId: sendIdOf(campaign.id, wave.id, r.customerId),
        wave: `${campaign.id}/${wave.id}`,
        customerId: r.customerId,
        channel: msg.channel,
        category: wave.category,
        priority: wave.priority,
        at: now,
        caps: sw.policy.caps,
      }),
    ),
  );
  const toSend: Pending[] = [];
  ready.forEach((recipient, i) => {
    const p = { recipient, sendId: sendIdOf(campaign.id, wave.id, recipient.customerId) };
    const outcome = claimOutcome(claims[i] as ClaimResult);
    if (outcome === 'send') toSend.push(p);
    else if (outcome === 'skip') return;
    else if (outcome === 'interrupted') fail(p, INTERRUPTED);
    else rows.push(row(recipient, { status: 'suppressed', reason: outcome.suppressed }));
  });

  // Links and rendering; a failure here happens before any provider call, so the claims are retried.
  const linkRecords: TrackedLink[] = [];
  try {
    for (const p of toSend) {
      const products = templateUsesProducts(wave, p.recipient.variant, msg.channel) ? wave.products : [];
      const links = deps.linkIssuer.issue(p.sendId, wave.link ?? null, now, msg.channel, products);
      linkRecords.push(...links.records);
      const out = renderMessage({
        campaign,
        wave,
        variantId: p.recipient.variant,
        channel: msg.channel,
        recipient: p.recipient,
        links,
      });
      if (out.ok) p.rendered = out.message;
      else fail(p, out.error);
    }
    await deps.links.put(linkRecords);
  } catch (e) {
    await deps.contacts.apply(
      toSend.map((p) => markChange(p.recipient.customerId, p.sendId, 'retrying', now)),
    );
    throw e;
  }

  // Send. A sender that throws leaves its claims open: the outcome is unknown, and on redelivery those
  // recipients are recorded as interrupted rather than risk a second message.
  const sending = toSend.filter((p) => p.rendered);
  const results = await send(deps, sw, msg, sending);
  const retry: BatchRecipient[] = [];
  const maxAttempts = deps.maxAttempts ?? 4;
  sending.forEach((p, i) => {
    const result = results[i] as SendResult;
    const rendered = p.rendered as Rendered;
    if (result.kind === 'sent') {
      rows.push(
        row(p.recipient, {
          status: 'sent',
          smsSegments: rendered.channel === 'sms' ? rendered.segments : null,
          cost: rendered.cost,
          messageId: result.messageId,
          sentAt: now,
        }),
      );
      marks.push({ customerId: p.recipient.customerId, sendId: p.sendId, state: 'sent' });
    } else if (result.retryable && p.recipient.attempt < maxAttempts) {
      retry.push({ ...p.recipient, attempt: p.recipient.attempt + 1 });
      marks.push({ customerId: p.recipient.customerId, sendId: p.sendId, state: 'retrying' });
    } else fail(p, result.error);
  });

  // The ledger first, then the marks: a crash between them repeats a row (readers take one per send),
  // never loses one.
  await deps.ledger.append(rows);
  await deps.contacts.apply(marks.map((m) => markChange(m.customerId, m.sendId, m.state, now)));
  for (const [until, list] of deferred) await requeue(deps, msg, list, new Date(until));
  if (retry.length) {
    const attempt = Math.max(...retry.map((r) => r.attempt));
    const delay = (deps.retryDelaySeconds ?? 30) * 2 ** (attempt - 2);
    await requeue(deps, msg, retry, new Date(now.getTime() + delay * 1000));
  }
  return outcome(rows, retry.length + [...deferred.values()].reduce((n, l) => n + l.length, 0));
}

function claimOutcome(c: ClaimResult): 'send' | 'skip' | 'interrupted' | { suppressed: string } {
  switch (c.kind) {
    case 'claimed':
      return 'send';
    case 'duplicate':
      // sent or failed: recorded already; retrying: the provider refused it, the claim stands.
      return c.state === 'retrying' ? 'send' : c.state === 'claimed' ? 'interrupted' : 'skip';
    case 'capped':
      return { suppressed: 'cap' };
    case 'reserved':
      return { suppressed: 'reserved' };
    case 'suppressed':
      return { suppressed: c.reason };
  }
}

async function send(
  deps: SendDeps,
  sw: ScheduledWave,
  msg: SendBatchMessage,
  list: Pending[],
): Promise<SendResult[]> {
  const { campaign, wave } = sw;
  const tags = (p: Pending) => ({ campaign: campaign.id, wave: wave.id, send: p.sendId });
  if (list.length === 0) return [];
  if (msg.channel === 'email') {
    const ch = campaign.channels.email;
    return deps.email.send(
      list.map((p) => {
        const m = p.rendered as Extract<Rendered, { channel: 'email' }>;
        return {
          sendId: p.sendId,
          to: p.recipient.address,
          from: ch?.from ?? '',
          replyTo: ch?.replyTo,
          subject: m.subject,
          html: m.html,
          text: m.text,
          headers: m.headers,
          configurationSet: ch?.configurationSet,
          tags: tags(p),
        };
      }),
    );
  }
  if (msg.channel === 'sms') {
    const ch = campaign.channels.sms;
    return deps.sms.send(
      list.map((p) => ({
        sendId: p.sendId,
        phone: p.recipient.address,
        text: (p.rendered as Extract<Rendered, { channel: 'sms' }>).text,
        senderId: ch?.senderId,
        messageType: wave.category !== 'marketing' ? 'Transactional' : (ch?.messageType ?? 'Promotional'),
        tags: tags(p),
      })),
    );
  }
  const now = deps.clock.now();
  const offer = offerLine(wave.offer);
  return deps.callList.add(
    list.map((p) => {
      const zone = p.recipient.timeZone ?? campaign.timeZone;
      const callAt = suggestedCallTime(now, sw.policy.quietHours['call-list'], zone);
      return {
        sendId: p.sendId,
        campaignId: campaign.id,
        waveId: wave.id,
        campaignName: campaign.name,
        waveName: wave.name ?? wave.id,
        offer,
        variant: p.recipient.variant,
        customerId: p.recipient.customerId,
        name: p.recipient.name,
        phone: p.recipient.address,
        memberTier: p.recipient.memberTier,
        tier: p.recipient.tier,
        province: p.recipient.province,
        city: p.recipient.city,
        callAt: formatCallTime(callAt, zone, campaign.timeZone),
        lastOrders: p.recipient.lastOrders ?? [],
        talkingPoints: (p.rendered as Extract<Rendered, { channel: 'call-list' }>).talkingPoints,
      };
    }),
  );
}

/** The wave's offer as one cell of the call list: title, minimum spend, code. */
function offerLine(offer: Wave['offer']): string | null {
  if (!offer) return null;
  const terms = [
    offer.minSpend !== undefined ? `满${offer.minSpend}可用` : null,
    offer.code ? `券码 ${offer.code}` : null,
    offer.validUntil ? `至${offer.validUntil.replace('T', ' ')}` : null,
  ].filter(Boolean);
  return terms.length ? `${offer.title}（${terms.join('，')}）` : offer.title;
}

/** Puts recipients back on their queue, not to be sent before `notBefore` (SQS delays hop by 15 min). */
async function requeue(
  deps: SendDeps,
  msg: SendBatchMessage,
  recipients: BatchRecipient[],
  notBefore: Date,
): Promise<void> {
  const body: SendBatchMessage = { ...msg, recipients, notBefore: notBefore.toISOString() };
  const seconds = Math.ceil((notBefore.getTime() - deps.clock.now().getTime()) / 1000);
  await deps.queues[msg.channel].send([JSON.stringify(body)], { delaySeconds: Math.max(0, seconds) });
}
