import { Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, RetentionDays, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ATTRIBUTION, EVENTS, LIFT, SENDS, SUPPRESSIONS } from '../../shared/lake/tables.ts';
import {
  CALL_OUTCOME_RESULTS_PREFIX,
  CALL_OUTCOMES_PREFIX,
} from '../../shared/responses/aws/s3-call-outcomes.ts';
import { alarmOnAny } from './alarm.ts';
import { bind, bindDeployedCampaigns, CONTACT_STORE_ACTIONS } from './bind.ts';
import { CallOutcomeUploads } from './call-outcomes.ts';
import { type DataLake, useAthenaQueries } from './data-lake.ts';
import { CAMPAIGNS_KEY } from './delivery.ts';
import { HouseFunction, type HouseFunctionProps } from './house-function.ts';
import { logAccess } from './http-access-log.ts';
import { LakeStream } from './lake-stream.ts';
import { MAX_RECEIVE_COUNT } from './messaging.ts';
import type { State } from './state.ts';

export interface ResponsesProps {
  lake: DataLake;
  state: State;
  linkSecret: ISecret;
  /** The SES configuration set the stack creates; its event destination feeds the events table. */
  sesConfigurationSet: string;
  /** Account-wide SNS SMS settings: message type and monthly spend limit (USD). */
  smsType: 'Promotional' | 'Transactional';
  smsMonthlySpendLimit: number;
  /** false: leave the account's SMS settings alone (delivery receipts then need them set by hand). */
  manageSmsSettings?: boolean;
}

export const INGEST_TIMEOUT = Duration.minutes(1);
export const LINKS_TIMEOUT = Duration.seconds(10);
/** A filled call list of a few thousand rows: a few Athena queries, then the writes. */
export const RECORD_CALLS_TIMEOUT = Duration.minutes(5);

/** The tables the attribute job rewrites (shared/responses/response-tables.ts). */
const DERIVED_TABLES = [ATTRIBUTION.name, LIFT.name];
/** SES event types the configuration set publishes: everything the events table records. */
const SES_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.RENDERING_FAILURE,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.SUBSCRIPTION,
];

/** EventBridge's names for the SES events the rule forwards. */
const SES_DETAIL_TYPES = [
  'Email Sent',
  'Email Delivered',
  'Email Bounced',
  'Email Complaint Received',
  'Email Opened',
  'Email Clicked',
  'Email Rejected',
  'Email Rendering Failed',
  'Email Delivery Delayed',
  'Email Subscribed',
];

/**
 * Responses written back: the SES configuration set publishes to EventBridge, a rule puts our campaign
 * emails' events on a queue, and ingest-events writes them (events table through Firehose; bounces,
 * complaints and unsubscribes to the contact store and the suppressions table at once). SNS SMS delivery
 * receipts reach the same function from SNS's delivery-status log groups. The click and unsubscribe
 * links are served by the links function behind an HTTP API (`GET|POST /{code}`); point the link base's
 * domain at it. The attribute function rewrites the attribution and lift tables every night. Filled call
 * lists uploaded under `call-outcomes/` are recorded by record-call-outcomes (call-outcomes.ts).
 */
export class Responses extends Construct {
  readonly eventsStream: LakeStream;
  readonly suppressionsStream: LakeStream;
  readonly ingestEvents: HouseFunction;
  readonly links: HouseFunction;
  readonly eventsQueue: Queue;
  readonly linksApi: HttpApi;
  readonly configurationSet: ConfigurationSet;
  readonly attribute: HouseFunction;
  readonly recordCallOutcomes: HouseFunction;
  readonly callOutcomes: CallOutcomeUploads;

