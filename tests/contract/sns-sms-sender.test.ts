import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsSmsSender } from '../../shared/delivery/senders/aws/sns-sms-sender.ts';
import type { SmsMessage } from '../../shared/delivery/senders/sms-sender.ts';

// No SNS implementation runs here, so the exact requests are asserted.
const sns = mockClient(SNSClient);
const sms: SmsMessage = {
  sendId: 'd11/w1/c1',
  phone: '+8613800000001',
  text: '【小店】双11快乐 回T退订',
  senderId: 'YOUPIN',
  messageType: 'Promotional',
  tags: { campaign: 'd11', wave: 'w1', send: 'd11/w1/c1' },
};
const sender = () =>
  new SnsSmsSender({ client: new SNSClient({ region: 'ap-southeast-1' }), sleep: async () => {} });

beforeEach(() => sns.reset());

describe('SNS SMS sender', () => {
  it('publishes to the E.164 number with the SMS type and sender id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    expect(await sender().send([sms])).toEqual([{ kind: 'sent', messageId: 'sns-1' }]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      PhoneNumber: '+8613800000001',
      Message: '【小店】双11快乐 回T退订',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'YOUPIN' },
      },
    });
  });

  it('leaves the sender id out when none is configured, retries throttling, and fails permanently on bad input', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))
      .resolves({ MessageId: 'sns-2' });
    expect(await sender().send([{ ...sms, senderId: undefined, messageType: 'Transactional' }])).toEqual([
      { kind: 'sent', messageId: 'sns-2' },
    ]);
    expect(sns.commandCalls(PublishCommand)[1]?.args[0].input.MessageAttributes).toEqual({
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    });

    sns.reset();
    sns
      .on(PublishCommand)
      .rejects(
        Object.assign(new Error('Invalid parameter: PhoneNumber'), { name: 'InvalidParameterException' }),
      );
    expect(await sender().send([{ ...sms, phone: '+86123' }])).toEqual([
      {
        kind: 'failed',
        error: 'InvalidParameterException: Invalid parameter: PhoneNumber',
        retryable: false,
      },
    ]);
  });
});
