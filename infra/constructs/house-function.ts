import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { METRICS_NAMESPACE } from '../../functions/observability.ts';
import type { LakeStream } from './lake-stream.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HouseFunctionProps {
  /** Folder under functions/ whose handler.ts exports `handler`. */
  handler: string;
  timeout: Duration;
  memorySize?: number;
}

/** A setting a function reads (functions/environment.ts): the key of its environment variable. */
export type Setting = keyof typeof FUNCTION_ENV;

/** The DynamoDB actions the stores' adapters call: a function is granted only those of the stores it uses. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:BatchWriteItem';

/**
 * What the run-time operations of two stores call, granted wherever they are used: the contact store
 * (claims, reservations, suppressions: read and one conditional update) and the wave runs (get, put, and
 * the planning claim, a conditional put). tests/functions/plan-handlers.test.ts compares them with the
 * requests the handlers make.
 */
export const CONTACT_STORE_ACTIONS: [TableAction, ...TableAction[]] = [
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
];
export const WAVE_RUN_ACTIONS: [TableAction, ...TableAction[]] = ['dynamodb:GetItem', 'dynamodb:PutItem'];

/**
 * Every Lambda of the pipeline: Node 24 on arm64, bundled by esbuild on this machine (no Docker) as ESM
 * with source maps, X-Ray tracing, a log group kept for a month, Powertools settings. A function gets
 * each resource it uses through one of the `use…` methods, which set the variable naming the resource
 * and grant the access to it together: a function that is not given a resource has neither.
 */
export class HouseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: resolve(ROOT, 'functions', props.handler, 'handler.ts'),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: resolve(ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.handler,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        sourceMap: true,
        minify: false,
        forceDockerBundling: false,
        mainFields: ['module', 'main'],
        // ESM bundles of CommonJS dependencies need a require().
        banner:
          "import { createRequire as __houseCreateRequire } from 'node:module'; const require = __houseCreateRequire(import.meta.url);",
        // Native DuckDB is not used by the Lambdas (Athena is their warehouse).
        externalModules: ['@duckdb/node-api'],
      },
    });
  }

  /** A setting that names no resource (the link base, the SES configuration set's name, an ARN to pass on). */
  useSetting(setting: Setting, value: string): this {
    this.addEnvironment(FUNCTION_ENV[setting], value);
    return this;
  }

  /** A DynamoDB table: its name, and these actions on it (the ones its store's adapter calls). */
  useTable(setting: Setting, table: ITable, ...actions: [TableAction, ...TableAction[]]): this {
    table.grant(this, ...actions);
    return this.useSetting(setting, table.tableName);
  }

  /** A secret: its ARN, and reading its value. */
  useSecret(setting: Setting, secret: ISecret): this {
    secret.grantRead(this);
    return this.useSetting(setting, secret.secretArn);
  }

  /** A queue the function sends to: its URL, and sending messages to it. */
  useQueue(setting: Setting, queue: IQueue): this {
    queue.grantSendMessages(this);
    return this.useSetting(setting, queue.queueUrl);
  }

  /** A Firehose stream into a lake table: its name, and putting records on it. */
  useStream(setting: Setting, stream: LakeStream): this {
    stream.grantPutRecords(this);
    return this.useSetting(setting, stream.streamName);
  }

  /**
   * Objects of the lake bucket by prefix: the bucket's name, `s3:GetObject` on the objects under `read`
   * and `s3:PutObject` on those under `write` — those two actions only (CDK's grantRead and grantPut add
   * listing, tagging, retention and aborting).
   */
  useLakeObjects(bucket: IBucket, access: { read: string; write: string }): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${access.read}*`)],
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${access.write}*`)],
      }),
    );
    return this.useSetting('lakeBucket', bucket.bucketName);
  }

  /** The campaigns deployed with the stack: the lake bucket and the object's key, and reading that object. */
  useDeployedCampaigns(bucket: IBucket, key: string): this {
    bucket.grantRead(this, key);
    return this.useSetting('lakeBucket', bucket.bucketName).useSetting('campaignsKey', key);
  }
}