  constructor(scope: Construct, id: string, props: ResponsesProps) {
    super(scope, id);
    const { lake, state } = props;
    this.eventsStream = new LakeStream(this, 'EventsStream', { lake, table: EVENTS });
    this.suppressionsStream = new LakeStream(this, 'SuppressionsStream', { lake, table: SUPPRESSIONS });
    this.ingestEvents = this.responseWriter(state, 'IngestEvents', {
      handler: 'ingest-events',
      timeout: INGEST_TIMEOUT,
    });
    this.links = this.linksFunction(props);
    this.recordCallOutcomes = this.recordCallOutcomesFunction(lake, state);
    this.callOutcomes = new CallOutcomeUploads(this, 'CallOutcomes', {
      bucket: lake.bucket,
      fn: this.recordCallOutcomes,
    });
    const emailEvents = this.emailEvents(props.sesConfigurationSet);
    this.configurationSet = emailEvents.configurationSet;
    this.eventsQueue = emailEvents.queue;
    this.smsDeliveryReceipts(props);
    this.linksApi = this.linksHttpApi();
    this.attribute = this.attributeFunction(lake, state);
    this.alarms(emailEvents.deadLetters);
  }

  /**
   * A function that writes response events and applies suppressions at once: the contact store, the
   * events and the suppressions streams (ingest-events, links and record-call-outcomes).
   */
  private responseWriter(state: State, id: string, props: HouseFunctionProps): HouseFunction {
    const fn = new HouseFunction(this, id, props);
    bind(fn, state.contacts, 'contactsTable', CONTACT_STORE_ACTIONS);
    bind(fn, this.eventsStream, 'eventsStream', 'write');
    bind(fn, this.suppressionsStream, 'suppressionsStream', 'write');
    return fn;
  }

  /** links: a response writer that also resolves codes and checks their signature with the link secret. */
  private linksFunction({ state, linkSecret }: ResponsesProps): HouseFunction {
    const fn = this.responseWriter(state, 'Links', { handler: 'links', timeout: LINKS_TIMEOUT });
    bind(fn, state.links, 'linksTable', ['dynamodb:GetItem']);
    bind(fn, linkSecret, 'linkSecretArn', 'read');
    return fn;
  }

  /**
   * record-call-outcomes, for filled call lists uploaded by staff: reads the upload, checks the calls in
   * Athena — the sends ledger (was it a call?) and the events (recorded already?), nothing else — writes
   * the outcomes as the other responses are written, and the report next to the upload.
   */
  private recordCallOutcomesFunction(lake: DataLake, state: State): HouseFunction {
    const fn = this.responseWriter(state, 'RecordCallOutcomes', {
      handler: 'record-call-outcomes',
      timeout: RECORD_CALLS_TIMEOUT,
    });
    bind(fn, lake.bucket, 'lakeBucket', {
      getObject: [`${CALL_OUTCOMES_PREFIX}*`],
      putObject: [`${CALL_OUTCOME_RESULTS_PREFIX}*`],
    });
    useAthenaQueries(lake, fn, { tables: [SENDS.name, EVENTS.name] });
    return fn;
  }

