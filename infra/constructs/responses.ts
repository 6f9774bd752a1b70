import { Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
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
import { CallOutcomeUploads } from './call-outcomes.ts';
import { type DataLake, useAthenaQueries } from './data-lake.ts';
import { CAMPAIGNS_KEY } from './delivery.ts';
import { CONTACT_STORE_ACTIONS, HouseFunction } from './house-function.ts';
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
    const stack = Stack.of(this);
    this.eventsStream = new LakeStream(this, 'EventsStream', { lake, table: EVENTS });
    this.suppressionsStream = new LakeStream(this, 'SuppressionsStream', { lake, table: SUPPRESSIONS });
    // Both write response events and apply suppressions at once (contact store); links also resolves
    // codes and checks their signature with the link secret.
    const withResponseWrites = (fn: HouseFunction) =>
      fn
        .useTable('contactsTable', state.contacts, ...CONTACT_STORE_ACTIONS)
        .useStream('eventsStream', this.eventsStream)
        .useStream('suppressionsStream', this.suppressionsStream);
    this.ingestEvents = withResponseWrites(
      new HouseFunction(this, 'IngestEvents', { handler: 'ingest-events', timeout: INGEST_TIMEOUT }),
    );
    this.links = withResponseWrites(
      new HouseFunction(this, 'Links', { handler: 'links', timeout: LINKS_TIMEOUT }),
    )
      .useTable('linksTable', state.links, 'dynamodb:GetItem')
      .useSecret('linkSecretArn', props.linkSecret);

    // Filled call lists uploaded by staff: read the upload, check the calls in Athena, write the outcomes
    // as the other responses are written, and the report next to the upload.
    this.recordCallOutcomes = withResponseWrites(
      new HouseFunction(this, 'RecordCallOutcomes', {
        handler: 'record-call-outcomes',
        timeout: RECORD_CALLS_TIMEOUT,
      }),
    ).useLakeObjects(lake.bucket, { read: CALL_OUTCOMES_PREFIX, write: CALL_OUTCOME_RESULTS_PREFIX });
    // Its queries read the sends ledger (was it a call?) and the events (recorded already?), nothing else.
    useAthenaQueries(lake, this.recordCallOutcomes, { tables: [SENDS.name, EVENTS.name] });
    this.callOutcomes = new CallOutcomeUploads(this, 'CallOutcomes', {
      bucket: lake.bucket,
      fn: this.recordCallOutcomes,
    });

    // SES → EventBridge (default bus) → queue → ingest-events, in batches.
    this.configurationSet = new ConfigurationSet(this, 'EmailEvents', {
      configurationSetName: props.sesConfigurationSet,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: SES_EVENTS,
    });
    const deadLetters = new Queue(this, 'EventsDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.eventsQueue = new Queue(this, 'Events', {
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
      targets: [new SqsQueue(this.eventsQueue)],
    });
    this.ingestEvents.addEventSource(
      new SqsEventSource(this.eventsQueue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(20),
        reportBatchItemFailures: true,
      }),
    );

    // SNS SMS delivery receipts: SNS logs them (with this role) to these log groups, which feed ingest.
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
    // Account-wide SMS settings (SNS has no per-topic ones for direct publishes).
    if (props.manageSmsSettings !== false) {
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

    // The short links: GET and POST /{code}, no authorizer (the code is the credential).
    this.linksApi = new HttpApi(this, 'LinksApi', { description: 'Tracked click and unsubscribe links' });
    logAccess(this, 'LinksAccessLogs', this.linksApi);
    this.linksApi.addRoutes({
      path: '/{code}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('LinksIntegration', this.links),
    });

    // The nightly attribution job: 03:00 in Beijing, after the day's orders have come in.
    this.attribute = new HouseFunction(this, 'Attribute', {
      handler: 'attribute',
      timeout: Duration.minutes(15),
    })
      .useDeployedCampaigns(lake.bucket, CAMPAIGNS_KEY)
      .useTable('campaignsTable', state.campaigns, 'dynamodb:Scan');
    useAthenaQueries(lake, this.attribute);
    // Athena's UNLOAD writes with the caller's credentials; older runs are deleted.
    for (const table of DERIVED_TABLES) {
      lake.bucket.grantPut(this.attribute, `lake/${table}/*`);
      lake.bucket.grantDelete(this.attribute, `lake/${table}/*`);
    }
    this.attribute.addToRolePolicy(
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
      targets: [new LambdaFunction(this.attribute, { retryAttempts: 2 })],
    });

    new Alarm(this, 'EventsDeadLettersAlarm', {
      alarmDescription: 'response events were dead-lettered: ingest-events kept failing on them',
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const [name, fn] of Object.entries({
      IngestEvents: this.ingestEvents,
      Links: this.links,
      Attribute: this.attribute,
      RecordCallOutcomes: this.recordCallOutcomes,
    })) {
      new Alarm(this, `${name}ErrorsAlarm`, {
        alarmDescription: `${name} invocations failed`,
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }
}
