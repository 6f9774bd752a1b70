import { z } from 'zod';
import { Channel } from '../campaign/contact-policy-schema.ts';
import { type LedgerRow, sendIdOf } from './ledger/ledger.ts';

/**
 * The queue message between planning and sending: one wave, one channel, up to MAX_RECIPIENTS recipients
 * with what rendering and sending need (so a sender never queries the lake). It carries personal data:
 * queues are encrypted, and bodies are never logged.
 */
export const LastOrder = z.strictObject({ orderId: z.string(), at: z.string(), amount: z.number() });

export const BatchRecipient = z.strictObject({
  customerId: z.string().min(1),
  /** Email address or E.164 phone, for the batch's channel. */
  address: z.string().min(1),
  name: z.string().nullable(),
  /** Optional: batches queued by an older version lack it. */
  nickname: z.string().nullable().optional(),
  province: z.string().nullable(),
  city: z.string().nullable(),
  memberTier: z.string().nullable(),
  /** Points balance at the run. Optional: batches queued by an older version lack it. */
  points: z.number().nullable().optional(),
  timeZone: z.string().nullable(),
  variant: z.string().nullable(),
  tier: z.string().nullable(),
  /** For the call list: the customer's latest paid orders. */
  lastOrders: z.array(LastOrder).optional(),
  /**
   * The recipient's group in a grouped pilot or a rollout that picks groups: the ledger's `segment` for
   * this recipient, in place of the batch's. Absent otherwise.
   */
  segment: z.string().min(1).optional(),
  /** Delivery attempts so far after provider throttling (1 on the first). */
  attempt: z.int().min(1).default(1),
});
export type BatchRecipient = z.infer<typeof BatchRecipient>;

export const SendBatchMessage = z.strictObject({
  v: z.literal(1),
  campaignId: z.string().min(1),
  waveId: z.string().min(1),
  channel: Channel,
  /** The wave's segment name, for the ledger (optional: batches queued by an older version lack it). */
  segment: z.string().min(1).optional(),
  category: z.enum(['marketing', 'transactional', 'notice']),
  plannedAt: z.iso.datetime(),
  /** Not to be sent before this instant (quiet hours, throttling backoff). */
  notBefore: z.iso.datetime().optional(),
  recipients: z.array(BatchRecipient).min(1),
});
export type SendBatchMessage = z.infer<typeof SendBatchMessage>;

/** Recipients per message: one SES SendBulkEmail call takes at most 50 destinations. */
export const MAX_RECIPIENTS: Record<Channel, number> = { email: 50, sms: 20, 'call-list': 50 };

export function parseSendBatch(body: string): SendBatchMessage {
  return SendBatchMessage.parse(JSON.parse(body));
}

/** The ledger row of one recipient of a batch: what the batch says, and `over` for its outcome. */
export function batchLedgerRow(
  msg: SendBatchMessage,
  r: Pick<BatchRecipient, 'customerId' | 'variant' | 'segment'>,
  over: Partial<LedgerRow> & Pick<LedgerRow, 'status'>,
): LedgerRow {
  return {
    sendId: sendIdOf(msg.campaignId, msg.waveId, r.customerId),
    campaignId: msg.campaignId,
    waveId: msg.waveId,
    customerId: r.customerId,
    segment: r.segment ?? msg.segment ?? null,
    category: msg.category,
    channel: msg.channel,
    variant: r.variant,
    reason: null,
    smsSegments: null,
    cost: null,
    messageId: null,
    plannedAt: new Date(msg.plannedAt),
    sentAt: null,
    // Everything queued was assigned to the wave's treatment when planned.
    arm: 'treatment',
    ...over,
  };
}
