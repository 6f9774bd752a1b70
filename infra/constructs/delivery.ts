import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import type { Channel } from '../../shared/campaign/contact-policy-schema.ts';
import type { DeployedCampaigns } from '../../shared/delivery/aws/s3-campaign-catalog.ts';
import { SENDS } from '../../shared/lake/tables.ts';
import { type DataLake, grantAthenaQueries } from './data-lake.ts';
import { HouseFunction } from './house-function.ts';
import { LakeStream } from './lake-stream.ts';
import { Messaging } from './messaging.ts';
import type { State } from './state.ts';

export interface DeliveryProps {
  lake: DataLake;
  state: State;
  campaigns: DeployedCampaigns;
  /** SES identity (domain or address) the emails are sent from, and its configuration set. */
  sesIdentity: string;
  sesConfigurationSet: string;
  /** Provider send rates per second (SES account quota, SMS throughput) that bound consumer concurrency. */
  sendRates: Record<Channel, number>;
  linkBase: string;
}

/** Sends one function instance makes per second, for sizing concurrency to a provider's rate. */
export const SENDS_PER_INSTANCE: Record<Channel, number> = { email: 10, sms: 40, 'call-list': 200 };
export const SEND_TIMEOUT = Duration.minutes(2);
export const DEAD_LETTER_TIMEOUT = Duration.minutes(1);
export const CAMPAIGNS_KEY = 'config/campaigns.json';

/** Event source mapping concurrency for a provider rate: enough instances, never more (2–1000). */
export function maxConcurrencyFor(channel: Channel, ratePerSecond: number): number {
  return Math.min(1000, Math.max(2, Math.ceil(ratePerSecond / SENDS_PER_INSTANCE[channel])));
}

/**
 * The send side of delivery: a queue per channel with its dead-letter queue, the send-batches function
 * on all three (partial batch failures, concurrency bounded by each provider's rate), the dead-letters
 * function on the DLQs, the ledger's Firehose stream (JSON → Parquet with the sends Glue schema, `dt=`
 * from each record), the link-signing secret, the deployed campaigns, and alarms on dead letters, send
 * errors, throttles and failed audience queries. Every grant is the least the function needs.
 */
export class Delivery extends Construct {
  readonly messaging: Messaging;
  readonly sendBatches: HouseFunction;
  readonly deadLetters: HouseFunction;
  readonly launchWave: HouseFunction;
  readonly planWave: HouseFunction;
  readonly sendsStream: LakeStream;
  readonly linkSecret: Secret;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { lake, state } = props;
    const stack = Stack.of(this);
    this.messaging = new Messaging(this, 'Messaging', {
      consumerTimeout: SEND_TIMEOUT,
      deadLetterConsumerTimeout: DEAD_LETTER_TIMEOUT,
    });
    const { queues, deadLetters } = this.messaging;

