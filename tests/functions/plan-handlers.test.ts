import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENV } from '../../functions/environment.ts';
import { handler as launchHandler } from '../../functions/launch-wave/handler.ts';
import { handler as planHandler } from '../../functions/plan-wave/handler.ts';
import { CONTACT_STORE_ACTIONS, WAVE_RUN_ACTIONS } from '../../infra/constructs/bind.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import type { DeployedCampaigns } from '../../shared/delivery/aws/s3-campaign-catalog.ts';
import type { SendBatchMessage } from '../../shared/delivery/send-batch-message.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { handlerTestEnv, invoke } from '../helpers/lambda-context.ts';

// Handlers are called as the Lambda runtime calls them: through their whole middy stack, and every
// DynamoDB request each one makes is noted, to compare with what the stack grants it.
const used = { 'launch-wave': new Set<string>(), 'plan-wave': new Set<string>() };
const noting =
  <R>(name: keyof typeof used, call: (event: unknown) => Promise<R>) =>
  async (event: unknown): Promise<R> => {
    const before = ddb.calls().length;
    try {
      return await call(event);
    } finally {
      for (const c of ddb.calls().slice(before)) used[name].add(`${c.table} ${c.action}`);
    }
  };
const launch = noting('launch-wave', invoke(launchHandler));
const plan = noting('plan-wave', invoke(planHandler));

// DynamoDB (contacts, wave runs) through dynalite; S3, Firehose, SQS and Athena mocked, requests asserted.
// Secrets Manager is mocked only to show that launching and planning never read the link secret.
const s3 = mockClient(S3Client);
const firehose = mockClient(FirehoseClient);
const sqs = mockClient(SQSClient);
const athena = mockClient(AthenaClient);
const secrets = mockClient(SecretsManagerClient);
let ddb: Awaited<ReturnType<typeof startDynalite>>;
let campaignId = '';
const saved = { ...process.env };

const AUDIENCE_COLUMNS = [
  'customer_id',
  'tier',
  'channel',
  'step',
  'reason',
  'name',
  'province',
  'city',
  'member_tier',
  'time_zone',
  'address',
  'value',
];
const AUDIENCE = [
  ['c7', null, 'sms', 'eligible', null, '李雷', '江苏省', '南京市', 'gold', null, '+8613900000007', '1200.5'],
  ['c8', null, 'sms', 'holdout', null, '韩梅梅', '江苏省', '南京市', 'silver', null, '+8613900000008', '80'],
];
/** The spring pilot's responses as Athena returns them: news-first clearly ahead. */
const PILOT_COLUMNS = ['variant', 'recipients', 'converted', 'revenue_mean', 'revenue_var'];
const PILOT = [
  ['coupon-first', '1000', '60', '9.5', '2500'],
  ['news-first', '1000', '130', '21.2', '5200'],
];
let pilotNow = PILOT;
/** The grouped spring pilot's responses per group as Athena returns them: only `occasional` lifted. */
const GROUP_COLUMNS = ['segment', 'stratum', 'part', 'customers', 'converted', 'revenue_mean', 'revenue_var'];
const GROUPS = [
  ['frequent', 'new', 'holdout', '200', '60', '60', '9000'],
  ['frequent', 'new', 'treated', '800', '240', '60', '9000'],
  ['occasional', 'new', 'holdout', '1000', '15', '3', '250'],
  ['occasional', 'new', 'treated', '4000', '160', '8', '600'],
];
const athenaRows = (columns: string[], rows: (string | null)[][]) => ({
  ResultSet: {
    ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) },
    Rows: [columns, ...rows].map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
  },
});
/** The audience queries Athena was asked to run, by execution id: q-audience, then q-audience-2, … */
const audienceSql = new Map<string, string>();

