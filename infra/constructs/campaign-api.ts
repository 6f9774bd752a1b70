import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROUTES } from '../../shared/api/router.ts';
import { type DataLake, useAthenaQueries } from './data-lake.ts';
import { CAMPAIGNS_KEY } from './delivery.ts';
import { HouseFunction } from './house-function.ts';
import { logAccess } from './http-access-log.ts';
import type { Scheduling } from './scheduling.ts';
import type { State } from './state.ts';

export interface CampaignApiProps {
  lake: DataLake;
  state: State;
  scheduling: Scheduling;
  launchWave: IFunction;
}

/**
 * The campaign API on AWS: an HTTP API whose every route (the route table of shared/api/router.ts, but
 * the links, which the links API serves) needs IAM (SigV4) authentication, all integrated with one api
 * function. Launching schedules waves at runtime in the stack's schedule group, with the role that may
 * invoke launch-wave.
 */
export class CampaignApi extends Construct {
  readonly api: HttpApi;
  readonly fn: HouseFunction;

  constructor(scope: Construct, id: string, props: CampaignApiProps) {
    super(scope, id);
    const { lake, state, scheduling } = props;
    const stack = Stack.of(this);
    this.fn = new HouseFunction(this, 'Api', {
      handler: 'api',
      // API Gateway waits 30 s at most.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    })
      // Campaigns and the API's idempotency records share the table.
      .useTable('campaignsTable', state.campaigns, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan')
      .useTable('waveRunsTable', state.waveRuns, 'dynamodb:Query')
      .useDeployedCampaigns(lake.bucket, CAMPAIGNS_KEY);
    useAthenaQueries(lake, this.fn);
    // Launching creates schedules in the stack's group, each invoking launch-wave with the invoke role
    // (passed to Scheduler, which does the invoking: the api function itself never invokes launch-wave).
    this.fn.useSetting('scheduleGroup', scheduling.group.ref).addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [
          stack.formatArn({
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${scheduling.group.ref}/*`,
          }),
        ],
      }),
    );
    this.fn
      .useSetting('schedulerRoleArn', scheduling.invokeRole.roleArn)
      .useSetting('launchWaveArn', props.launchWave.functionArn);
    scheduling.invokeRole.grantPassRole(this.fn.grantPrincipal);

    this.api = new HttpApi(this, 'CampaignApi', {
      description: 'Define, preview, launch and follow campaigns',
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    logAccess(this, 'AccessLogs', this.api);
    const integration = new HttpLambdaIntegration('ApiIntegration', this.fn);
    for (const route of ROUTES.filter((r) => !r.open))
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    new Alarm(this, 'ApiErrorsAlarm', {
      alarmDescription: 'api invocations failed',
      metric: this.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new CfnOutput(stack, 'CampaignApiUrl', { value: this.api.apiEndpoint });
  }
}