    const linkSecret = new Secret(this, 'LinkSecret', {
      description: 'Signs tracked short links (HMAC key)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.linkSecret = linkSecret;
    new BucketDeployment(this, 'Campaigns', {
      destinationBucket: lake.bucket,
      sources: [Source.jsonData(CAMPAIGNS_KEY, props.campaigns)],
      prune: false,
    });
    this.sendsStream = new LakeStream(this, 'SendsStream', { lake, table: SENDS });

    const environment = {
      [FUNCTION_ENV.contactsTable]: state.contacts.tableName,
      [FUNCTION_ENV.linksTable]: state.links.tableName,
      [FUNCTION_ENV.sendsStream]: this.sendsStream.streamName,
      [FUNCTION_ENV.lakeBucket]: lake.bucket.bucketName,
      [FUNCTION_ENV.campaignsKey]: CAMPAIGNS_KEY,
      [FUNCTION_ENV.linkSecretArn]: linkSecret.secretArn,
      [FUNCTION_ENV.linkBase]: props.linkBase,
      [FUNCTION_ENV.emailQueueUrl]: queues.email.queueUrl,
      [FUNCTION_ENV.smsQueueUrl]: queues.sms.queueUrl,
      [FUNCTION_ENV.callListQueueUrl]: queues['call-list'].queueUrl,
      [FUNCTION_ENV.sesConfigurationSet]: props.sesConfigurationSet,
      [FUNCTION_ENV.campaignsTable]: state.campaigns.tableName,
    };
    const planningEnvironment = {
      ...environment,
      [FUNCTION_ENV.waveRunsTable]: state.waveRuns.tableName,
      [FUNCTION_ENV.athenaWorkGroup]: lake.workGroup.ref,
      [FUNCTION_ENV.athenaDatabase]: lake.databaseName,
    };
    this.sendBatches = new HouseFunction(this, 'SendBatches', {
      handler: 'send-batches',
      timeout: SEND_TIMEOUT,
      environment,
    });
    this.deadLetters = new HouseFunction(this, 'DeadLetters', {
      handler: 'dead-letters',
      timeout: DEAD_LETTER_TIMEOUT,
      environment,
    });

    this.launchWave = new HouseFunction(this, 'LaunchWave', {
      handler: 'launch-wave',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: planningEnvironment,
    });
    this.planWave = new HouseFunction(this, 'PlanWave', {
      handler: 'plan-wave',
      timeout: Duration.minutes(15),
      memorySize: 1536,
      environment: planningEnvironment,
    });
    for (const fn of [this.launchWave, this.planWave]) grantAthenaQueries(lake, fn);
    for (const fn of [this.launchWave, this.planWave]) {
      state.waveRuns.grantReadWriteData(fn);
      state.contacts.grantReadWriteData(fn); // reservations
    }
    for (const q of Object.values(queues)) q.grantSendMessages(this.planWave);
    // Athena reports every query of the workgroup; plan-wave plans the ones that are audience queries.
    new Rule(this, 'AudienceQueryFinished', {
      eventPattern: {
        source: ['aws.athena'],
        detailType: ['Athena Query State Change'],
        detail: { workgroupName: [lake.workGroup.ref], currentState: ['SUCCEEDED', 'FAILED', 'CANCELLED'] },
      },
      targets: [new LambdaFunction(this.planWave, { retryAttempts: 2 })],
    });

    for (const fn of [this.sendBatches, this.deadLetters, this.launchWave, this.planWave]) {
      state.contacts.grantReadWriteData(fn);
      lake.bucket.grantRead(fn, CAMPAIGNS_KEY);
      linkSecret.grantRead(fn);
      this.sendsStream.grantPutRecords(fn);
      state.campaigns.grant(fn, 'dynamodb:GetItem', 'dynamodb:Scan'); // campaigns created through the API
    }
    state.campaigns.grant(this.launchWave, 'dynamodb:PutItem'); // marks an API campaign's wave running
    state.links.grantWriteData(this.sendBatches);
    lake.bucket.grantPut(this.sendBatches, 'call-list/*');
    for (const q of Object.values(queues)) q.grantSendMessages(this.sendBatches); // deferrals, retries
    this.sendBatches.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.sesIdentity }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: props.sesConfigurationSet,
          }),
        ],
      }),
    );
    // Publishing an SMS straight to a phone number has no resource ARN to scope sns:Publish to.
    this.sendBatches.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));

    for (const channel of Object.keys(queues) as Channel[]) {
      this.sendBatches.addEventSource(
        new SqsEventSource(queues[channel], {
          batchSize: 10,
          reportBatchItemFailures: true,
          maxConcurrency: maxConcurrencyFor(channel, props.sendRates[channel]),
        }),
      );
      this.deadLetters.addEventSource(
        new SqsEventSource(deadLetters[channel], { batchSize: 10, reportBatchItemFailures: true }),
      );
      new Alarm(this, `${channel}DeadLettersAlarm`, {
        alarmDescription: `${channel} send messages were dead-lettered: their recipients are recorded failed`,
        metric: deadLetters[channel].metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    for (const [name, fn] of Object.entries({
      SendBatches: this.sendBatches,
      DeadLetters: this.deadLetters,
      LaunchWave: this.launchWave,
      PlanWave: this.planWave,
    })) {
      new Alarm(this, `${name}ThrottlesAlarm`, {
        alarmDescription: `${name} invocations were throttled`,
        metric: fn.metricThrottles({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    new Alarm(this, 'AudienceQueryFailedAlarm', {
      alarmDescription: 'a wave’s audience query failed or was cancelled in Athena: the wave run failed',
      metric: new Metric({
        namespace: 'CampaignPipeline',
        metricName: 'waveRunsFailed',
        dimensionsMap: { service: 'plan-wave' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'SendErrorsAlarm', {
      alarmDescription: 'send-batches invocations failed',
      metric: this.sendBatches.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