beforeAll(async () => {
  ddb = await startDynalite('contacts', { moreTables: [{ name: 'runs', sortKey: true }] });
  const d11 = await loadDouble11();
  campaignId = d11.id;
  const spring = await loadConfigFile(Campaign, 'campaigns/spring-repurchase.yaml');
  const memberDay = await loadConfigFile(Campaign, 'campaigns/member-day.yaml');
  const groups = await loadConfigFile(Campaign, 'campaigns/spring-groups.yaml');
  const deployed: DeployedCampaigns = {
    policy: await loadShopPolicy(),
    campaigns: [d11, spring, memberDay, groups],
  };
  s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'config/campaigns.json' }).resolves({
    Body: { transformToString: async () => JSON.stringify(deployed) } as never,
  });
  firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    if (input.QueryString.includes('AS spent')) return { QueryExecutionId: 'q-budget' };
    if (input.QueryString.includes('FROM outcomes GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'))
      return { QueryExecutionId: 'q-groups' };
    if (input.QueryString.includes('FROM outcomes GROUP BY 1 ORDER BY 1'))
      return { QueryExecutionId: 'q-pilot' };
    const id = audienceSql.size === 0 ? 'q-audience' : `q-audience-${audienceSql.size + 1}`;
    audienceSql.set(id, input.QueryString);
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
    QueryExecution: {
      Query:
        input.QueryExecutionId === 'q-other'
          ? 'SELECT 1'
          : (audienceSql.get(input.QueryExecutionId) ?? audienceSql.get('q-audience')),
      Status:
        input.QueryExecutionId === 'q-failed'
          ? { State: 'FAILED', StateChangeReason: 'Query exhausted resources' }
          : { State: 'SUCCEEDED' },
    },
  }));
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) =>
    input.QueryExecutionId === 'q-budget'
      ? athenaRows(['spent'], [['0']])
      : input.QueryExecutionId === 'q-pilot'
        ? athenaRows(PILOT_COLUMNS, pilotNow)
        : input.QueryExecutionId === 'q-groups'
          ? athenaRows(GROUP_COLUMNS, GROUPS)
          : audienceSql.get(input.QueryExecutionId)?.includes(' AS grp ')
            ? athenaRows(
                [...AUDIENCE_COLUMNS, 'grp'],
                AUDIENCE.map((r) => [...r, 'occasional']),
              )
            : athenaRows(AUDIENCE_COLUMNS, AUDIENCE),
  );
  Object.assign(
    process.env,
    handlerTestEnv(ddb.endpoint, {
      [FUNCTION_ENV.contactsTable]: 'contacts',
      [FUNCTION_ENV.sendsStream]: 'sends',
      [FUNCTION_ENV.rolloutDecisionsStream]: 'rollout-decisions',
      [FUNCTION_ENV.lakeBucket]: 'lake',
      [FUNCTION_ENV.campaignsKey]: 'config/campaigns.json',
      [FUNCTION_ENV.emailQueueUrl]: 'https://sqs/email',
      [FUNCTION_ENV.smsQueueUrl]: 'https://sqs/sms',
      [FUNCTION_ENV.callListQueueUrl]: 'https://sqs/call-list',
      [FUNCTION_ENV.waveRunsTable]: 'runs',
      [FUNCTION_ENV.athenaWorkGroup]: 'analysts',
      [FUNCTION_ENV.athenaDatabase]: 'campaign_lake',
    }),
  );
});
afterAll(async () => {
  process.env = saved;
  await ddb.stop();
  for (const m of [s3, firehose, sqs, athena, secrets]) m.restore();
});

const event = (queryExecutionId: string, currentState: string) => ({
  source: 'aws.athena',
  'detail-type': 'Athena Query State Change',
  detail: { queryExecutionId, currentState, workgroupName: 'analysts' },
});
const ledgerRows = () =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .flatMap((c) => c.args[0].input.Records ?? [])
    .map((r) => JSON.parse(new TextDecoder().decode(r.Data)) as Record<string, unknown>);
/** The one set of batches planning the d11-unpaid audience queues: c7 by SMS, in one request. */
const theBatches = () => {
  const requests = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
  return requests.map((r) => ({
    QueueUrl: r.QueueUrl,
    recipients: (r.Entries ?? []).map((e) =>
      (JSON.parse(e.MessageBody ?? '{}') as SendBatchMessage).recipients.map((x) => x.customerId),
    ),
  }));
};

