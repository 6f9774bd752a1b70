import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender } from '../email-sender.ts';
import type { SendResult } from '../send-result.ts';
import { type RetryOptions, sendWithRetry } from '../send-with-retry.ts';
import { sesSendTags } from '../ses-message-tags.ts';

export interface SesEmailSenderOptions extends RetryOptions {
  client: SESv2Client;
  /** The deployment's configuration set (its event destination records the responses), for messages
   * whose campaign names none. */
  defaultConfigurationSet?: string;
}

/** SES answers these when the account's send rate is exceeded: wait and try again. */
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);

/**
 * The SES v2 adapter: one SendEmail per message, Simple content with the one-click unsubscribe headers,
 * the configuration set (which publishes delivery, open and click events) and tags naming the send
 * (ses-message-tags.ts: the send id round-trips whatever the customer id holds).
 * Throttling is retried with exponential backoff and full jitter; a rejection is a permanent failure.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
export class SesEmailSender implements EmailSender {
  readonly #o: SesEmailSenderOptions;

  constructor(options: SesEmailSenderOptions) {
    this.#o = options;
  }

  async send(messages: readonly EmailMessage[]): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (const m of messages) results.push(await this.#sendOne(m));
    return results;
  }

  async #sendOne(m: EmailMessage): Promise<SendResult> {
    // Sent without tags that name it, its bounces and complaints could not be matched: not sent at all.
    const tags = sesSendTags(m.tags);
    if (!tags.ok) return { kind: 'failed', error: `not sent: ${tags.error}`, retryable: false };
    const configurationSet = m.configurationSet ?? this.#o.defaultConfigurationSet;
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
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      EmailTags: tags.tags,
    });
    return sendWithRetry(() => this.#o.client.send(command), THROTTLED, this.#o);
  }
}
