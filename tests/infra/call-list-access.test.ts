import { describe, expect, it } from 'vitest';
import { testTemplate } from './test-stack.ts';

/**
 * The call lists on AWS: masked under call-list/, full numbers under call-list-dial/, each prefix read by
 * a role of its own, and nothing else in the stack able to read the numbers.
 */
const template = testTemplate();
type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const policies = Object.values(resources)
  .filter((r) => r.Type === 'AWS::IAM::Policy')
  .map((r) => ({
    roles: JSON.stringify(r.Properties.Roles),
    statements: (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  }));
const roleId = (prefix: string) => {
  const id = Object.keys(resources).find(
    (k) => k.startsWith(prefix) && resources[k]?.Type === 'AWS::IAM::Role',
  );
  if (!id) throw new Error(`no role ${prefix}`);
  return id;
};
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** The statements of every policy attached to the role. */
const statementsOf = (role: string) =>
  policies.filter((p) => p.roles.includes(`"${role}"`)).flatMap((p) => p.statements);
/** Whether a statement's resources cover an object under `prefix` of the lake bucket. */
const covers = (s: Statement, prefix: string) => {
  const text = JSON.stringify(s.Resource);
  return text.includes(`/${prefix}*`) || text === '"*"' || /"\/\*"/.test(text);
};
const reads = (s: Statement) =>
  actions(s).some((a) => a === 's3:GetObject' || a === 's3:GetObject*' || a === 's3:*');

describe('call lists on AWS (CDK)', () => {
  const dialer = roleId('DeliveryCallListsCallListDialer');
  const reader = roleId('DeliveryCallListsCallListReader');

  it('gives the full numbers (call-list-dial/) a read grant of their own: the CallListDialer role', () => {
    const grants = statementsOf(dialer);
    expect(grants.filter((s) => reads(s)).map((s) => covers(s, 'call-list-dial/'))).toEqual([true]);
    expect(grants.flatMap(actions).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(grants.find((s) => actions(s).includes('s3:ListBucket'))?.Condition).toEqual({
      StringLike: { 's3:prefix': ['call-list-dial/*'] },
    });
    // Assumed only by principals of the account its administrators allow.
    const trust = JSON.stringify(resources[dialer]?.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain(':root');
    expect(resources[dialer]?.Properties.MaxSessionDuration).toBe(3600);
  });

  it('lets the CallListReader role read the masked lists and not the numbers', () => {
    const grants = statementsOf(reader);
    expect(grants.filter(reads).map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringContaining('/call-list/*'),
    ]);
    expect(grants.some((s) => reads(s) && covers(s, 'call-list-dial/'))).toBe(false);
  });

  it('denies reading the full numbers to every principal but the dialer role, whatever else they are granted', () => {
    const denies = Object.values(resources)
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: (Statement & { Principal: unknown })[] }).Statement,
      )
      .filter((s) => s.Effect === 'Deny' && JSON.stringify(s.Resource).includes('/call-list-dial/*'));
    expect(denies).toHaveLength(1);
    expect(denies[0]?.Principal).toEqual({ AWS: '*' });
    expect(actions(denies[0] as Statement).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(denies[0]?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [dialer, 'Arn'] } },
    });
    // IAM grants that reach the numbers: the dialer's, and CDK's deployment helper's whole-bucket grant
    // (BucketDeployment), which the deny above overrides. No function of the pipeline reads them.
    const readers = policies
      .filter((p) =>
        p.statements.some((s) => s.Effect === 'Allow' && reads(s) && covers(s, 'call-list-dial/')),
      )
      .map((p) => p.roles);
    expect(readers).toEqual([
      expect.stringContaining(dialer),
      expect.stringContaining('CustomCDKBucketDeployment'),
    ]);
  });

  it('lets send-batches write the full numbers, and nothing else write them', () => {
    const writers = policies.filter((p) =>
      p.statements.some(
        (s) =>
          actions(s).some((a) => a.startsWith('s3:PutObject')) &&
          JSON.stringify(s.Resource).includes('/call-list-dial/*'),
      ),
    );
    expect(writers.map((p) => p.roles)).toEqual([expect.stringContaining('DeliverySendBatches')]);
  });
});

/**
 * The way back: staff upload the filled list under call-outcomes/ through a role of their own, the upload
 * invokes record-call-outcomes, which reads it and writes the report under call-outcomes-results/.
 */
