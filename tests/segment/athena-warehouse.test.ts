import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { AthenaWarehouse } from '../../shared/lake/aws/athena-warehouse.ts';
import { QueryCancelledError, QueryFailedError, QueryTimeoutError } from '../../shared/lake/warehouse.ts';

const athena = mockClient(AthenaClient);
const SQL = 'SELECT customer_id, orders, spend, vip FROM stats';

/** A warehouse whose sleeps move a manual clock instead of waiting. */
function warehouse(opts: { timeoutMs?: number } = {}) {
  const clock = new ManualClock(new Date('2026-11-11T00:00:00Z'));
  const sleeps: number[] = [];
  const wh = new AthenaWarehouse({
    client: new AthenaClient({ region: 'cn-north-1' }),
    workGroup: 'campaign-analysts',
    database: 'campaign_lake',
    outputLocation: 's3://results/athena/',
    pageSize: 2,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.set(new Date(clock.now().getTime() + ms));
    },
    ...opts,
  });
  return { wh, sleeps };
}

const cell = (v?: string) => (v === undefined ? {} : { VarCharValue: v });
const columns = [
  { Name: 'customer_id', Type: 'varchar' },
  { Name: 'orders', Type: 'bigint' },
  { Name: 'spend', Type: 'decimal' },
  { Name: 'vip', Type: 'boolean' },
];

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
});

describe('Athena warehouse adapter', () => {
  it('starts the query in the workgroup with its result location, waits with backoff, and pages through the results', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2 })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [
            { Data: [cell('customer_id'), cell('orders'), cell('spend'), cell('vip')] },
            { Data: [cell('c01'), cell('3'), cell('450.50'), cell('true')] },
          ],
        },
        NextToken: 'page-2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2, NextToken: 'page-2' })
      .resolves({ ResultSet: { Rows: [{ Data: [cell('c02'), cell('1'), cell(), cell('false')] }] } });

    const { wh, sleeps } = warehouse();
    const result = await wh.query(SQL);

    expect(result).toEqual({
      columns: ['customer_id', 'orders', 'spend', 'vip'],
      rows: [
        { customer_id: 'c01', orders: 3, spend: 450.5, vip: true },
        { customer_id: 'c02', orders: 1, spend: null, vip: false },
      ],
    });
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: SQL,
      WorkGroup: 'campaign-analysts',
      QueryExecutionContext: { Database: 'campaign_lake' },
      ResultConfiguration: { OutputLocation: 's3://results/athena/' },
    });
    expect(athena).toHaveReceivedCommandTimes(GetQueryExecutionCommand, 3);
    expect(sleeps).toEqual([250, 500]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 2 },
      { QueryExecutionId: 'q-1', MaxResults: 2, NextToken: 'page-2' },
    ]);
  });

  it('turns FAILED into an error that names the query and Athena’s reason', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: 'COLUMN_NOT_FOUND: line 1:8: Column x cannot be resolved',
        },
      },
    });
    const { wh } = warehouse();
    const error = await wh.query(SQL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as Error).message).toBe(
      `query failed: COLUMN_NOT_FOUND: line 1:8: Column x cannot be resolved (query q-1: ${SQL})`,
    );
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 0);
  });

  it('turns CANCELLED into an error', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'CANCELLED' } } });
    await expect(warehouse().wh.query(SQL)).rejects.toBeInstanceOf(QueryCancelledError);
  });

  it('stops a query that outlives its timeout', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const { wh, sleeps } = warehouse({ timeoutMs: 2_000 });
    await expect(wh.query(SQL)).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-1' });
  });
});
