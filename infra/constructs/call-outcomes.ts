import { AnyPrincipal, Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import {
  CALL_OUTCOME_RESULTS_PREFIX,
  CALL_OUTCOMES_PREFIX,
} from '../../shared/responses/aws/s3-call-outcomes.ts';
import { staffRole } from './call-list-access.ts';
import type { HouseFunction } from './house-function.ts';

/**
 * The call lists' way back (shared/responses/aws/s3-call-outcomes.ts): staff upload a filled list to
 * `call-outcomes/<campaign>/<name>.csv` in the lake bucket through the `CallOutcomeRecorder` role
 * (`s3:PutObject` there, `s3:GetObject` on the reports under `call-outcomes-results/`, nothing else); each
 * `.csv` created under `call-outcomes/` invokes the recorder function, which writes the report under
 * `call-outcomes-results/` — outside the notification's prefix, so a report starts nothing.
 *
 * An upload may be the dialling export filled in, full numbers and all: the bucket's policy denies
 * reading `call-outcomes/` to every principal but the recorder function, as it does for `call-list-dial/`.
 */
export class CallOutcomeUploads extends Construct {
  readonly recorder: Role;

  constructor(scope: Construct, id: string, props: { bucket: Bucket; fn: HouseFunction }) {
    super(scope, id);
    const { bucket, fn } = props;
    this.recorder = staffRole(
      this,
      'CallOutcomeRecorder',
      'Uploads filled call lists (call-outcomes/) and reads their reports (call-outcomes-results/)',
      [
        new PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`${CALL_OUTCOMES_PREFIX}*`)],
        }),
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects(`${CALL_OUTCOME_RESULTS_PREFIX}*`)],
        }),
      ],
    );
    bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), {
      prefix: CALL_OUTCOMES_PREFIX,
      suffix: '.csv',
    });
    bucket.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects(`${CALL_OUTCOMES_PREFIX}*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': fn.role?.roleArn } },
      }),
    );
  }
}
