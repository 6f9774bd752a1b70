import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetTableCommand, GlueClient, UpdateTableCommand } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { AthenaWarehouse } from '../../shared/lake/aws/athena-warehouse.ts';
import { AthenaResponseTables } from '../../shared/responses/aws/athena-response-tables.ts';
import { loadDouble11 } from '../helpers/delivery-harness.ts';

// Athena, Glue and S3 cannot run here: the exact requests are asserted.
const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
const s3 = mockClient(S3Client);
afterAll(() => {
  for (const m of [athena, glue, s3]) m.restore();
});

describe('the attribution and lift tables on AWS', () => {
  it('UNLOADs each to a fresh prefix, points its Glue table at it, then deletes the older runs', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .resolvesOnce({ QueryExecutionId: 'q-1' })
      .resolvesOnce({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const storage = {
      Columns: [{ Name: 'order_id', Type: 'string' }],
      Location: 's3://lake-bucket/lake/attribution/computed=20261121T190000000Z/',
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    };
    /** A Glue table as GetTable returns it, its data at `location`. */
    const glueTable = (name: string, location: string) => ({
      Table: {
        Name: name,
        DatabaseName: 'campaign_lake',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet' },
        PartitionKeys: [],
        StorageDescriptor: { ...storage, Location: location },
        CreateTime: new Date(),
      },
    });
    glue
      .on(GetTableCommand, { Name: 'lift' })
      .resolves(glueTable('lift', 's3://lake-bucket/lake/lift/computed=20261121T190000000Z/'));
    glue.on(GetTableCommand, { Name: 'attribution' }).resolves(glueTable('attribution', storage.Location));
    glue.on(UpdateTableCommand).resolves({});
    s3.on(ListObjectsV2Command, { Prefix: 'lake/attribution/' }).resolves({
      Contents: [
        { Key: 'lake/attribution/computed=20261121T190000000Z/part-0.parquet' },
        { Key: 'lake/attribution/computed=20261122T190000000Z/part-0.parquet' },
      ],
    });
    s3.on(ListObjectsV2Command, { Prefix: 'lake/lift/' }).resolves({
      Contents: [{ Key: 'lake/lift/computed=20261122T190000000Z/part-0.parquet' }],
    });
    s3.on(DeleteObjectsCommand).resolves({});
    const d11 = await loadDouble11();
    const out = await new AthenaResponseTables({
      athena: new AthenaWarehouse({
        client: new AthenaClient({ region: 'cn-north-1' }),
        workGroup: 'analysts',
        database: 'campaign_lake',
        sleep: async () => {},
      }),
      glue: new GlueClient({ region: 'cn-north-1' }),
      s3: new S3Client({ region: 'cn-north-1' }),
      bucket: 'lake-bucket',
      database: 'campaign_lake',
      clock: new ManualClock(new Date('2026-11-22T19:00:00Z')),
    }).rewrite([d11], 'last-touch');
    const location = 's3://lake-bucket/lake/attribution/computed=20261122T190000000Z/';
    const liftLocation = 's3://lake-bucket/lake/lift/computed=20261122T190000000Z/';
    expect(out).toEqual([
      { table: 'attribution', location, rows: null, queryExecutionId: 'q-1', deletedObjects: 1 },
      { table: 'lift', location: liftLocation, rows: null, queryExecutionId: 'q-2', deletedObjects: 0 },
    ]);
    const [sql, liftSql] = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input.QueryString ?? '');
    expect(sql?.startsWith('UNLOAD (WITH one_send AS')).toBe(true);
    expect(sql).toContain(`TO '${location}' WITH (format = 'PARQUET', compression = 'SNAPPY')`);
    expect(liftSql?.startsWith('UNLOAD (SELECT *, TIMESTAMP')).toBe(true);
    expect(liftSql).toContain(`TO '${liftLocation}' WITH (format = 'PARQUET', compression = 'SNAPPY')`);
    expect(glue).toHaveReceivedCommandWith(UpdateTableCommand, {
      DatabaseName: 'campaign_lake',
      TableInput: {
        Name: 'attribution',
        Description: undefined,
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet' },
        PartitionKeys: [],
        StorageDescriptor: { ...storage, Location: location },
      },
    });
    expect(glue).toHaveReceivedCommandWith(UpdateTableCommand, {
      DatabaseName: 'campaign_lake',
      TableInput: expect.objectContaining({
        Name: 'lift',
        StorageDescriptor: { ...storage, Location: liftLocation },
      }),
    });
    // Each table moved before anything was deleted, and only the older run goes.
    const order = [...glue.calls(), ...s3.calls()]
      .map((c) => ({ name: c.args[0].constructor.name, at: (c as unknown as { callId: number }).callId }))
      .sort((a, b) => a.at - b.at)
      .map((c) => c.name);
    expect(order).toEqual([
      'GetTableCommand',
      'UpdateTableCommand',
      'ListObjectsV2Command',
      'DeleteObjectsCommand',
      'GetTableCommand',
      'UpdateTableCommand',
      'ListObjectsV2Command',
    ]);
    expect(s3).toHaveReceivedCommandWith(DeleteObjectsCommand, {
      Bucket: 'lake-bucket',
      Delete: {
        Objects: [{ Key: 'lake/attribution/computed=20261121T190000000Z/part-0.parquet' }],
        Quiet: true,
      },
    });
  });
});
