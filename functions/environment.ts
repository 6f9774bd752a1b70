import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ApiCampaignCatalog } from '../shared/api/api-campaign-catalog.ts';
import { DynamoDbCampaignStore } from '../shared/api/aws/dynamodb-campaign-store.ts';
import { DynamoDbIdempotencyStore } from '../shared/api/aws/dynamodb-idempotency-store.ts';
import { EventBridgeWaveScheduler } from '../shared/api/aws/eventbridge-wave-scheduler.ts';
import { configOf } from '../shared/api/campaign-api.ts';
import { listAll } from '../shared/api/campaign-store.ts';
import type { RouterDeps } from '../shared/api/router.ts';
import type { Campaign } from '../shared/campaign/campaign-schema.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { S3CampaignCatalog } from '../shared/delivery/aws/s3-campaign-catalog.ts';
import type { CampaignCatalog } from '../shared/delivery/campaign-catalog.ts';
import { DynamoDbContactStore } from '../shared/delivery/contact-policy/aws/dynamodb-contact-store.ts';
import type { DeadLetterDeps } from '../shared/delivery/dead-letters.ts';
import { FirehoseLedger } from '../shared/delivery/ledger/aws/firehose-ledger.ts';
import { DynamoDbLinkStore } from '../shared/delivery/links/aws/dynamodb-link-store.ts';
import { LinkIssuer } from '../shared/delivery/links/short-links.ts';
import type { LaunchDeps, WavePlanDeps } from '../shared/delivery/plan-wave.ts';
import { SqsProducer } from '../shared/delivery/queue/aws/sqs-producer.ts';
import type { SendDeps } from '../shared/delivery/send-batch.ts';
import { S3CallList } from '../shared/delivery/senders/aws/s3-call-list.ts';
import { SesEmailSender } from '../shared/delivery/senders/aws/ses-email-sender.ts';
import { SnsSmsSender } from '../shared/delivery/senders/aws/sns-sms-sender.ts';
import { DynamoDbWaveRunStore } from '../shared/delivery/wave-runs/aws/dynamodb-wave-run-store.ts';
import { AthenaWarehouse } from '../shared/lake/aws/athena-warehouse.ts';
import { FirehoseTableWriter } from '../shared/lake/aws/firehose-table-writer.ts';
import { AthenaResponseTables } from '../shared/responses/aws/athena-response-tables.ts';
import type { UploadedCallOutcomesDeps } from '../shared/responses/aws/s3-call-outcomes.ts';
import type { LinkDeps } from '../shared/responses/follow-link.ts';
import type { IngestDeps } from '../shared/responses/ingest-events.ts';

/**
 * The environment variables the functions read, set by the CDK constructs next to each grant
 * (infra/constructs/ use these names). Endpoints come from the SDK's own settings
 * (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>).
 */
export const FUNCTION_ENV = {
  contactsTable: 'CONTACTS_TABLE',
  linksTable: 'LINKS_TABLE',
  sendsStream: 'SENDS_DELIVERY_STREAM',
  rolloutDecisionsStream: 'ROLLOUT_DECISIONS_DELIVERY_STREAM',
  lakeBucket: 'LAKE_BUCKET',
  campaignsKey: 'CAMPAIGNS_KEY',
  linkSecretArn: 'LINK_SECRET_ARN',
  linkBase: 'LINK_BASE',
  emailQueueUrl: 'EMAIL_QUEUE_URL',
  smsQueueUrl: 'SMS_QUEUE_URL',
  callListQueueUrl: 'CALL_LIST_QUEUE_URL',
  waveRunsTable: 'WAVE_RUNS_TABLE',
  athenaWorkGroup: 'ATHENA_WORKGROUP',
  athenaDatabase: 'ATHENA_DATABASE',
  eventsStream: 'EVENTS_DELIVERY_STREAM',
  suppressionsStream: 'SUPPRESSIONS_DELIVERY_STREAM',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  campaignsTable: 'CAMPAIGNS_TABLE',
  scheduleGroup: 'SCHEDULE_GROUP',
  launchWaveArn: 'LAUNCH_WAVE_ARN',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
} as const;

export class MissingSettingError extends Error {
  override name = 'MissingSettingError';
}

function setting(env: NodeJS.ProcessEnv, name: keyof typeof FUNCTION_ENV): string {
  const value = env[FUNCTION_ENV[name]];
  if (!value) throw new MissingSettingError(`environment variable ${FUNCTION_ENV[name]} is not set`);
  return value;
}

