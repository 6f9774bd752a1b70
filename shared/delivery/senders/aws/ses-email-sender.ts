import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender, SendResult } from '../email-sender.ts';

export interface SesEmailSenderOptions {
  client: SESv2Client;
  /** Attempts for a throttled message before it is reported failed (retryable). */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** SES answers these when the account's send rate is exceeded: wait and try again. */
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);

/**
 * The SES v2 adapter: one SendEmail per message, Simple content with the one-click unsubscribe headers,
 * the configuration set (which publishes delivery, open and click events) and tags naming the send.
 * Throttling is retried with exponential backoff and full jitter; a rejection is a permanent failure.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
export class SesEmailSender implements EmailSender {
  readonly #o: Required<SesEmailSenderOptions>;

  constructor(options: SesEmailSenderOptions) {
    this.#o = {
      maxAttempts: 6,
      baseDelayMs: 100,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
    };
  }

  async send(messages: readonly EmailMessage[]): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (const m of messages) results.push(await this.#sendOne(m));
    return results;
  }

  async #sendOne(m: EmailMessage): Promise<SendResult> {
    const command = new SendEmailCommand({
      FromEmailAddress: m.from,
      Destination: { ToAddresses: [m.to] },
      ...(m.replyTo ? { ReplyToAddresses: [m.replyTo] } : {}),
      Content: {
        Simple: {
          Subject: { Data: m.subject, Charset: 'UTF-8' },
          Body: {
            Html: { Data: m.html, Charset: 'UTF-8' },
            ...(m.text ? { Text: { Data: m.text, Charset: 'UTF-8' } } : {}),
          },
          Headers: Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value })),
        },
      },
      ...(m.configurationSet ? { ConfigurationSetName: m.configurationSet } : {}),
      EmailTags: [
        { Name: 'campaign', Value: tagValue(m.tags.campaign) },
        { Name: 'wave', Value: tagValue(m.tags.wave) },
        { Name: 'send', Value: tagValue(m.tags.send) },
      ],
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.#o.client.send(command);
        return { kind: 'sent', messageId: out.MessageId ?? '' };
      } catch (e) {
        const name = (e as { name?: string }).name ?? 'Error';
        if (!THROTTLED.has(name))
          return { kind: 'failed', error: `${name}: ${(e as Error).message}`, retryable: false };
        if (attempt >= this.#o.maxAttempts)
          return { kind: 'failed', error: `${name} after ${attempt} attempts`, retryable: true };
        await this.#o.sleep(Math.random() * this.#o.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }
}

/** SES tag values allow letters, digits, _ - . @ only. */
function tagValue(v: string): string {
  return v.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
}
