import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROUTES } from '../../shared/api/router.ts';
import { alarmOnAny } from './alarm.ts';
import { bind, bindDeployedCampaigns } from './bind.ts';
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
    const fn = new HouseFunction(this, 'Api', {
      handler: 'api',
      // API Gateway waits 30 s at most.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    this.fn = fn;
    // Campaigns and the API's idempotency records share the table.
    bind(fn, state.campaigns, 'campaignsTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan']);
    bind(fn, state.waveRuns, 'waveRunsTable', ['dynamodb:Query']);
    bindDeployedCampaigns(fn, lake.bucket, CAMPAIGNS_KEY);
    useAthenaQueries(lake, fn);
    // Launching creates schedules in the stack's group, each invoking launch-wave with the invoke role
    // (passed to Scheduler, which does the invoking: the api function itself never invokes launch-wave,
    // so launch-wave's ARN is a setting with no grant).
    bind(fn, scheduling.group, 'scheduleGroup', 'manageSchedules');
    bind(fn, scheduling.invokeRole, 'schedulerRoleArn', 'pass');
    fn.useSetting('launchWaveArn', props.launchWave.functionArn);

    this.api = new HttpApi(this, 'CampaignApi', {
      description: 'Define, preview, launch and follow campaigns',
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    logAccess(this, 'AccessLogs', this.api);
    const integration = new HttpLambdaIntegration('ApiIntegration', fn);
    for (const route of ROUTES.filter((r) => !r.open))
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    alarmOnAny(
      this,
      'ApiErrorsAlarm',
      'api invocations failed',
      fn.metricErrors({ period: Duration.minutes(5) }),
    );
    new CfnOutput(stack, 'CampaignApiUrl', { value: this.api.apiEndpoint });
  }
}
