import type { Wave } from '../campaign/campaign-schema.ts';
import type { Channel } from '../campaign/contact-policy-schema.ts';
import type { Clock } from '../clock.ts';
import type { CampaignCatalog, ScheduledWave } from './campaign-catalog.ts';
import { type ClaimResult, claimChange, markChange } from './contact-policy/claim.ts';
import type { ContactStore } from './contact-policy/contact-store.ts';
import { type QuietDecision, quietHoursDecision } from './contact-policy/quiet-hours.ts';
import { sendIdOf } from './ledger/ledger.ts';
import type { LedgerWriter } from './ledger/ledger-writer.ts';
import type { LinkStore } from './links/link-store.ts';
import type { LinkIssuer, TrackedLink } from './links/short-links.ts';
import type { QueueProducer, QueueRecord } from './queue/queue.ts';
import { renderMessage, templateUsesProducts } from './render/render-message.ts';
import { type BatchRecipient, parseSendBatch, type SendBatchMessage } from './send-batch-message.ts';
import {
  type BatchOutcome,
  BatchRecord,
  type Claimed,
  type MessageOf,
  type ToSend,
} from './send-batch-record.ts';
import { formatCallTime, suggestedCallTime } from './senders/call-list-sheet.ts';
import type { CallListWriter } from './senders/call-list-writer.ts';
import type { EmailSender } from './senders/email-sender.ts';
import type { SendResult } from './senders/send-result.ts';
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

/**
 * Per recipient: quiet hours → one atomic claim (idempotency, suppression, caps, reservations) → render
 * → send → ledger → mark. Every recipient leaves with a ledger row or back on the queue (deferred by
 * quiet hours, or throttled), never neither.
 */
export async function sendBatch(deps: SendDeps, msg: SendBatchMessage): Promise<BatchOutcome> {
  const sw = await deps.catalog.wave(msg.campaignId, msg.waveId);
  const now = deps.clock.now();
  const record = new BatchRecord(msg);
  if (msg.notBefore && Date.parse(msg.notBefore) > now.getTime()) {
    await requeue(deps, msg, msg.recipients, new Date(msg.notBefore));
    return record.outcome(msg.recipients.length);
  }
  const { ready, deferred } = applyQuietHours(sw, msg, now, record);
  const claimed = await claim(deps, sw, msg, ready, now, record);
  const toSend = await render(deps, sw, msg, claimed, now, record);
  // A sender that throws leaves its claims open: the outcome is unknown, and on redelivery those
  // recipients are recorded as interrupted rather than risk a second message.
  const results = await send(deps, sw, msg, toSend);
  const retry = recordResults(toSend, results, deps.maxAttempts ?? 4, now, record);

  await deps.ledger.append(record.rows);
  await deps.contacts.apply(record.marks.map((m) => markChange(m.customerId, m.sendId, m.state, now)));
  for (const [until, list] of deferred) await requeue(deps, msg, list, new Date(until));
  if (retry.length) {
    const attempt = Math.max(...retry.map((r) => r.attempt));
    const delay = (deps.retryDelaySeconds ?? 30) * 2 ** (attempt - 2);
    await requeue(deps, msg, retry, new Date(now.getTime() + delay * 1000));
  }
  return record.outcome(retry.length + [...deferred.values()].reduce((n, l) => n + l.length, 0));
}

/**
 * Quiet hours, in the recipient's zone (else the campaign's): ready now, deferred to a time (grouped by
 * it), or suppressed; past the wave's send-by, failed.
 */
function applyQuietHours(
  sw: ScheduledWave,
  msg: SendBatchMessage,
  now: Date,
  record: BatchRecord,
): { ready: BatchRecipient[]; deferred: Map<number, BatchRecipient[]> } {
  const deferred = new Map<number, BatchRecipient[]>();
  const ready: BatchRecipient[] = [];
  const byZone = new Map<string, QuietDecision>(); // one decision per zone: the batch shares `now`
  for (const r of msg.recipients) {
    if (now > sw.sendBy) {
      record.unclaimed(r, 'failed', "deadline: reached the queue after the wave's send-by");
      continue;
    }
    const zone = r.timeZone ?? sw.campaign.timeZone;
    let d = byZone.get(zone);
    if (!d) {
      d = quietHoursDecision(now, sw.policy.quietHours[msg.channel], zone, sw.sendBy);
      byZone.set(zone, d);
    }
    if (d.kind === 'send') ready.push(r);
    else if (d.kind === 'suppress') record.unclaimed(r, 'suppressed', 'quiet-hours');
    else deferred.set(d.until.getTime(), [...(deferred.get(d.until.getTime()) ?? []), r]);
  }
  return { ready, deferred };
}

