import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Channel } from '../campaign/contact-policy-schema.ts';
import type { SuppressionReason } from '../delivery/contact-policy/claim.ts';
import { sendOfSesTags } from '../delivery/senders/ses-message-tags.ts';

/**
 * Response events as they arrive, and their normal form: one row of the events table, plus, for bounces,
 * complaints and unsubscribes, the suppression to apply at once. Inputs are parsed with zod; what does
 * not parse or cannot be matched to a send is rejected with its reason (never dropped silently).
 */
export interface EventRow {
  eventId: string;
  eventType: string;
  campaignId: string | null;
  waveId: string | null;
  customerId: string | null;
  /** email, sms or call-list; null for a click on a link stored before links recorded their channel. */
  channel: Channel | null;
  sendId: string | null;
  messageId: string | null;
  occurredAt: Date;
  detail: string | null;
  /** For a click on a product link, the product's sku; null for every other event. */
  sku: string | null;
  /** Where it came from: call-list is an outcome staff recorded (call-outcomes.ts). */
  source: 'ses' | 'sms-receipt' | 'link' | 'simulation' | 'call-list';
}

export interface Suppression {
  customerId: string;
  channel: Channel | 'any';
  reason: SuppressionReason;
  at: Date;
}

export type Normalized =
  | { ok: true; event: EventRow; suppress: Suppression | null }
  | { ok: false; reason: string };

