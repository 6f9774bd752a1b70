import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { maxConcurrencyFor } from '../../infra/constructs/delivery.ts';
import { readSettings } from '../../infra/settings.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { DEFAULT_CONTACT_POLICY } from '../../shared/campaign/contact-policy-schema.ts';
import { scheduleCampaign } from '../../shared/delivery/campaign-catalog.ts';
import { TEST_SETTINGS, testTemplate } from './test-stack.ts';

const template = testTemplate(TEST_SETTINGS, { bundle: true });
/** The delivery construct's resources of a type (logical ids start with the construct's path). */
const resources = (type: string) =>
  Object.entries(template.findResources(type))
    .filter(([id]) => id.startsWith('Delivery'))
    .map(([, r]) => r);
const everyResource = (type: string) => Object.values(template.findResources(type));

describe('delivery on AWS (CDK)', () => {
  it('has a send queue per channel with a dead-letter queue after 5 receives and 6× the consumer timeout', () => {
    const queues = resources('AWS::SQS::Queue');
    const sends = queues.filter((q) => q.Properties?.RedrivePolicy);
    expect(sends).toHaveLength(3);
    for (const q of sends) {
      expect(q.Properties.VisibilityTimeout).toBe(6 * 120);
      expect(q.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    }
    expect(queues).toHaveLength(6);
    for (const dlq of queues.filter((q) => !q.Properties?.RedrivePolicy))
      expect(dlq.Properties.VisibilityTimeout).toBe(6 * 60);
  });

  it('consumes each queue with partial batch failures and concurrency bounded by the provider rate', () => {
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(6);
    for (const m of mappings) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const concurrency = mappings.map((m) => m.Properties.ScalingConfig?.MaximumConcurrency).filter(Boolean);
    // email 14/s at 10 per instance → 2; SMS 100/s at 40 → 3; call list → 2.
    expect(concurrency.sort()).toEqual([2, 2, 3]);
    expect(maxConcurrencyFor('email', 14)).toBe(2);
    expect(maxConcurrencyFor('email', 1_000)).toBe(100);
    expect(maxConcurrencyFor('sms', 1e9)).toBe(1000);
  });

  it('runs every function on Node 24, arm64, traced (their settings and grants: function-grants.test.ts)', () => {
    const fns = resources('AWS::Lambda::Function');
    expect(fns).toHaveLength(4);
    for (const f of fns) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    const links = fns.filter((f) => f.Properties.Environment.Variables.LINK_BASE);
    expect(links.map((f) => f.Properties.Environment.Variables)).toEqual([
      expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'send-batches', LINK_BASE: 'https://s.example.cn' }),
    ]);
  });

  it('keeps state in DynamoDB with point-in-time recovery and TTL', () => {
    const tables = everyResource('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(4);
    for (const t of tables)
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(tables.filter((t) => t.Properties.TimeToLiveSpecification?.AttributeName === 'ttl')).toHaveLength(
      3,
    );
  });

  it('grants least privilege: SES on the identity and configuration set only, no wildcard actions', () => {
    const statements = everyResource('AWS::IAM::Policy').flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    for (const s of statements) {
      const actions = [s.Action].flat();
      expect(
        actions.some((a: string) => a === '*' || a.endsWith(':*')),
        JSON.stringify(s),
      ).toBe(false);
    }
    const ses = statements.find((s) => s.Action === 'ses:SendEmail');
    expect(JSON.stringify(ses.Resource)).toContain(':identity/youpin.example.com');
    expect(JSON.stringify(ses.Resource)).toContain(':configuration-set/campaign-events');
  });

  it('writes the ledger through Firehose as Parquet with the sends table schema, partitioned by dt', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'lake/sends/dt=!{partitionKeyFromQuery:dt}/',
        DynamicPartitioningConfiguration: { Enabled: true },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          SchemaConfiguration: Match.objectLike({ DatabaseName: 'campaign_lake', TableName: 'sends' }),
        }),
      }),
    });
  });

  it('deploys the validated campaigns and alarms on dead letters, send errors, throttles and failed audience queries', () => {
    expect(everyResource('Custom::CDKBucketDeployment')).toHaveLength(1);
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
      'Throttles',
      'Throttles',
      'Throttles',
      'waveRunsFailed',
    ]);
  });

  it('bundles handlers that load as ESM on Node 24 (dependencies resolved, no duplicate declarations)', async () => {
    const bundles = readdirSync(template.outdir)
      .map((d) => join(template.outdir, d, 'index.mjs'))
      .filter((f) => existsSync(f));
    expect(bundles).toHaveLength(9); // every house function of the stack
    for (const file of bundles)
      expect(typeof (await import(pathToFileURL(file).href)).handler).toBe('function');
    // Loading the nine bundles takes tens of seconds, more on a loaded machine (docs/benchmarks.md).
  }, 180_000);

  it('schedules every upcoming wave of the deployed campaigns in its time zone, and plans on Athena’s event', async () => {
    const expected = (
      await Promise.all(
        readdirSync('campaigns')
          .filter((f) => f !== 'contact-policy.yaml')
          .map(async (f) =>
            scheduleCampaign(await loadConfigFile(Campaign, `campaigns/${f}`), DEFAULT_CONTACT_POLICY),
          ),
      )
    )
      .flat()
      .filter((w) => w.start >= TEST_SETTINGS.scheduleFrom);
    const schedules = everyResource('AWS::Scheduler::Schedule');
    // Each one-off wave at its time, and one cron schedule for all the occurrences of each of the member
    // story's three recurring waves (member day, points reminder, birthdays).
    expect(schedules).toHaveLength(expected.length + 3);
    const memberDay = schedules.find((s) => s.Properties.Name === 'member-day.member-day');
    expect(memberDay?.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 10 15 * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      StartDate: new Date(
        Math.max(Date.parse('2026-11-30T16:00:00Z'), TEST_SETTINGS.scheduleFrom.getTime()),
      ).toISOString(),
      EndDate: '2027-10-31T16:00:00.000Z',
    });
    expect(JSON.parse(memberDay?.Properties.Target.Input)).toEqual({
      campaignId: 'member-day',
      waveId: 'member-day',
      timeZone: 'Asia/Shanghai',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    const cashback = schedules.find((s) => s.Properties.Name === 'double-11-2026.d11-cashback');
    expect(cashback?.Properties).toMatchObject({
      ScheduleExpression: 'at(2026-11-11T00:00:00)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    expect(JSON.parse(cashback?.Properties.Target.Input)).toEqual({
      campaignId: 'double-11-2026',
      waveId: 'd11-cashback',
    });
    expect(schedules.some((s) => s.Properties.Name === 'double-11-2026.d11-preheat')).toBe(false);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.athena'],
        'detail-type': ['Athena Query State Change'],
        detail: Match.objectLike({ currentState: ['SUCCEEDED', 'FAILED', 'CANCELLED'] }),
      },
    });
  });

  it('refuses bad settings with what was expected', () => {
    const app = (context: Record<string, unknown>) => new App({ context }).node;
    expect(() => readSettings(app({ 'campaign:linkBase': 'https://s.example.cn/x' }))).toThrow(
      /campaign:linkBase must be https:\/\/<host> with no path/,
    );
    expect(() => readSettings(app({ 'campaign:smsSendRate': 0 }))).toThrow(
      /campaign:smsSendRate must be a positive/,
    );
  });
});
