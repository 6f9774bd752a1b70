import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as apiHandler } from '../../functions/api/handler.ts';
import { builtOnce } from '../../functions/built-once.ts';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { handler as linksHandler } from '../../functions/links/handler.ts';
import { handler as sendBatchesHandler } from '../../functions/send-batches/handler.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';

/**
 * A container's first invocation builds its adapters; when that fails (Secrets Manager or S3 throttled
 * at cold start) the next invocation builds them again instead of failing with the kept error, and once
 * built they are reused. Each handler module is imported once here, so its first call is a cold start.
 */
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const saved = { ...process.env };
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });

beforeAll(async () => {
  const deployed = JSON.stringify({ policy: await loadShopPolicy(), campaigns: [] });
  s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'config/campaigns.json' })
    .rejectsOnce(Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' }))
    .resolves({ Body: { transformToString: async () => deployed } as never });
  Object.assign(
    process.env,
    handlerTestEnv('http://127.0.0.1:9', {
      [FUNCTION_ENV.contactsTable]: 'contacts',
      [FUNCTION_ENV.linksTable]: 'links',
      [FUNCTION_ENV.sendsStream]: 'sends',
      [FUNCTION_ENV.rolloutDecisionsStream]: 'rollout-decisions',
      [FUNCTION_ENV.eventsStream]: 'events',
      [FUNCTION_ENV.suppressionsStream]: 'suppressions',
      [FUNCTION_ENV.lakeBucket]: 'lake',
      [FUNCTION_ENV.campaignsKey]: 'config/campaigns.json',
      [FUNCTION_ENV.campaignsTable]: 'campaigns',
      [FUNCTION_ENV.waveRunsTable]: 'runs',
      [FUNCTION_ENV.linkSecretArn]: 'arn:link-secret',
      [FUNCTION_ENV.linkBase]: 'https://s.example.cn',
      [FUNCTION_ENV.emailQueueUrl]: 'https://sqs/email',
      [FUNCTION_ENV.smsQueueUrl]: 'https://sqs/sms',
      [FUNCTION_ENV.callListQueueUrl]: 'https://sqs/call-list',
      [FUNCTION_ENV.athenaWorkGroup]: 'analysts',
      [FUNCTION_ENV.athenaDatabase]: 'campaign_lake',
      [FUNCTION_ENV.scheduleGroup]: 'waves',
      [FUNCTION_ENV.launchWaveArn]: 'arn:launch-wave',
      [FUNCTION_ENV.schedulerRoleArn]: 'arn:invoke-role',
    }),
  );
});
afterAll(() => {
  process.env = saved;
  secrets.restore();
  s3.restore();
});
beforeEach(() => {
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: 'arn:link-secret' })
    .rejectsOnce(throttled())
    .resolves({ SecretString: 'a-link-secret-for-tests-0123456789' });
});

describe('adapters built at cold start', () => {
  it('send-batches: a throttled secret read fails that invocation only; the next reads it again, then keeps it', async () => {
    const sendBatches = invoke(sendBatchesHandler);
    await expect(sendBatches({ Records: [] })).rejects.toThrow(/Rate exceeded/);
    expect(await sendBatches({ Records: [] })).toEqual({ batchItemFailures: [] });
    expect(await sendBatches({ Records: [] })).toEqual({ batchItemFailures: [] });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('links: the same for the click and unsubscribe endpoint', async () => {
    const links = invoke(linksHandler);
    const request = {
      requestContext: { http: { method: 'GET' } },
      pathParameters: { code: 'short' },
    };
    await expect(links(request)).rejects.toThrow(/Rate exceeded/);
    expect((await links(request)).statusCode).toBe(400);
    expect((await links(request)).statusCode).toBe(400);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('api: a throttled read of the deployed policy fails that request only', async () => {
    const api = invoke(apiHandler);
    const request = {
      rawPath: '/campaigns',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET' } },
    };
    await expect(api(request)).rejects.toThrow(/reduce your request rate/);
    // Without the gateway's IAM authorizer the router refuses it: what matters is that it answers.
    expect((await api(request)).statusCode).toBe(401);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
  });
});

describe('builtOnce', () => {
  it('shares one build between concurrent calls, keeps a resolved one, forgets a rejected one', async () => {
    let builds = 0;
    const outcomes = ['fail', 'ok'];
    const deps = builtOnce(async () => {
      builds += 1;
      await new Promise((r) => setTimeout(r, 5));
      if (outcomes.shift() === 'fail') throw new Error('throttled');
      return { built: builds };
    });
    const first = await Promise.allSettled([deps(), deps()]);
    expect(first.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(builds).toBe(1);
    expect(await Promise.all([deps(), deps()])).toEqual([{ built: 2 }, { built: 2 }]);
    expect(await deps()).toEqual({ built: 2 });
    expect(builds).toBe(2);
  });

  it('forgets a build that throws before it is a promise (a missing setting)', async () => {
    let calls = 0;
    const deps = builtOnce(() => {
      calls += 1;
      if (calls === 1) throw new Error('environment variable X is not set');
      return Promise.resolve('built');
    });
    await expect(deps()).rejects.toThrow(/not set/);
    expect(await deps()).toBe('built');
  });
});