// SES event publishing (configuration set → Firehose, SNS or EventBridge `detail`):
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-firehose-contents.html
const Timestamped = z.object({ timestamp: z.string() });
export const SesEventRecord = z.object({
  eventType: z.enum([
    'Send',
    'Delivery',
    'Bounce',
    'Complaint',
    'Open',
    'Click',
    'Reject',
    'Rendering Failure',
    'DeliveryDelay',
    'Subscription',
  ]),
  mail: z.object({
    messageId: z.string().min(1),
    timestamp: z.string(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  bounce: Timestamped.extend({ bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']) }).optional(),
  complaint: Timestamped.extend({ complaintFeedbackType: z.string().optional() }).optional(),
  delivery: Timestamped.optional(),
  open: Timestamped.optional(),
  click: Timestamped.extend({ link: z.string() }).optional(),
  reject: z.object({ reason: z.string() }).optional(),
  failure: z.object({ errorMessage: z.string() }).optional(),
  deliveryDelay: Timestamped.extend({ delayType: z.string() }).optional(),
  subscription: Timestamped.extend({
    newTopicPreferences: z.object({ unsubscribeAll: z.boolean().optional() }).optional(),
  }).optional(),
});

// SNS SMS delivery status (CloudWatch Logs): the destination phone number is never kept.
export const SmsReceipt = z.object({
  notification: z.object({ messageId: z.string().min(1), timestamp: z.string() }),
  delivery: z.object({ providerResponse: z.string().optional() }).passthrough(),
  status: z.enum(['SUCCESS', 'FAILURE']),
});

/** What our click redirect and one-click unsubscribe record (the link store resolved the signed code). */
export const LinkEvent = z.strictObject({
  kind: z.enum(['click', 'unsubscribe']),
  sendId: z.string().regex(/^[^/]+\/[^/]+\/.+$/),
  channel: Channel.nullable().optional(),
  at: z.iso.datetime(),
  target: z.string().nullable().optional(),
  /** The product a product link showed (from the signed link record). */
  sku: z.string().min(1).nullable().optional(),
});

const eventId = (...parts: (string | null | undefined)[]) =>
  createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\n'))
    .digest('hex')
    .slice(0, 32);

function parsedDate(text: string): Date | null {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

const issue = (e: z.ZodError) =>
  e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
    .join('; ');

const SES_TYPE: Record<z.infer<typeof SesEventRecord>['eventType'], string> = {
  Send: 'accepted',
  Delivery: 'delivered',
  Bounce: 'bounced',
  Complaint: 'complained',
  Open: 'opened',
  Click: 'clicked',
  Reject: 'rejected',
  'Rendering Failure': 'rendering-failed',
  DeliveryDelay: 'delayed',
  Subscription: 'unsubscribed',
};

export function normalizeSesEvent(input: unknown): Normalized {
  const record = (input as { detail?: unknown } | null)?.detail ?? input; // EventBridge wraps it in `detail`
  const parsed = SesEventRecord.safeParse(record);
  if (!parsed.success) return { ok: false, reason: `ses: ${issue(parsed.error)}` };
  const r = parsed.data;
  const tagged = sendOfSesTags(r.mail.tags);
  if (!tagged) return { ok: false, reason: 'ses: no campaign/wave/send-id tags: not one of our sends' };
  if (!tagged.ok) return { ok: false, reason: tagged.reason };
  const send = { campaignId: tagged.campaignId, waveId: tagged.waveId, customerId: tagged.customerId };
  const specific =
    r.bounce ?? r.complaint ?? r.delivery ?? r.open ?? r.click ?? r.deliveryDelay ?? r.subscription;
  const occurredAt = parsedDate(specific?.timestamp ?? r.mail.timestamp);
  if (!occurredAt) return { ok: false, reason: 'ses: timestamp is not a date' };
  const detail =
    r.bounce?.bounceType ??
    r.complaint?.complaintFeedbackType ??
    r.click?.link ??
    r.reject?.reason ??
    r.failure?.errorMessage.slice(0, 200) ??
    r.deliveryDelay?.delayType ??
    null;
  const event: EventRow = {
    eventId: eventId('ses', r.mail.messageId, r.eventType, occurredAt.toISOString(), r.click?.link),
    eventType: SES_TYPE[r.eventType],
    ...send,
    channel: 'email',
    sendId: `${send.campaignId}/${send.waveId}/${send.customerId}`,
    messageId: r.mail.messageId,
    occurredAt,
    detail,
    sku: null,
    source: 'ses',
  };
  const suppress = (channel: Channel | 'any', reason: SuppressionReason): Suppression => ({
    customerId: send.customerId,
    channel,
    reason,
    at: occurredAt,
  });
  if (r.eventType === 'Bounce' && r.bounce?.bounceType === 'Permanent')
    return { ok: true, event, suppress: suppress('email', 'bounced') };
  // A complaint says "this is spam": no more marketing on any channel.
  if (r.eventType === 'Complaint') return { ok: true, event, suppress: suppress('any', 'complained') };
  if (r.eventType === 'Subscription') {
    if (r.subscription?.newTopicPreferences?.unsubscribeAll === false)
      return { ok: false, reason: 'ses: a subscription change that unsubscribes from nothing' };
    return { ok: true, event, suppress: suppress('email', 'opt-out') };
  }
  return { ok: true, event, suppress: null };
}

export function normalizeSmsReceipt(input: unknown): Normalized {
  const parsed = SmsReceipt.safeParse(input);
  if (!parsed.success) return { ok: false, reason: `sms receipt: ${issue(parsed.error)}` };
  const r = parsed.data;
  const occurredAt = parsedDate(r.notification.timestamp.replace(' ', 'T'));
  if (!occurredAt) return { ok: false, reason: 'sms receipt: timestamp is not a date' };
  const eventType = r.status === 'SUCCESS' ? 'delivered' : 'sms-failed';
  return {
    ok: true,
    event: {
      eventId: eventId('sns', r.notification.messageId, eventType),
      eventType,
      campaignId: null,
      waveId: null,
      customerId: null,
      channel: 'sms',
      sendId: null,
      messageId: r.notification.messageId,
      occurredAt,
      detail: r.delivery.providerResponse?.slice(0, 200) ?? null,
      sku: null,
      source: 'sms-receipt',
    },
    suppress: null,
  };
}

export function normalizeLinkEvent(input: unknown): Normalized {
  const parsed = LinkEvent.safeParse(input);
  if (!parsed.success) return { ok: false, reason: `link: ${issue(parsed.error)}` };
  const r = parsed.data;
  const [campaignId = '', waveId = '', ...rest] = r.sendId.split('/');
  const customerId = rest.join('/');
  const occurredAt = new Date(r.at);
  const eventType = r.kind === 'click' ? 'clicked' : 'unsubscribed';
  // Only emails carry unsubscribe links.
  const channel = r.channel ?? (r.kind === 'unsubscribe' ? 'email' : null);
  const sku = r.sku ?? null;
  const event: EventRow = {
    // Clicks on two products of one message at the same instant are two events (the landing page's id is as before).
    eventId:
      sku === null
        ? eventId('link', r.sendId, eventType, r.at)
        : eventId('link', r.sendId, eventType, r.at, sku),
    eventType,
    campaignId,
    waveId,
    customerId,
    channel,
    sendId: r.sendId,
    messageId: null,
    occurredAt,
    detail: r.target ?? null,
    sku,
    source: 'link',
  };
  return {
    ok: true,
    event,
    suppress:
      r.kind === 'unsubscribe' ? { customerId, channel: 'email', reason: 'opt-out', at: occurredAt } : null,
  };
}