/** Athena in the stack's workgroup and database: the warehouse of launch-wave, plan-wave, api, attribute and record-call-outcomes. */
function athenaFromEnvironment(env: NodeJS.ProcessEnv): AthenaWarehouse {
  return new AthenaWarehouse({
    client: new AthenaClient({}),
    workGroup: setting(env, 'athenaWorkGroup'),
    database: setting(env, 'athenaDatabase'),
  });
}

const contactsOf = (env: NodeJS.ProcessEnv, client: DynamoDBClient) =>
  new DynamoDbContactStore({ client, tableName: setting(env, 'contactsTable') });
const ledgerOf = (env: NodeJS.ProcessEnv) =>
  new FirehoseLedger({ client: new FirehoseClient({}), deliveryStreamName: setting(env, 'sendsStream') });
const runsOf = (env: NodeJS.ProcessEnv, client: DynamoDBClient) =>
  new DynamoDbWaveRunStore({ client, tableName: setting(env, 'waveRunsTable') });
const queuesOf = (env: NodeJS.ProcessEnv, client: SQSClient): SendDeps['queues'] => ({
  email: new SqsProducer({ client, queueUrl: setting(env, 'emailQueueUrl') }),
  sms: new SqsProducer({ client, queueUrl: setting(env, 'smsQueueUrl') }),
  'call-list': new SqsProducer({ client, queueUrl: setting(env, 'callListQueueUrl') }),
});

/**
 * launch-wave: the wave runs, the campaigns, the contact store (look-ahead reservations), Athena, and the
 * rollout decisions' stream.
 */
export function launchingFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): LaunchDeps & { athena: AthenaWarehouse } {
  const dynamo = new DynamoDBClient({});
  const athena = athenaFromEnvironment(env);
  return {
    athena,
    warehouse: athena,
    dialect: 'trino',
    catalog: catalogFromEnvironment(env, new S3Client({}), dynamo),
    contacts: contactsOf(env, dynamo),
    runs: runsOf(env, dynamo),
    clock: systemClock,
    decisions: new FirehoseTableWriter({
      client: new FirehoseClient({}),
      deliveryStreamName: setting(env, 'rolloutDecisionsStream'),
    }),
  };
}

/** plan-wave: Athena (the audience query and its results), the campaigns, the wave runs, ledger and queues. */
export function planningFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): WavePlanDeps & { athena: AthenaWarehouse; catalog: CampaignCatalog; clock: Clock } {
  const dynamo = new DynamoDBClient({});
  const athena = athenaFromEnvironment(env);
  return {
    athena,
    warehouse: athena,
    catalog: catalogFromEnvironment(env, new S3Client({}), dynamo),
    runs: runsOf(env, dynamo),
    ledger: ledgerOf(env),
    queues: queuesOf(env, new SQSClient({})),
    clock: systemClock,
  };
}

/** dead-letters: the contact store (each open send is settled failed) and the ledger. */
export function deadLettersFromEnvironment(env: NodeJS.ProcessEnv = process.env): DeadLetterDeps {
  return { contacts: contactsOf(env, new DynamoDBClient({})), ledger: ledgerOf(env), clock: systemClock };
}

/** send-batches: every adapter the send use case takes, the link secret (it signs each send's links) read once. */
export async function sendingFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<SendDeps> {
  const dynamo = new DynamoDBClient({});
  const s3 = new S3Client({});
  const secret = await linkSecret(env);
  return {
    catalog: catalogFromEnvironment(env, s3, dynamo),
    contacts: contactsOf(env, dynamo),
    ledger: ledgerOf(env),
    links: new DynamoDbLinkStore({ client: dynamo, tableName: setting(env, 'linksTable') }),
    linkIssuer: new LinkIssuer(secret, setting(env, 'linkBase')),
    queues: queuesOf(env, new SQSClient({})),
    email: new SesEmailSender({
      client: new SESv2Client({}),
      defaultConfigurationSet: env[FUNCTION_ENV.sesConfigurationSet],
    }),
    sms: new SnsSmsSender({ client: new SNSClient({}) }),
    callList: new S3CallList({ client: s3, bucket: setting(env, 'lakeBucket') }),
    clock: systemClock,
  };
}

async function linkSecret(env: NodeJS.ProcessEnv): Promise<string> {
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: setting(env, 'linkSecretArn') }),
  );
  if (!secret.SecretString) throw new MissingSettingError('the link secret has no string value');
  return secret.SecretString;
}