describe('call outcomes back in on AWS (CDK)', () => {
  const recorderRole = roleId('ResponsesCallOutcomesCallOutcomeRecorder');
  const fnId =
    Object.keys(resources).find(
      (k) =>
        resources[k]?.Type === 'AWS::Lambda::Function' &&
        JSON.stringify(resources[k]?.Properties.Environment).includes('"record-call-outcomes"'),
    ) ?? 'no record-call-outcomes function';
  const fnRole = String(
    (resources[fnId]?.Properties.Role as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0],
  );
  const lake = Object.keys(resources).find((k) => /^DataLake[0-9A-F]{8}$/.test(k)) ?? 'no lake bucket';
  /** A statement as [actions, the object prefix of the lake bucket it names (or its resources)]. */
  const summary = (s: Statement) => {
    const text = JSON.stringify(s.Resource);
    const prefix = /"(\/[^"]*\*)"/.exec(text)?.[1];
    return [actions(s).sort().join(' '), text.includes(`"${lake}"`) && prefix ? `lake${prefix}` : 'other'];
  };

  it('invokes record-call-outcomes on each .csv created under call-outcomes/ (not on its reports under call-outcomes-results/)', () => {
    const notifications = Object.values(resources).filter((r) => r.Type === 'Custom::S3BucketNotifications');
    expect(
      notifications.map((n) => [n.Properties.BucketName, n.Properties.NotificationConfiguration]),
    ).toEqual([
      [
        { Ref: lake },
        {
          LambdaFunctionConfigurations: [
            {
              Events: ['s3:ObjectCreated:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'suffix', Value: '.csv' },
                    { Name: 'prefix', Value: 'call-outcomes/' },
                  ],
                },
              },
              LambdaFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
            },
          ],
        },
      ],
    ]);
    const invoke = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName).includes(`"${fnId}"`),
    );
    expect(invoke.map((p) => [p.Properties.Principal, p.Properties.SourceArn])).toEqual([
      ['s3.amazonaws.com', { 'Fn::GetAtt': [lake, 'Arn'] }],
    ]);
  });

  it('lets the function read the uploads and write the reports, Athena and the response writes, nothing else of the bucket', () => {
    const grants = statementsOf(fnRole).map(summary);
    expect(grants.filter(([, where]) => where !== 'other').sort()).toEqual(
      [
        ['s3:GetObject', 'lake/call-outcomes/*'],
        ['s3:PutObject', 'lake/call-outcomes-results/*'],
        // Athena reads the two tables its queries name, not the lake (customers hold phones and emails).
        ['s3:GetBucket* s3:GetObject* s3:List*', 'lake/lake/events/*'],
        ['s3:GetBucket* s3:GetObject* s3:List*', 'lake/lake/sends/*'],
      ].sort(),
    );
    expect([...new Set(statementsOf(fnRole).flatMap(actions))].sort()).toEqual(
      [
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'firehose:PutRecordBatch',
        'glue:GetDatabase',
        'glue:GetPartitions',
        'glue:GetTable',
        'glue:GetTables',
        's3:Abort*',
        's3:DeleteObject*',
        's3:GetBucket*',
        's3:GetObject',
        's3:GetObject*',
        's3:List*',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('gives staff the CallOutcomeRecorder role: upload under call-outcomes/, read the reports, nothing else', () => {
    expect(statementsOf(recorderRole).map(summary)).toEqual([
      ['s3:PutObject', 'lake/call-outcomes/*'],
      ['s3:GetObject', 'lake/call-outcomes-results/*'],
    ]);
    const trust = JSON.stringify(resources[recorderRole]?.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain(':root');
    expect(resources[recorderRole]?.Properties.MaxSessionDuration).toBe(3600);
    expect(template.toJSON().Outputs.CallOutcomeRecorderRole).toEqual({
      Value: { 'Fn::GetAtt': [recorderRole, 'Arn'] },
    });
  });

  it('denies reading the uploads (a filled dialling export has full numbers) to every principal but the function', () => {
    const denies = Object.values(resources)
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: (Statement & { Principal: unknown })[] }).Statement,
      )
      .filter((s) => s.Effect === 'Deny' && JSON.stringify(s.Resource).includes('/call-outcomes/*'));
    expect(denies.map((s) => [s.Principal, actions(s).sort(), s.Condition])).toEqual([
      [
        { AWS: '*' },
        ['s3:GetObject', 's3:GetObjectVersion'],
        { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [fnRole, 'Arn'] } } },
      ],
    ]);
  });
});