describe('launch-wave and plan-wave Lambda handlers (Athena between them)', () => {
  it('launch records the run and starts the audience query in the workgroup, marked with its wave run', async () => {
    expect(await launch({ campaignId, waveId: 'd11-unpaid' })).toEqual({
      launched: true,
      queryExecutionId: 'q-audience',
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start?.WorkGroup).toBe('analysts');
    expect(start?.QueryExecutionContext).toEqual({ Database: 'campaign_lake' });
    expect(start?.QueryString?.split('\n')[0]).toBe(
      `-- wave-run {"campaignId":"${campaignId}","waveId":"d11-unpaid"}`,
    );
    await expect(launch({ campaignId })).rejects.toThrow(/waveId/);
  });

  it("plan, on Athena's SUCCEEDED event, queues the eligible and records the rest; other events change nothing", async () => {
    expect(await plan(event('q-audience', 'RUNNING'))).toEqual({
      planned: false,
      reason: 'query is RUNNING',
    });
    expect(await plan(event('q-other', 'SUCCEEDED'))).toEqual({
      planned: false,
      reason: 'not an audience query',
    });
    expect(await plan(event('q-audience', 'SUCCEEDED'))).toEqual({
      planned: true,
      campaignId,
      waveId: 'd11-unpaid',
      audience: 2,
      queued: 1,
    });
    const sent = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(sent.map((c) => c.QueueUrl)).toEqual(['https://sqs/sms']);
    const message = JSON.parse(sent[0]?.Entries?.[0]?.MessageBody ?? '{}') as SendBatchMessage;
    expect(message).toMatchObject({ waveId: 'd11-unpaid', channel: 'sms', category: 'transactional' });
    expect(message.recipients.map((r) => [r.customerId, r.address])).toEqual([['c7', '+8613900000007']]);
    expect(ledgerRows().map((r) => [r.customer_id, r.status, r.reason])).toEqual([
      ['c8', 'suppressed', 'holdout'],
    ]);
  });

  it('the same SUCCEEDED event delivered again plans nothing: SQS still has the one set of batches', async () => {
    const before = { requests: sqs.commandCalls(SendMessageBatchCommand).length, rows: ledgerRows().length };
    expect(await plan(event('q-audience', 'SUCCEEDED'))).toEqual({
      planned: false,
      reason: 'audience query q-audience already planned',
    });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, before.requests);
    expect(theBatches()).toEqual([{ QueueUrl: 'https://sqs/sms', recipients: [['c7']] }]);
    expect(ledgerRows()).toHaveLength(before.rows);
  });

  it('the same event delivered twice at once (the wave launched again: a new query) plans once', async () => {
    sqs.resetHistory();
    firehose.resetHistory();
    expect(await launch({ campaignId, waveId: 'd11-unpaid' })).toEqual({
      launched: true,
      queryExecutionId: 'q-audience-2',
    });
    const outcomes = await Promise.all([
      plan(event('q-audience-2', 'SUCCEEDED')),
      plan(event('q-audience-2', 'SUCCEEDED')),
    ]);
    expect(outcomes).toContainEqual({
      planned: true,
      campaignId,
      waveId: 'd11-unpaid',
      audience: 2,
      queued: 1,
    });
    expect(outcomes.filter((o) => !o.planned).map((o) => o.reason)).toEqual([
      expect.stringMatching(
        /^audience query q-audience-2 (being planned by another invocation|already planned)$/,
      ),
    ]);
    expect(theBatches()).toEqual([{ QueueUrl: 'https://sqs/sms', recipients: [['c7']] }]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: 'https://sqs/sms' });
    expect(ledgerRows().map((r) => [r.customer_id, r.status])).toEqual([['c8', 'suppressed']]);
  });

  it('a failed audience query marks the run failed with the reason', async () => {
    const out = await plan(event('q-failed', 'FAILED'));
    expect(out).toEqual({
      planned: false,
      reason: 'audience query q-failed FAILED: Query exhausted resources',
    });
  });

  it('launching and planning never read the link secret (they are not given it)', () => {
    expect(secrets).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('make only the DynamoDB requests the stack grants them (infra/constructs/delivery.ts)', () => {
    const granted = (actions: readonly string[]) => actions.map((a) => `runs ${a}`);
    for (const name of ['launch-wave', 'plan-wave'] as const) {
      const outside = [...used[name]].filter(
        (u) =>
          !granted(WAVE_RUN_ACTIONS).includes(u) && !CONTACT_STORE_ACTIONS.some((a) => u === `contacts ${a}`),
      );
      expect(outside, name).toEqual([]);
    }
    // Planning claims its query with a conditional put and records it done with another.
    expect([...used['plan-wave']].sort()).toEqual(['runs dynamodb:GetItem', 'runs dynamodb:PutItem']);
  });

  it('a rollout wave decides at launch from the pilot measured by Athena, records it through Firehose, and plans only the winner', async () => {
    sqs.resetHistory();
    firehose.resetHistory();
    const out = await launch({ campaignId: 'spring-repurchase-2027', waveId: 'rollout' });
    expect(out.launched).toBe(true);
    const pilotSql = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input.QueryString ?? '')
      .find((q) => q.includes('FROM outcomes'));
    expect(pilotSql).toContain("wave_id = 'pilot'");
    const decisions = firehose
      .commandCalls(PutRecordBatchCommand)
      .filter((c) => c.args[0].input.DeliveryStreamName === 'rollout-decisions')
      .flatMap((c) => c.args[0].input.Records ?? [])
      .map((r) => JSON.parse(new TextDecoder().decode(r.Data)) as Record<string, unknown>);
    expect(decisions.map((d) => [d.candidate, d.outcome, d.chosen, d.decided_at])).toEqual([
      ['coupon-first', 'winner', false, '2027-03-09 02:00:00.000'],
      ['news-first', 'winner', true, '2027-03-09 02:00:00.000'],
    ]);
    // The audience query leaves out whom the pilot sent to.
    const audience = [...audienceSql.values()].at(-1) ?? '';
    expect(audience).toContain("wave_id = 'pilot' AND status = 'sent'");
    const id = out.queryExecutionId ?? '';
    expect(await plan(event(id, 'SUCCEEDED'))).toMatchObject({ planned: true, queued: 1 });
    const message = JSON.parse(
      sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody ?? '{}',
    ) as SendBatchMessage;
    expect(message.recipients.map((r) => [r.customerId, r.variant])).toEqual([['c7', 'news-first']]);
  });

  it('a rollout wave launched again before it drained (a crash) keeps its first decision and records nothing new', async () => {
    sqs.resetHistory();
    firehose.resetHistory();
    pilotNow = PILOT.map(([id, n, , m, v]) => [
      id ?? '',
      n ?? '',
      id === 'coupon-first' ? '300' : '10',
      m ?? '',
      v ?? '',
    ]);
    const out = await launch({ campaignId: 'spring-repurchase-2027', waveId: 'rollout' });
    expect(await plan(event(out.queryExecutionId ?? '', 'SUCCEEDED'))).toMatchObject({ planned: true });
    expect(
      firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.DeliveryStreamName),
    ).not.toContain('rollout-decisions');
    const message = JSON.parse(
      sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody ?? '{}',
    ) as SendBatchMessage;
    expect(message.recipients.map((r) => [r.customerId, r.variant])).toEqual([['c7', 'news-first']]);
  });

  it('a rollout on groups decides at launch from each group’s lift measured by Athena, and plans only the picked group, recording it per recipient', async () => {
    sqs.resetHistory();
    firehose.resetHistory();
    const out = await launch({ campaignId: 'spring-groups-2027', waveId: 'rollout' });
    expect(out.launched).toBe(true);
    const groupSql = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input.QueryString ?? '')
      .find((q) => q.includes("campaign_id = 'spring-groups-2027'") && q.includes('FROM outcomes'));
    expect(groupSql).toContain("a.wave_id = 'pilot'");
    const decisions = firehose
      .commandCalls(PutRecordBatchCommand)
      .filter((c) => c.args[0].input.DeliveryStreamName === 'rollout-decisions')
      .flatMap((c) => c.args[0].input.Records ?? [])
      .map((r) => JSON.parse(new TextDecoder().decode(r.Data)) as Record<string, unknown>);
    expect(
      decisions.map((d) => [
        d.candidate,
        d.pick,
        d.outcome,
        d.chosen,
        d.holdout_recipients,
        d.holdout_converted,
      ]),
    ).toEqual([
      ['frequent', 'group', 'winner', false, 200, 60],
      ['occasional', 'group', 'winner', true, 1000, 15],
    ]);
    // The audience query keeps only the picked group, by the first group each customer matches.
    const audience = [...audienceSql.values()].at(-1) ?? '';
    expect(audience).toContain("grp IN ('occasional')");
    expect(audience).toContain(
      "WHEN c.customer_id IN (SELECT customer_id FROM seg_frequent) THEN 'frequent'",
    );
    firehose.resetHistory();
    expect(await plan(event(out.queryExecutionId ?? '', 'SUCCEEDED'))).toMatchObject({
      planned: true,
      queued: 1,
    });
    const message = JSON.parse(
      sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody ?? '{}',
    ) as SendBatchMessage;
    expect(message.recipients.map((r) => [r.customerId, r.variant, r.segment])).toEqual([
      ['c7', null, 'occasional'],
    ]);
    // The held-out c8's ledger row carries its group too.
    expect(ledgerRows().map((r) => [r.customer_id, r.reason, r.segment])).toEqual([
      ['c8', 'holdout', 'occasional'],
    ]);
  });

  it('launches one run of a recurring wave, named by the time its schedule fired for in the campaign’s zone', async () => {
    const fired = { campaignId: 'member-day', waveId: 'member-day', timeZone: 'Asia/Shanghai' };
    const out = await launch({ ...fired, scheduledTime: '2026-12-15T02:00:00Z' });
    expect(out.launched).toBe(true);
    const sql = audienceSql.get(out.queryExecutionId ?? '');
    expect(sql?.split('\n')[0]).toBe(
      '-- wave-run {"campaignId":"member-day","waveId":"member-day@2026-12-15T10:00"}',
    );
    // A time the rule does not fire at names no run.
    await expect(launch({ ...fired, scheduledTime: '2026-12-16T02:00:00Z' })).rejects.toThrow(
      /no wave member-day@2026-12-16T10:00 in campaign member-day/,
    );
  });
});
