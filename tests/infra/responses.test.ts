import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { testTemplate } from './test-stack.ts';

const template = testTemplate();
const ofResponses = (type: string) =>
  Object.entries(template.findResources(type))
    .filter(([id]) => id.startsWith('Responses'))
    .map(([, r]) => r);
const functionId = (service: string) => {
  const [id] = Object.entries(template.findResources('AWS::Lambda::Function')).find(
    ([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  ) ?? [''];
  return id;
};
const policyOf = (fnId: string) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(fnId.replace(/[0-9A-F]{8}$/, '')))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

describe('responses on AWS (CDK)', () => {
  it('publishes every SES event type of the configuration set to EventBridge, and forwards campaign emails’ events to a queue', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'campaign-events' });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['send', 'delivery', 'bounce', 'complaint', 'open', 'click']),
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      }),
    });
    const [destination] = Object.values(template.findResources('AWS::SES::ConfigurationSetEventDestination'));
    expect(destination?.Properties.EventDestination.MatchingEventTypes).toHaveLength(10);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': Match.arrayWith(['Email Delivered', 'Email Bounced', 'Email Clicked']),
        detail: { mail: { tags: { campaign: [{ exists: true }] } } },
      },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponsesEvents'), 'Arn'] } }),
      ],
    });
  });

  it('ingests the events queue in batches with partial failures, and SMS receipts from SNS’s delivery-status logs', () => {
    const ingest = functionId('ingest-events');
    const mappings = ofResponses('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FunctionName: { Ref: ingest },
    });
    const groups = ofResponses('AWS::Logs::LogGroup').map((g) =>
      JSON.stringify(g.Properties.LogGroupName ?? ''),
    );
    expect(groups.filter((g) => g.includes('DirectPublishToPhoneNumber'))).toHaveLength(2);
    const filters = ofResponses('AWS::Logs::SubscriptionFilter');
    expect(filters).toHaveLength(2);
    for (const f of filters) expect(f.Properties.DestinationArn).toEqual({ 'Fn::GetAtt': [ingest, 'Arn'] });
    // SNS logs SMS delivery status with a role of its own; the SMS type and spend limit come from settings.
    const [settings] = ofResponses('Custom::AWS');
    const create = JSON.stringify(settings?.Properties.Update);
    expect(create).toContain('setSMSAttributes');
    expect(create).toContain('\\"DefaultSMSType\\":\\"Promotional\\"');
    expect(create).toContain('\\"MonthlySpendLimit\\":\\"100\\"');
    expect(create).toContain('DeliveryStatusIAMRole');
  });

  it('writes events and suppressions through Firehose as Parquet with their Glue schemas', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'lake/events/dt=!{partitionKeyFromQuery:dt}/',
        DataFormatConversionConfiguration: Match.objectLike({
          SchemaConfiguration: Match.objectLike({ TableName: 'events' }),
        }),
      }),
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'lake/suppressions/',
        DataFormatConversionConfiguration: Match.objectLike({
          SchemaConfiguration: Match.objectLike({ TableName: 'suppressions' }),
        }),
      }),
    });
  });

  it('serves the links on GET and POST /{code} without an authorizer, through the links function', () => {
    const routes = ofResponses('AWS::ApiGatewayV2::Route').map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['GET /{code}', 'POST /{code}']);
    for (const r of routes) expect(r.AuthorizationType).toBe('NONE');
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [functionId('links'), 'Arn'] },
    });
  });

  it('grants each function exactly the actions it uses', () => {
    const actions = (service: string) =>
      [...new Set(policyOf(functionId(service)).flatMap((s) => [s.Action].flat()))].sort();
    const tracing = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
    // Events and suppressions through Firehose, a suppression as one conditional update of the contact.
    const ingest = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'firehose:PutRecordBatch'];
    const consume = [
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ];
    expect(actions('ingest-events')).toEqual([...ingest, ...consume, ...tracing].sort());
    // The links function also reads a link (GetItem) and the secret that signs them.
    expect(actions('links')).toEqual(
      [...ingest, 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', ...tracing].sort(),
    );
  });

  it('rewrites the attribution and lift tables nightly, allowed to update only those Glue tables and their own folders', () => {
    const id = functionId('attribute');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 19 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })],
    });
    const statements = policyOf(id);
    const glue = statements.find((s) => [s.Action].flat().includes('glue:UpdateTable'));
    expect(JSON.stringify(glue.Resource)).toContain('/campaign_lake/attribution');
    expect(JSON.stringify(glue.Resource)).toContain('/campaign_lake/lift');
    expect(JSON.stringify(glue.Resource)).not.toContain('/campaign_lake/sends');
    const deletes = statements.filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('s3:DeleteObject')),
    );
    expect(JSON.stringify(deletes.map((s) => s.Resource))).toContain('/lake/attribution/*');
    expect(JSON.stringify(deletes.map((s) => s.Resource))).toContain('/lake/lift/*');
    expect(JSON.stringify(deletes.map((s) => s.Resource))).not.toContain('/lake/sends');
  });
});
