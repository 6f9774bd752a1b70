import { waveSegment } from '../../campaign/campaign-schema.ts';
import type { Channel } from '../../campaign/contact-policy-schema.ts';
import type { ScheduledWave } from '../campaign-catalog.ts';
import type { QueueProducer } from '../queue/queue.ts';
import { type BatchRecipient, MAX_RECIPIENTS, type SendBatchMessage } from '../send-batch-message.ts';

/** Entries per SendMessageBatch request. */
const SQS_BATCH_ENTRIES = 10;

/**
 * The recipients of a wave into its channels' queues: MAX_RECIPIENTS of a channel make one batch
 * message, and the messages go to the queue ten at a time (one SendMessageBatch request for ten, SQS's
 * limit). `flush` sends a channel's last, shorter batch and whatever messages wait.
 */
export class QueueBatcher {
  readonly #queues: Record<Channel, QueueProducer>;
  readonly #sw: ScheduledWave;
  readonly #pending: Record<Channel, BatchRecipient[]> = { email: [], sms: [], 'call-list': [] };
  readonly #outgoing: Record<Channel, string[]> = { email: [], sms: [], 'call-list': [] };
  /** Batch messages made so far. */
  batches = 0;
  /** Recipients in them. */
  queued = 0;

  constructor(queues: Record<Channel, QueueProducer>, sw: ScheduledWave) {
    this.#queues = queues;
    this.#sw = sw;
  }

  async add(channel: Channel, recipient: BatchRecipient): Promise<void> {
    this.#pending[channel].push(recipient);
    if (this.#pending[channel].length >= MAX_RECIPIENTS[channel]) await this.#batch(channel);
  }

  async flush(channel: Channel): Promise<void> {
    while (this.#pending[channel].length > 0) await this.#batch(channel);
    await this.#send(channel);
  }

  async #batch(channel: Channel): Promise<void> {
    const recipients = this.#pending[channel].splice(0, MAX_RECIPIENTS[channel]);
    this.#outgoing[channel].push(JSON.stringify(batchMessage(this.#sw, channel, recipients)));
    if (this.#outgoing[channel].length === SQS_BATCH_ENTRIES) await this.#send(channel);
    this.batches += 1;
    this.queued += recipients.length;
  }

  async #send(channel: Channel): Promise<void> {
    const bodies = this.#outgoing[channel].splice(0);
    if (bodies.length > 0) await this.#queues[channel].send(bodies);
  }
}

function batchMessage(
  { campaign, wave, start }: ScheduledWave,
  channel: Channel,
  recipients: BatchRecipient[],
): SendBatchMessage {
  return {
    v: 1,
    campaignId: campaign.id,
    waveId: wave.id,
    channel,
    segment: waveSegment(wave),
    category: wave.category,
    plannedAt: start.toISOString(),
    recipients,
  };
}