  /** SES → EventBridge (default bus) → queue → ingest-events, in batches; the campaign emails' events only. */
  private emailEvents(configurationSetName: string) {
    const configurationSet = new ConfigurationSet(this, 'EmailEvents', { configurationSetName });
    configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: SES_EVENTS,
    });
    const deadLetters = new Queue(this, 'EventsDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, 'Events', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    new Rule(this, 'CampaignEmailEvents', {
      description: 'SES events of campaign emails (tagged with a campaign) to the events queue',
      eventPattern: {
        source: ['aws.ses'],
        detailType: SES_DETAIL_TYPES,
        detail: { mail: { tags: { campaign: [{ exists: true }] } } },
      },
      targets: [new SqsQueue(queue)],
    });
    this.ingestEvents.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(20),
        reportBatchItemFailures: true,
      }),
    );
    return { configurationSet, queue, deadLetters };
  }

  /**
   * SNS SMS delivery receipts: SNS logs them (with its own role) to its delivery-status log groups, which
   * feed ingest-events; and the account-wide SMS settings naming that role, unless left alone.
   */
  private smsDeliveryReceipts(props: ResponsesProps): void {
    const stack = Stack.of(this);
    const smsLogGroups = ['', '/Failure'].map(
      (suffix, i) =>
        new LogGroup(this, i ? 'SmsFailureLogs' : 'SmsDeliveryLogs', {
          logGroupName: `sns/${stack.region}/${stack.account}/DirectPublishToPhoneNumber${suffix}`,
          retention: RetentionDays.ONE_MONTH,
        }),
    );
    const smsStatusRole = new Role(this, 'SmsDeliveryStatusRole', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com'),
    });
    smsStatusRole.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: smsLogGroups.map((g) => g.logGroupArn),
      }),
    );
    smsLogGroups.forEach((group, i) => {
      new SubscriptionFilter(this, i ? 'SmsFailures' : 'SmsDeliveries', {
        logGroup: group,
        destination: new LambdaDestination(this.ingestEvents),
        filterPattern: FilterPattern.allEvents(),
      });
    });
    if (props.manageSmsSettings !== false) this.smsSettings(props, smsStatusRole);
  }

  /** Account-wide SMS settings (SNS has no per-topic ones for direct publishes). */
  private smsSettings(props: ResponsesProps, smsStatusRole: Role): void {
    const smsSettings = new AwsCustomResource(this, 'SmsSettings', {
      onUpdate: {
        service: 'SNS',
        action: 'setSMSAttributes',
        parameters: {
          attributes: {
            DefaultSMSType: props.smsType,
            MonthlySpendLimit: String(props.smsMonthlySpendLimit),
            DeliveryStatusIAMRole: smsStatusRole.roleArn,
            DeliveryStatusSuccessSamplingRate: '100',
          },
        },
        physicalResourceId: PhysicalResourceId.of('sms-settings'),
      },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
        new PolicyStatement({ actions: ['iam:PassRole'], resources: [smsStatusRole.roleArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    smsSettings.node.addDependency(smsStatusRole);
  }

  /** The short links: GET and POST /{code}, no authorizer (the code is the credential). */
  private linksHttpApi(): HttpApi {
    const api = new HttpApi(this, 'LinksApi', { description: 'Tracked click and unsubscribe links' });
    logAccess(this, 'LinksAccessLogs', api);
    api.addRoutes({
      path: '/{code}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('LinksIntegration', this.links),
    });
    return api;
  }

  /**
   * The nightly attribution job, 03:00 in Beijing (after the day's orders have come in): reads the
   * campaigns, runs Athena's UNLOAD into the derived tables' folders (with the caller's credentials),
   * deletes older runs and points their Glue tables at the new one.
   */
  private attributeFunction(lake: DataLake, state: State): HouseFunction {
    const stack = Stack.of(this);
    const fn = new HouseFunction(this, 'Attribute', { handler: 'attribute', timeout: Duration.minutes(15) });
    bindDeployedCampaigns(fn, lake.bucket, CAMPAIGNS_KEY);
    bind(fn, state.campaigns, 'campaignsTable', ['dynamodb:Scan']);
    useAthenaQueries(lake, fn);
    for (const table of DERIVED_TABLES)
      bind(fn, lake.bucket, 'lakeBucket', { put: [`lake/${table}/*`], delete: [`lake/${table}/*`] });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['glue:UpdateTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: lake.databaseName }),
          ...DERIVED_TABLES.map((table) =>
            stack.formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${lake.databaseName}/${table}`,
            }),
          ),
        ],
      }),
    );
    new Rule(this, 'NightlyAttribution', {
      description: 'Rewrite the attribution and lift tables every night',
      schedule: Schedule.cron({ minute: '0', hour: '19' }),
      targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
    });
    return fn;
  }

  /** Dead-lettered response events, and failed invocations of the four functions. */
  private alarms(deadLetters: Queue): void {
    const period = Duration.minutes(5);
    alarmOnAny(
      this,
      'EventsDeadLettersAlarm',
      'response events were dead-lettered: ingest-events kept failing on them',
      deadLetters.metricApproximateNumberOfMessagesVisible({ period }),
    );
    for (const [name, fn] of Object.entries({
      IngestEvents: this.ingestEvents,
      Links: this.links,
      Attribute: this.attribute,
      RecordCallOutcomes: this.recordCallOutcomes,
    }))
      alarmOnAny(this, `${name}ErrorsAlarm`, `${name} invocations failed`, fn.metricErrors({ period }));
  }
}
