import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/router.ts';
import { testTemplate } from './test-stack.ts';

const template = testTemplate();
const functionId = (service: string) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(
    ([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  )?.[0] ?? '';

describe('the campaign API on AWS (CDK)', () => {
  it('has every protected route of the route table, each behind the IAM authorizer, and no link route', () => {
    const routes = Object.entries(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter(([id]) => id.startsWith('Api'))
      .map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      ROUTES.filter((r) => !r.open)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    for (const r of routes) expect(r.AuthorizationType, r.RouteKey).toBe('AWS_IAM');
  });

  it('grants the api function exactly what it uses: the campaign table, wave runs, Athena, its schedules', () => {
    const id = functionId('api');
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(id.replace(/[0-9A-F]{8}$/, '')))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();
    expect(actions).toEqual(
      [
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'glue:GetDatabase',
        'glue:GetPartitions',
        'glue:GetTable',
        'glue:GetTables',
        'iam:PassRole',
        's3:Abort*',
        's3:DeleteObject*',
        's3:GetBucket*',
        's3:GetObject*',
        's3:List*',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    const scheduler = statements.find((s) => [s.Action].flat().includes('scheduler:CreateSchedule'));
    expect(JSON.stringify(scheduler.Resource)).toContain(':schedule/');
  });

  it('lets launch-wave read API campaigns and mark their waves running', () => {
    const launch = template.findResources('AWS::Lambda::Function')[functionId('launch-wave')];
    expect(launch?.Properties.Environment.Variables.CAMPAIGNS_TABLE).toBeDefined();
  });
});
