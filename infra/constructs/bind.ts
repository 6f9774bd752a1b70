import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { HouseFunction, Setting } from './house-function.ts';
import { LakeStream } from './lake-stream.ts';

/** The DynamoDB actions the stores' adapters call: a function is granted only those of the stores it uses. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:BatchWriteItem';

/** Access to a table: the exact actions its store's adapter calls (CDK's grantRead/grantWrite add more). */
export type TableAccess = readonly [TableAction, ...TableAction[]];

/**
 * What the run-time operations of two stores call, granted wherever they are used: the contact store
 * (claims, reservations, suppressions: read and one conditional update) and the wave runs (get, put, and
 * the planning claim, a conditional put). tests/functions/plan-handlers.test.ts compares them with the
 * requests the handlers make.
 */
export const CONTACT_STORE_ACTIONS: TableAccess = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
export const WAVE_RUN_ACTIONS: TableAccess = ['dynamodb:GetItem', 'dynamodb:PutItem'];

/**
 * Access to objects of a bucket, each kind on the keys or key patterns (`prefix/*`) listed, granted in
 * the order given: `read` is CDK's grantRead (objects and listing), `put` CDK's grantPut (the object, its
 * tags and retention, aborting multipart uploads: Athena's UNLOAD and the call lists), `delete` CDK's
 * grantDelete; `getObject` and `putObject` are those two actions only.
 */
export type ObjectAccess = Partial<Record<'read' | 'getObject' | 'put' | 'putObject' | 'delete', string[]>>;

/**
 * Gives a function a resource: sets the environment variable `setting` (functions/environment.ts) to the
 * resource's name, ARN or URL and grants exactly the access named — nothing else sets a resource's
 * variable or grants a function access to one, so a function has a resource's variable exactly when it
 * has the grant, and every grant has the variable that says why.
 *
 * - a DynamoDB table: its name, and the actions listed;
 * - a secret: its ARN, `read` its value;
 * - a queue: its URL, `send` messages to it;
 * - a lake stream (Firehose): its name, `write` records to it (firehose:PutRecordBatch only);
 * - a bucket: its name, and the object access listed;
 * - a role: its ARN, `pass` it on (to a service that acts with it);
 * - a schedule group: its name, `manageSchedules` in it (create and delete).
 */
export function bind(fn: HouseFunction, table: ITable, setting: Setting, access: TableAccess): void;
export function bind(fn: HouseFunction, secret: ISecret, setting: Setting, access: 'read'): void;
export function bind(fn: HouseFunction, queue: IQueue, setting: Setting, access: 'send'): void;
export function bind(fn: HouseFunction, stream: LakeStream, setting: Setting, access: 'write'): void;
export function bind(fn: HouseFunction, bucket: IBucket, setting: Setting, access: ObjectAccess): void;
export function bind(fn: HouseFunction, role: IRole, setting: Setting, access: 'pass'): void;
export function bind(
  fn: HouseFunction,
  group: CfnScheduleGroup,
  setting: Setting,
  access: 'manageSchedules',
): void;
export function bind(fn: HouseFunction, resource: Bindable, setting: Setting, access: Access): void {
  fn.useSetting(setting, grant(fn, resource, access));
}

type Bindable = ITable | ISecret | IQueue | LakeStream | IBucket | IRole | CfnScheduleGroup;
type Access = TableAccess | 'read' | 'send' | 'write' | ObjectAccess | 'pass' | 'manageSchedules';

/** Grants the access and returns the value naming the resource; a resource and access that do not go together throw. */
function grant(fn: HouseFunction, resource: Bindable, access: Access): string {
  if (resource instanceof LakeStream && access === 'write') {
    resource.grantPutRecords(fn);
    return resource.streamName;
  }
  if (resource instanceof CfnScheduleGroup && access === 'manageSchedules') {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [
          Stack.of(resource).formatArn({
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${resource.ref}/*`,
          }),
        ],
      }),
    );
    return resource.ref;
  }
  if ('tableName' in resource && isTableAccess(access)) {
    resource.grant(fn, ...access);
    return resource.tableName;
  }
  if ('secretArn' in resource && access === 'read') {
    resource.grantRead(fn);
    return resource.secretArn;
  }
  if ('queueUrl' in resource && access === 'send') {
    resource.grantSendMessages(fn);
    return resource.queueUrl;
  }
  if ('roleArn' in resource && access === 'pass') {
    resource.grantPassRole(fn.grantPrincipal);
    return resource.roleArn;
  }
  if ('bucketName' in resource && typeof access === 'object' && !isTableAccess(access)) {
    grantObjects(fn, resource, access);
    return resource.bucketName;
  }
  const named = typeof access === 'string' ? access : JSON.stringify(access);
  throw new Error(`bind: ${named} is not an access to ${resource.node.path}`);
}

function isTableAccess(access: Access): access is TableAccess {
  return Array.isArray(access);
}

function grantObjects(fn: HouseFunction, bucket: IBucket, access: ObjectAccess): void {
  for (const [kind, keys] of Object.entries(access) as [keyof ObjectAccess, string[]][])
    for (const key of keys) {
      if (kind === 'read') bucket.grantRead(fn, key);
      else if (kind === 'put') bucket.grantPut(fn, key);
      else if (kind === 'delete') bucket.grantDelete(fn, key);
      else
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: [kind === 'getObject' ? 's3:GetObject' : 's3:PutObject'],
            resources: [bucket.arnForObjects(key)],
          }),
        );
    }
}

/** The campaigns deployed with the stack: the lake bucket and the object's key, and reading that object. */
export function bindDeployedCampaigns(fn: HouseFunction, bucket: IBucket, key: string): void {
  bind(fn, bucket, 'lakeBucket', { read: [key] });
  fn.useSetting('campaignsKey', key);
}
