import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Channel } from '../../shared/campaign/contact-policy-schema.ts';

/** Deliveries before a send message goes to its dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

export interface MessagingProps {
  /** Timeouts of the functions that consume the send queues and the dead-letter queues: each queue's
   * visibility timeout is six times its consumer's. */
  consumerTimeout: Duration;
  deadLetterConsumerTimeout: Duration;
}

/**
 * A send queue per channel (each its own send rate), each with a dead-letter queue after
 * MAX_RECEIVE_COUNT deliveries; encrypted; visibility timeout six times the consumer's timeout, as AWS
 * advises for event source mappings.
 */
export class Messaging extends Construct {
  readonly queues: Record<Channel, Queue>;
  readonly deadLetters: Record<Channel, Queue>;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    const make = (name: string) => {
      const dlq = new Queue(this, `${name}DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        visibilityTimeout: Duration.seconds(props.deadLetterConsumerTimeout.toSeconds() * 6),
      });
      const queue = new Queue(this, `${name}Sends`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(4),
        visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
        deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      return { queue, dlq };
    };
    const email = make('Email');
    const sms = make('Sms');
    const callList = make('CallList');
    this.queues = { email: email.queue, sms: sms.queue, 'call-list': callList.queue };
    this.deadLetters = { email: email.dlq, sms: sms.dlq, 'call-list': callList.dlq };
  }
}
