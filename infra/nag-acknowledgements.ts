import { type CfnElement, type Stack, Token, Validations } from 'aws-cdk-lib';
import type { CampaignStack } from './campaign-stack.ts';

/**
 * The cdk-nag AwsSolutions findings this stack keeps, each with why. Everything else the checks find is a
 * failure (tests/infra/nag.test.ts). Findings name resources by logical id, region and account, so the
 * ids are built from the stack.
 */
export function nagAcknowledgements(stack: CampaignStack): { id: string; reason: string }[] {
  const ref = (e: CfnElement | undefined) => (e ? `<${stack.getLogicalId(e)}.Arn>` : '');
  const lake = ref(stack.lake.bucket.node.defaultChild as CfnElement);
  const results = ref(stack.lake.resultsBucket.node.defaultChild as CfnElement);
  const launchWave = ref(stack.delivery.launchWave.node.defaultChild as CfnElement);
  const group = `<${stack.getLogicalId(stack.scheduling.group)}>`;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const iam5 = (finding: string, reason: string) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  const helperActions =
    "the action family CDK's bucket grant helpers use; every such statement is scoped to one prefix of one bucket";
  const firehose = (table: string) => [
    iam5(
      `Resource::${lake}/lake/${table}/*`,
      `Firehose writes the ${table} table's objects, named at delivery, under that table's prefix only`,
    ),
    iam5(
      `Resource::${lake}/firehose-errors/${table}/*`,
      `Firehose writes the ${table} records it could not convert under their own error prefix`,
    ),
  ];
  return [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'the link secret signs every tracked link already sent (clicks work 90 days, unsubscribes 730): rotating it would break them; rotation needs a key ring first',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's own provider functions (BucketDeployment, AwsCustomResource, the bucket notifications handler) use the AWS managed basic execution role: logs only",
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        "CDK's own provider functions pin their runtime; the pipeline's functions run the latest Node.js (24)",
    },
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'the links API is public by design: a link’s signed code is its credential, and unknown or tampered codes get one 400 that reveals nothing',
    },
    iam5('Action::s3:Abort*', helperActions),
    iam5('Action::s3:GetObject*', helperActions),
    iam5('Action::s3:GetBucket*', helperActions),
    iam5('Action::s3:List*', helperActions),
    iam5('Action::s3:DeleteObject*', helperActions),
    ...['sends', 'events', 'suppressions', 'rollout_decisions'].flatMap(firehose),
    iam5(
      `Resource::${lake}/call-list/*`,
      'send-batches writes one call-list file per batch under call-list/; the CallListReader role reads them',
    ),
    iam5(
      `Resource::${lake}/call-list-dial/*`,
      'send-batches writes each call-list file with full numbers under call-list-dial/; only the CallListDialer role reads them',
    ),
    iam5(
      `Resource::${lake}/call-outcomes/*`,
      'staff upload filled call lists under call-outcomes/ with names of their own (the CallOutcomeRecorder role); record-call-outcomes reads each one it is notified of',
    ),
    iam5(
      `Resource::${lake}/call-outcomes-results/*`,
      "record-call-outcomes writes each upload's report and rejects under call-outcomes-results/ by the upload's name; the CallOutcomeRecorder role reads them",
    ),
    iam5(
      `Resource::${lake}/lake/*`,
      'the functions that query with Athena read the objects of the lake tables a query names',
    ),
    iam5(`Resource::${results}/athena/*`, 'Athena writes query results under athena/ with names it chooses'),
    ...['attribution', 'lift'].map((table) =>
      iam5(
        `Resource::${lake}/lake/${table}/*`,
        `the attribute job UNLOADs a new run and deletes older runs under the ${table} table prefix only`,
      ),
    ),
    iam5(
      `Resource::${lake}/*`,
      "CDK's BucketDeployment provider, which runs only during deployments, writes config/campaigns.json; CDK grants it the bucket",
    ),
    iam5(
      `Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/campaign_lake/*`,
      'Athena needs the Glue definitions of the lake tables a query names, all in the campaign_lake database',
    ),
    iam5(
      `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*`,
      "CDK's BucketDeployment reads the deployment asset from the CDK assets bucket",
    ),
    iam5(
      `Resource::${launchWave}:*`,
      "invoking launch-wave's versions (CDK's grantInvoke), for the schedules",
    ),
    iam5(
      `Resource::arn:<AWS::Partition>:scheduler:${region}:${account}:schedule/${group}/*`,
      'the api function creates and deletes the schedules it names at runtime, only in the stack’s schedule group',
    ),
    iam5(
      'Resource::*',
      'X-Ray PutTraceSegments takes no resource; SNS Publish to a phone number has no ARN; SNS SetSMSAttributes is account-wide',
    ),
  ];
}

export function acknowledgeNagFindings(stack: CampaignStack): void {
  for (const a of nagAcknowledgements(stack)) Validations.of(stack as Stack).acknowledge(a);
}
