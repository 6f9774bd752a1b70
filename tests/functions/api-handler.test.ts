import { readFileSync } from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { handler as apiHandler } from '../../functions/api/handler.ts';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { handler as launchHandler } from '../../functions/launch-wave/handler.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';

// Handlers are called as the Lambda runtime calls them: through their whole middy stack.
const api = invoke(apiHandler);
const launch = invoke(launchHandler);

// DynamoDB through dynalite; S3 (the deployed campaigns and policy) and Scheduler mocked, requests asserted.
const s3 = mockClient(S3Client);
const scheduler = mockClient(SchedulerClient);
const saved = { ...process.env };
let ddb: Awaited<ReturnType<typeof startDynalite>>;
const d11 = parse(readFileSync('campaigns/double-11.yaml', 'utf8'));
const later = { ...JSON.parse(JSON.stringify(d11).replaceAll('"2026-', '"2027-')), id: 'd11-2027' };

beforeAll(async () => {
  ddb = await startDynalite('campaigns', { moreTables: [{ name: 'runs', sortKey: true }, 'contacts'] });
  const deployed = { policy: await loadShopPolicy(), campaigns: [] };
  s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'config/campaigns.json' }).resolves({
    Body: { transformToString: async () => JSON.stringify(deployed) } as never,
  });
  scheduler.on(CreateScheduleCommand).resolves({}).on(DeleteScheduleCommand).resolves({});
  Object.assign(
    process.env,
    handlerTestEnv(ddb.endpoint, {
      [FUNCTION_ENV.campaignsTable]: 'campaigns',
      [FUNCTION_ENV.waveRunsTable]: 'runs',
      [FUNCTION_ENV.lakeBucket]: 'lake',
      [FUNCTION_ENV.campaignsKey]: 'config/campaigns.json',
      [FUNCTION_ENV.athenaWorkGroup]: 'analysts',
      [FUNCTION_ENV.athenaDatabase]: 'campaign_lake',
      [FUNCTION_ENV.scheduleGroup]: 'waves',
      [FUNCTION_ENV.launchWaveArn]: 'arn:launch-wave',
      [FUNCTION_ENV.schedulerRoleArn]: 'arn:invoke-role',
    }),
  );
});
afterAll(async () => {
  process.env = saved;
  await ddb.stop();
  s3.restore();
  scheduler.restore();
});

const event = (method: string, path: string, body?: unknown, iam = true) => ({
  version: '2.0',
  routeKey: `${method} ${path}`,
  rawPath: path,
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  ...(body !== undefined
    ? { body: Buffer.from(JSON.stringify(body)).toString('base64'), isBase64Encoded: true }
    : {}),
  requestContext: {
    http: { method, path },
    ...(iam
      ? { authorizer: { iam: { accessKey: 'AKIA', userArn: 'arn:aws-cn:iam::1:user/marketer' } } }
      : {}),
  },
});

describe('the api handler (API Gateway HTTP API)', () => {
  it('refuses a request the IAM authorizer did not authenticate', async () => {
    expect((await api(event('GET', '/campaigns', undefined, false))).statusCode).toBe(401);
  });

  it('answers a malformed path with 400 and a body that is not JSON or YAML with 415, through the same router', async () => {
    expect((await api(event('GET', '/campaigns/%ZZ'))).statusCode).toBe(400);
    const form = {
      ...event('POST', '/campaigns/validate', later),
      headers: { 'content-type': 'text/plain' },
    };
    expect((await api(form)).statusCode).toBe(415);
  });

  it('creates, launches (one Scheduler schedule per wave) and cancels (schedules deleted) a campaign', async () => {
    const created = await api(event('POST', '/campaigns', later));
    expect(created.statusCode).toBe(201);
    const launched = await api(event('POST', '/campaigns/d11-2027/launch'));
    expect(launched.statusCode).toBe(200);
    expect(JSON.parse(launched.body as string).state).toBe('scheduled');
    const made = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(made.map((m) => m.Name)).toEqual([
      'd11-2027.d11-preheat',
      'd11-2027.d11-cashback',
      'd11-2027.d11-afternoon',
      'd11-2027.d11-unpaid',
      'd11-2027.d11-follow-up',
    ]);
    expect(made[0]).toMatchObject({
      GroupName: 'waves',
      ScheduleExpression: 'at(2027-10-25T10:00:00)',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: 'arn:launch-wave', RoleArn: 'arn:invoke-role' },
    });

    const cancelled = await api(event('POST', '/campaigns/d11-2027/cancel'));
    expect(JSON.parse(cancelled.body as string).state).toBe('cancelled');
    expect(scheduler.commandCalls(DeleteScheduleCommand)).toHaveLength(5);
    // A schedule that fires anyway (deleted too late) launches nothing for a cancelled wave.
    expect(await launch({ campaignId: 'd11-2027', waveId: 'd11-preheat' })).toEqual({ launched: false });
  });
});
