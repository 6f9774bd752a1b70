import { Duration, Stack } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
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
import { alarmOnAny } from './alarm.ts';
import { bind, bindDeployedCampaigns, CONTACT_STORE_ACTIONS, WAVE_RUN_ACTIONS } from './bind.ts';
import { CallListAccess } from './call-list-access.ts';
import { type DataLake, useAthenaQueries } from './data-lake.ts';
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
    const { lake } = props;
    this.messaging = new Messaging(this, 'Messaging', {
      consumerTimeout: SEND_TIMEOUT,
      deadLetterConsumerTimeout: DEAD_LETTER_TIMEOUT,
    });
    this.linkSecret = new Secret(this, 'LinkSecret', {
      description: 'Signs tracked short links (HMAC key)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
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
    // Each function is given what it uses (functions/environment.ts), each resource's variable with its
    // grant (bind.ts): the link secret only where links are signed.
    this.sendBatches = this.sendBatchesFunction(props);
    this.callLists = new CallListAccess(this, 'CallLists', { bucket: lake.bucket });
    this.deadLetters = this.deadLettersFunction(props.state);
    this.launchWave = this.launchWaveFunction(props);
    this.planWave = this.planWaveFunction(props);
    this.consumeQueues(props.sendRates);
    this.alarms();
  }

  /**
   * send-batches: claims in the contact store, campaigns deployed and from the API, links written and
   * signed, the sends ledger, each channel's queue (deferrals and retries go back on it), the call lists
   * written to the lake bucket, emails through SES and SMS through SNS.
   */
  private sendBatchesFunction(props: DeliveryProps): HouseFunction {
    const { lake, state } = props;
    const stack = Stack.of(this);
    const fn = new HouseFunction(this, 'SendBatches', { handler: 'send-batches', timeout: SEND_TIMEOUT });
    bindDeployedCampaigns(fn, lake.bucket, CAMPAIGNS_KEY);
    bind(fn, state.campaigns, 'campaignsTable', ['dynamodb:GetItem', 'dynamodb:Scan']); // campaigns from the API
    bind(fn, state.contacts, 'contactsTable', CONTACT_STORE_ACTIONS); // claims
    bind(fn, state.links, 'linksTable', ['dynamodb:BatchWriteItem']);
    bind(fn, this.linkSecret, 'linkSecretArn', 'read');
    fn.useSetting('linkBase', props.linkBase);
    bind(fn, this.sendsStream, 'sendsStream', 'write');
    this.bindSendQueues(fn);
    fn.useSetting('sesConfigurationSet', props.sesConfigurationSet);
    // The call lists, masked and for dialling, in the bucket bindDeployedCampaigns named.
    bind(fn, lake.bucket, 'lakeBucket', { put: [`${CALL_LIST_PREFIX}*`, `${CALL_LIST_DIAL_PREFIX}*`] });
    fn.addToRolePolicy(
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
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    return fn;
  }

  /** Sending to each channel's queue: send-batches (deferrals, retries) and plan-wave (the wave's batches). */
  private bindSendQueues(fn: HouseFunction): void {
    const { queues } = this.messaging;
    bind(fn, queues.email, 'emailQueueUrl', 'send');
    bind(fn, queues.sms, 'smsQueueUrl', 'send');
    bind(fn, queues['call-list'], 'callListQueueUrl', 'send');
  }

  /** dead-letters: settles the open sends of dead-lettered messages in the contact store and the ledger. */
  private deadLettersFunction(state: State): HouseFunction {
    const fn = new HouseFunction(this, 'DeadLetters', {
      handler: 'dead-letters',
      timeout: DEAD_LETTER_TIMEOUT,
    });
    bind(fn, state.contacts, 'contactsTable', CONTACT_STORE_ACTIONS);
    bind(fn, this.sendsStream, 'sendsStream', 'write');
    return fn;
  }

  /**
   * launch-wave: reads a campaign (deployed or from the API) and marks its wave running, reserves in the
   * contact store, starts the audience query in Athena, and records a rollout wave's decision.
   */
  private launchWaveFunction({ lake, state }: DeliveryProps): HouseFunction {
    const fn = new HouseFunction(this, 'LaunchWave', {
      handler: 'launch-wave',
      timeout: Duration.minutes(15),
      memorySize: 1024,
    });
    bindDeployedCampaigns(fn, lake.bucket, CAMPAIGNS_KEY);
    bind(fn, state.campaigns, 'campaignsTable', ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:PutItem']);
    bind(fn, state.waveRuns, 'waveRunsTable', WAVE_RUN_ACTIONS);
    bind(fn, state.contacts, 'contactsTable', CONTACT_STORE_ACTIONS); // reservations
    bind(fn, this.rolloutDecisionsStream, 'rolloutDecisionsStream', 'write');
    useAthenaQueries(lake, fn);
    return fn;
  }

  /**
   * plan-wave: on Athena's event for an audience query, plans the wave's batches onto the send queues and
   * records the planned sends. Athena reports every query of the workgroup; it plans the audience queries.
   */
  private planWaveFunction({ lake, state }: DeliveryProps): HouseFunction {
    const fn = new HouseFunction(this, 'PlanWave', {
      handler: 'plan-wave',
      timeout: Duration.minutes(15),
      memorySize: 1536,
    });
    bindDeployedCampaigns(fn, lake.bucket, CAMPAIGNS_KEY);
    bind(fn, state.campaigns, 'campaignsTable', ['dynamodb:GetItem', 'dynamodb:Scan']);
    bind(fn, state.waveRuns, 'waveRunsTable', WAVE_RUN_ACTIONS);
    bind(fn, this.sendsStream, 'sendsStream', 'write');
    this.bindSendQueues(fn);
    useAthenaQueries(lake, fn);
    new Rule(this, 'AudienceQueryFinished', {
      eventPattern: {
        source: ['aws.athena'],
        detailType: ['Athena Query State Change'],
        detail: { workgroupName: [lake.workGroup.ref], currentState: ['SUCCEEDED', 'FAILED', 'CANCELLED'] },
      },
      targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
    });
    return fn;
  }

  /**
   * send-batches on the three send queues (partial batch failures, concurrency bounded by each provider's
   * rate), dead-letters on their dead-letter queues, and an alarm on each dead-letter queue.
   */
  private consumeQueues(sendRates: Record<Channel, number>): void {
    const { queues, deadLetters } = this.messaging;
    for (const channel of Object.keys(queues) as Channel[]) {
      this.sendBatches.addEventSource(
        new SqsEventSource(queues[channel], {
          batchSize: 10,
          reportBatchItemFailures: true,
          maxConcurrency: maxConcurrencyFor(channel, sendRates[channel]),
        }),
      );
      this.deadLetters.addEventSource(
        new SqsEventSource(deadLetters[channel], { batchSize: 10, reportBatchItemFailures: true }),
      );
      alarmOnAny(
        this,
        `${channel}DeadLettersAlarm`,
        `${channel} send messages were dead-lettered: their recipients are recorded failed`,
        deadLetters[channel].metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      );
    }
  }

  /** Throttles of the four functions, send errors, and failed audience queries. */
  private alarms(): void {
    const period = Duration.minutes(5);
    for (const [name, fn] of Object.entries({
      SendBatches: this.sendBatches,
      DeadLetters: this.deadLetters,
      LaunchWave: this.launchWave,
      PlanWave: this.planWave,
    }))
      alarmOnAny(
        this,
        `${name}ThrottlesAlarm`,
        `${name} invocations were throttled`,
        fn.metricThrottles({ period }),
      );
    alarmOnAny(
      this,
      'AudienceQueryFailedAlarm',
      'a wave’s audience query failed or was cancelled in Athena: the wave run failed',
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'waveRunsFailed',
        dimensionsMap: { service: 'plan-wave' },
        statistic: 'Sum',
        period,
      }),
    );
    alarmOnAny(
      this,
      'SendErrorsAlarm',
      'send-batches invocations failed',
      this.sendBatches.metricErrors({ period }),
    );
  }
}
