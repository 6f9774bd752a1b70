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
