import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { bind } from '../../infra/constructs/bind.ts';
import { HouseFunction } from '../../infra/constructs/house-function.ts';

/** A stack with one function, one table and one queue; no bundling (placeholder assets). */
function fixture() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Bind', { env: { account: '123456789012', region: 'ap-southeast-1' } });
  const fn = new HouseFunction(stack, 'Fn', { handler: 'links', timeout: Duration.seconds(10) });
  const table = new Table(stack, 'Contacts', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const queue = new Queue(stack, 'Email');
  return { stack, fn, table, queue };
}

/** The function's statements but tracing's (X-Ray), which every HouseFunction has. */
const statementsOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
    .filter((s) => ![s.Action].flat().every((a) => a.startsWith('xray:')));

describe('bind: a resource’s variable and its grant together', () => {
  it('sets the variable to the resource and grants exactly the access named, nothing more', () => {
    const { stack, fn, table, queue } = fixture();
    bind(fn, table, 'contactsTable', ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    bind(fn, queue, 'emailQueueUrl', 'send');
    const template = Template.fromStack(stack);
    const [lambda] = Object.values(template.findResources('AWS::Lambda::Function'));
    const variables = lambda?.Properties.Environment.Variables;
    expect(variables.CONTACTS_TABLE).toEqual({ Ref: stack.getLogicalId(table.node.defaultChild as never) });
    expect(variables.EMAIL_QUEUE_URL).toEqual({ Ref: stack.getLogicalId(queue.node.defaultChild as never) });
    expect(statementsOf(template).map((s) => s.Action)).toEqual([
      ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    ]);
  });

  it('refuses an access that does not fit the resource, naming both', () => {
    const { fn, table, queue } = fixture();
    expect(() => bind(fn, table, 'contactsTable', 'send' as never)).toThrow(
      'bind: send is not an access to Bind/Contacts',
    );
    expect(() => bind(fn, queue, 'emailQueueUrl', ['dynamodb:GetItem'] as never)).toThrow(
      'bind: ["dynamodb:GetItem"] is not an access to Bind/Email',
    );
  });
});