/** One atomic claim per recipient; returns those to send (claimed now, or retrying a refused send). */
async function claim(
  deps: SendDeps,
  sw: ScheduledWave,
  msg: SendBatchMessage,
  ready: readonly BatchRecipient[],
  now: Date,
  record: BatchRecord,
): Promise<Claimed[]> {
  const { campaign, wave } = sw;
  const list = ready.map((recipient) => ({
    recipient,
    sendId: sendIdOf(campaign.id, wave.id, recipient.customerId),
  }));
  const claims = await deps.contacts.apply(
    list.map((c) =>
      claimChange({
        sendId: c.sendId,
        wave: `${campaign.id}/${wave.id}`,
        customerId: c.recipient.customerId,
        channel: msg.channel,
        category: wave.category,
        priority: wave.priority,
        at: now,
        caps: sw.policy.caps,
      }),
    ),
  );
  if (claims.length !== list.length)
    throw new Error(`contact store answered ${claims.length} claims for ${list.length}`);
  const toSend: Claimed[] = [];
  list.forEach((c, i) => {
    const outcome = claimOutcome(claims[i] as ClaimResult);
    if (outcome === 'send') toSend.push(c);
    else if (outcome === 'interrupted') record.failed(c, INTERRUPTED);
    else if (outcome !== 'skip') record.unclaimed(c.recipient, 'suppressed', outcome.suppressed);
  });
  return toSend;
}

/**
 * Links and rendering. A failure to render is that recipient's; a failure to store the links (before
 * any provider call) marks the claims retrying and throws, so the batch is redelivered.
 */
async function render(
  deps: SendDeps,
  sw: ScheduledWave,
  msg: SendBatchMessage,
  claimed: readonly Claimed[],
  now: Date,
  record: BatchRecord,
): Promise<ToSend[]> {
  const { campaign, wave } = sw;
  const linkRecords: TrackedLink[] = [];
  const toSend: ToSend[] = [];
  try {
    for (const c of claimed) {
      const products = templateUsesProducts(wave, c.recipient.variant, msg.channel) ? wave.products : [];
      const links = deps.linkIssuer.issue(c.sendId, wave.link ?? null, now, msg.channel, products);
      linkRecords.push(...links.records);
      const out = renderMessage({
        campaign,
        wave,
        variantId: c.recipient.variant,
        channel: msg.channel,
        recipient: c.recipient,
        links,
      });
      if (out.ok) toSend.push({ ...c, message: out.message });
      else record.failed(c, out.error);
    }
    await deps.links.put(linkRecords);
  } catch (e) {
    await deps.contacts.apply(
      claimed.map((c) => markChange(c.recipient.customerId, c.sendId, 'retrying', now)),
    );
    throw e;
  }
  return toSend;
}

/** Records each provider result; returns the throttled recipients to re-queue (up to maxAttempts). */
function recordResults(
  toSend: readonly ToSend[],
  results: readonly SendResult[],
  maxAttempts: number,
  now: Date,
  record: BatchRecord,
): BatchRecipient[] {
  if (results.length !== toSend.length)
    throw new Error(`sender answered ${results.length} results for ${toSend.length} messages`);
  const retry: BatchRecipient[] = [];
  toSend.forEach((p, i) => {
    const result = results[i] as SendResult;
    if (result.kind === 'sent') record.sent(p, result.messageId, now);
    else if (result.retryable && p.recipient.attempt < maxAttempts) {
      retry.push({ ...p.recipient, attempt: p.recipient.attempt + 1 });
      record.mark(p, 'retrying');
    } else record.failed(p, result.error);
  });
  return retry;
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

/** The batch's messages of one channel: all of them, or the batch is inconsistent. */
function messagesOf<C extends Channel>(list: readonly ToSend[], channel: C): ToSend<MessageOf<C>>[] {
  const of = list.filter((p): p is ToSend<MessageOf<C>> => p.message.channel === channel);
  if (of.length !== list.length) throw new Error(`a ${channel} batch rendered another channel's message`);
  return of;
}

/** One provider call for the batch's channel; the results are in the same order as `list`. */
async function send(
  deps: SendDeps,
  sw: ScheduledWave,
  msg: SendBatchMessage,
  list: readonly ToSend[],
): Promise<SendResult[]> {
  const { campaign, wave } = sw;
  const tags = (p: Claimed) => ({ campaign: campaign.id, wave: wave.id, send: p.sendId });
  if (list.length === 0) return [];
  if (msg.channel === 'email') {
    const ch = campaign.channels.email;
    return deps.email.send(
      messagesOf(list, 'email').map(({ message: m, ...p }) => ({
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
      })),
    );
  }
  if (msg.channel === 'sms') {
    const ch = campaign.channels.sms;
    return deps.sms.send(
      messagesOf(list, 'sms').map((p) => ({
        sendId: p.sendId,
        phone: p.recipient.address,
        text: p.message.text,
        senderId: ch?.senderId,
        messageType: wave.category !== 'marketing' ? 'Transactional' : (ch?.messageType ?? 'Promotional'),
        tags: tags(p),
      })),
    );
  }
  const now = deps.clock.now();
  const offer = offerLine(wave.offer);
  return deps.callList.add(
    messagesOf(list, 'call-list').map((p) => {
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
        talkingPoints: p.message.talkingPoints,
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
