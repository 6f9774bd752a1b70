import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CALL_LIST_DIAL_PREFIX, CALL_LIST_PREFIX } from '../../shared/delivery/senders/aws/s3-call-list.ts';

/**
 * A role for staff: trusting the account (its administrators give `sts:AssumeRole` on it to the people
 * who need it), sessions of an hour at most, these grants only, and its ARN a stack output
 * (`<name>Role`).
 */
export function staffRole(
  scope: Construct,
  name: string,
  description: string,
  statements: PolicyStatement[],
): Role {
  const r = new Role(scope, name, {
    assumedBy: new AccountRootPrincipal(),
    description,
    maxSessionDuration: Duration.hours(1),
  });
  for (const s of statements) r.addToPolicy(s);
  new CfnOutput(Stack.of(scope), `${name}Role`, { value: r.roleArn });
  return r;
}

/**
 * Who may read the call lists (shared/delivery/senders/aws/s3-call-list.ts): two roles, each the only
 * grant on its prefix of the lake bucket. `CallListReader` reads `call-list/` (the phone masked);
 * `CallListDialer` reads `call-list-dial/` (full numbers), for the staff allowed to dial. Both trust the
 * account: its administrators give `sts:AssumeRole` on one or the other to the people who need it, so
 * seeing numbers is granted apart from seeing the list (and S3 access logs record every download).
 *
 * The bucket's policy denies reading the numbers to every principal but the dialer role, so no broader
 * grant can reach them: not an administrator's, not CDK's deployment helper's (BucketDeployment grants
 * its function the whole destination bucket). The way back, staff uploading the filled lists, is call-outcomes.ts.
 */
export class CallListAccess extends Construct {
  readonly reader: Role;
  readonly dialer: Role;

  constructor(scope: Construct, id: string, props: { bucket: Bucket }) {
    super(scope, id);
    const role = (name: string, prefix: string, description: string) =>
      staffRole(this, name, description, [
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [props.bucket.arnForObjects(`${prefix}*`)],
        }),
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [props.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
      ]);
    this.reader = role(
      'CallListReader',
      CALL_LIST_PREFIX,
      'Reads the call lists, phones masked (call-list/)',
    );
    this.dialer = role(
      'CallListDialer',
      CALL_LIST_DIAL_PREFIX,
      'Reads the call lists with full phone numbers (call-list-dial/): staff allowed to dial',
    );
    props.bucket.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [props.bucket.arnForObjects(`${CALL_LIST_DIAL_PREFIX}*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.dialer.roleArn } },
      }),
    );
  }
}
