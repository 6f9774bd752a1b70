import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/observability.ts';
import type { Channel } from '../../shared/campaign/contact-policy-schema.ts';
import type { DeployedCampaigns } from '../../shared/delivery/aws/s3-campaign-catalog.ts';
import { CALL_LIST_DIAL_PREFIX, CALL_LIST_PREFIX } from '../../shared/delivery/senders/aws/s3-call-list.ts';
import { ROLLOUT_DECISIONS, SENDS } from '../../shared/lake/tables.ts';
import { CallListAccess } from './call-list-access.ts';
import { type DataLake, useAthenaQueries } from './data-lake.ts';
import { CONTACT_STORE_ACTIONS, HouseFunction, WAVE_RUN_ACTIONS } from './house-function.ts';
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
 * errors, throttles and failed audience queries. Every function is given only the resources it uses, each
 * with the least access it needs.
 */
export class Delivery extends Construct {
  readonly messaging: Messaging;
  readonly sendBatches: HouseFunction;
  readonly deadLetters: HouseFunction;
  readonly launchWave: HouseFunction;
  readonly planWave: HouseFunction;
  readonly sendsStream: LakeStream;
  readonly rolloutDecisionsStream: LakeStream;
  readonly linkSecret: Secret;
  /** The roles that read the call lists: masked, and with full numbers. */
  readonly callLists: CallListAccess;

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
    this.rolloutDecisionsStream = new LakeStream(this, 'RolloutDecisionsStream', {
      lake,
      table: ROLLOUT_DECISIONS,
    });

    // Each function is given what it uses (functions/environment.ts), each resource's name and its grant
    // together (HouseFunction.use…): the link secret only where links are signed.
    const { contacts, links, campaigns, waveRuns } = state;
    this.sendBatches = new HouseFunction(this, 'SendBatches', {
      handler: 'send-batches',
      timeout: SEND_TIMEOUT,
    })
      .useDeployedCampaigns(lake.bucket, CAMPAIGNS_KEY)
      .useTable('campaignsTable', campaigns, 'dynamodb:GetItem', 'dynamodb:Scan') // campaigns from the API
      .useTable('contactsTable', contacts, ...CONTACT_STORE_ACTIONS) // claims
      .useTable('linksTable', links, 'dynamodb:BatchWriteItem')
      .useSecret('linkSecretArn', linkSecret)
      .useSetting('linkBase', props.linkBase)
      .useStream('sendsStream', this.sendsStream)
      // Deferrals and retries go back on the channel's queue.
      .useQueue('emailQueueUrl', queues.email)
      .useQueue('smsQueueUrl', queues.sms)
      .useQueue('callListQueueUrl', queues['call-list'])
      .useSetting('sesConfigurationSet', props.sesConfigurationSet);
    lake.bucket.grantPut(this.sendBatches, `${CALL_LIST_PREFIX}*`);
    lake.bucket.grantPut(this.sendBatches, `${CALL_LIST_DIAL_PREFIX}*`);
    this.callLists = new CallListAccess(this, 'CallLists', { bucket: lake.bucket });
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
    this.deadLetters = new HouseFunction(this, 'DeadLetters', {
      handler: 'dead-letters',
      timeout: DEAD_LETTER_TIMEOUT,
    })
      .useTable('contactsTable', contacts, ...CONTACT_STORE_ACTIONS) // settles open sends
      .useStream('sendsStream', this.sendsStream);

    this.launchWave = new HouseFunction(this, 'LaunchWave', {
      handler: 'launch-wave',
      timeout: Duration.minutes(15),
      memorySize: 1024,
    })
      .useDeployedCampaigns(lake.bucket, CAMPAIGNS_KEY)
      // Reads an API campaign and marks its wave running.
      .useTable('campaignsTable', campaigns, 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:PutItem')
      .useTable('waveRunsTable', waveRuns, ...WAVE_RUN_ACTIONS)
      .useTable('contactsTable', contacts, ...CONTACT_STORE_ACTIONS) // reservations
      .useStream('rolloutDecisionsStream', this.rolloutDecisionsStream); // a rollout wave's decision
    useAthenaQueries(lake, this.launchWave);
    this.planWave = new HouseFunction(this, 'PlanWave', {
      handler: 'plan-wave',
      timeout: Duration.minutes(15),
      memorySize: 1536,
    })
      .useDeployedCampaigns(lake.bucket, CAMPAIGNS_KEY)
      .useTable('campaignsTable', campaigns, 'dynamodb:GetItem', 'dynamodb:Scan')
      .useTable('waveRunsTable', waveRuns, ...WAVE_RUN_ACTIONS)
      .useStream('sendsStream', this.sendsStream)
      .useQueue('emailQueueUrl', queues.email)
      .useQueue('smsQueueUrl', queues.sms)
      .useQueue('callListQueueUrl', queues['call-list']);
    useAthenaQueries(lake, this.planWave);
    // Athena reports every query of the workgroup; plan-wave plans the ones that are audience queries.
    new Rule(this, 'AudienceQueryFinished', {
      eventPattern: {
        source: ['aws.athena'],
        detailType: ['Athena Query State Change'],
        detail: { workgroupName: [lake.workGroup.ref], currentState: ['SUCCEEDED', 'FAILED', 'CANCELLED'] },
      },
      targets: [new LambdaFunction(this.planWave, { retryAttempts: 2 })],
    });

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
        namespace: METRICS_NAMESPACE,
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
