import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SendResult } from '../send-result.ts';
import { type RetryOptions, sendWithRetry } from '../send-with-retry.ts';
import type { SmsMessage, SmsSender } from '../sms-sender.ts';

export interface SnsSmsSenderOptions extends RetryOptions {
  client: SNSClient;
}

const THROTTLED = new Set(['ThrottledException', 'ThrottlingException', 'TooManyRequestsException']);

/**
 * The SNS adapter: Publish to an E.164 PhoneNumber with the SMS type and, where the destination allows
 * it, a sender id. https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html
 */
export class SnsSmsSender implements SmsSender {
  readonly #o: SnsSmsSenderOptions;

  constructor(options: SnsSmsSenderOptions) {
    this.#o = options;
  }

  /** One Publish per message (SNS has no batch publish to phone numbers), a batch's messages in parallel. */
  async send(messages: readonly SmsMessage[]): Promise<SendResult[]> {
    return Promise.all(messages.map((m) => this.#publish(m)));
  }

  async #publish(m: SmsMessage): Promise<SendResult> {
    const command = new PublishCommand({
      PhoneNumber: m.phone,
      Message: m.text,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: m.messageType },
        ...(m.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: m.senderId } } : {}),
      },
    });
    return sendWithRetry(() => this.#o.client.send(command), THROTTLED, this.#o);
  }
}