/** Where response events go on AWS: the events and suppressions streams, and the contact store. */
export function ingestFromEnvironment(env: NodeJS.ProcessEnv = process.env): IngestDeps {
  const firehose = new FirehoseClient({});
  return {
    events: new FirehoseTableWriter({ client: firehose, deliveryStreamName: setting(env, 'eventsStream') }),
    suppressions: new FirehoseTableWriter({
      client: firehose,
      deliveryStreamName: setting(env, 'suppressionsStream'),
    }),
    contacts: contactsOf(env, new DynamoDBClient({})),
  };
}

/**
 * record-call-outcomes: the lake bucket (the uploaded sheets, their reports), Athena (is each row a call
 * that was made, recorded already?) and the response writes of ingest-events.
 */
export function recordCallsFromEnvironment(env: NodeJS.ProcessEnv = process.env): UploadedCallOutcomesDeps {
  return {
    ...ingestFromEnvironment(env),
    warehouse: athenaFromEnvironment(env),
    s3: new S3Client({}),
    bucket: setting(env, 'lakeBucket'),
    clock: systemClock,
  };
}

/** What the click and unsubscribe endpoints use: the link store and its secret, and the ingestion. */
export async function linksFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<LinkDeps> {
  return {
    links: new DynamoDbLinkStore({ client: new DynamoDBClient({}), tableName: setting(env, 'linksTable') }),
    secret: await linkSecret(env),
    clock: systemClock,
    ingest: ingestFromEnvironment(env),
  };
}

/** The deployed campaigns, and with the campaign store (where it is set) those created through the API. */
function catalogFromEnvironment(env: NodeJS.ProcessEnv, s3: S3Client, dynamo: DynamoDBClient) {
  const deployed = new S3CampaignCatalog({
    client: s3,
    bucket: setting(env, 'lakeBucket'),
    key: setting(env, 'campaignsKey'),
  });
  const table = env[FUNCTION_ENV.campaignsTable];
  return table
    ? new ApiCampaignCatalog(
        deployed,
        new DynamoDbCampaignStore({ client: dynamo, tableName: table }),
        systemClock,
      )
    : deployed;
}

/** The campaign API on AWS: the campaign and idempotency stores, Scheduler, Athena, the wave runs. */
export async function apiFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): Promise<Omit<RouterDeps, 'authenticate'>> {
  const dynamo = new DynamoDBClient({});
  const tableName = setting(env, 'campaignsTable');
  const deployed = new S3CampaignCatalog({
    client: new S3Client({}),
    bucket: setting(env, 'lakeBucket'),
    key: setting(env, 'campaignsKey'),
  });
  const policy = await deployed.policy();
  const athena = athenaFromEnvironment(env);
  return {
    api: {
      store: new DynamoDbCampaignStore({ client: dynamo, tableName }),
      scheduler: new EventBridgeWaveScheduler({
        client: new SchedulerClient({}),
        groupName: setting(env, 'scheduleGroup'),
        launchWaveArn: setting(env, 'launchWaveArn'),
        roleArn: setting(env, 'schedulerRoleArn'),
        policy,
        clock: systemClock,
      }),
      warehouse: athena,
      dialect: 'trino',
      runs: runsOf(env, dynamo),
      policy,
      clock: systemClock,
    },
    idempotency: new DynamoDbIdempotencyStore({ client: dynamo, tableName, clock: systemClock }),
  };
}

/** The campaign store, where the function is given one (launch-wave checks an API campaign's state). */
export function campaignStoreFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): DynamoDbCampaignStore | null {
  const tableName = env[FUNCTION_ENV.campaignsTable];
  return tableName ? new DynamoDbCampaignStore({ client: new DynamoDBClient({}), tableName }) : null;
}

/** The attribution job: Athena, Glue, the lake, and every campaign (deployed and from the API). */
export function attributeFromEnvironment(env: NodeJS.ProcessEnv = process.env) {
  const s3 = new S3Client({});
  const deployed = new S3CampaignCatalog({
    client: s3,
    bucket: setting(env, 'lakeBucket'),
    key: setting(env, 'campaignsKey'),
  });
  const store = campaignStoreFromEnvironment(env);
  return {
    tables: new AthenaResponseTables({
      athena: athenaFromEnvironment(env),
      glue: new GlueClient({}),
      s3,
      bucket: setting(env, 'lakeBucket'),
      database: setting(env, 'athenaDatabase'),
      clock: systemClock,
    }),
    campaigns: async (): Promise<Campaign[]> => [
      ...(await deployed.campaigns()),
      ...(store ? (await listAll(store)).map(configOf) : []),
    ],
  };
}
