import { rmSync } from 'node:fs';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
} from '@aws-sdk/client-firehose';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import { tableDir } from '../../shared/lake/lake-paths.ts';
import type { TableRecord } from '../../shared/lake/table-writer.ts';
import type { TableDef } from '../../shared/lake/tables.ts';
import { queryLake } from './lake-query.ts';

/**
 * A lake table's rows as the tables' JSON carries them (timestamps `yyyy-MM-dd HH:mm:ss.SSS`, decimals
 * as numbers, `dt` for a partitioned table), read through DuckDB's view of a data folder; the table's
 * files are removed after, so the next read sees only rows written since.
 */
export async function parquetTableRows(dataDir: string, table: TableDef): Promise<TableRecord[]> {
  const columns = table.columns.map((c) =>
    c.type === 'timestamp'
      ? `strftime(${c.name}, '%Y-%m-%d %H:%M:%S.%g') AS ${c.name}`
      : c.type.startsWith('decimal')
        ? `CAST(${c.name} AS DOUBLE) AS ${c.name}`
        : c.name,
  );
  if (table.partition) columns.push('dt');
  const rows = (await queryLake(dataDir, `SELECT ${columns.join(', ')} FROM ${table.name}`)) as TableRecord[];
  rmSync(tableDir(dataDir, table.name), { recursive: true, force: true });
  return rows;
}

/** PutRecordBatch takes at most 500 records and 4 MiB per call. */
const MAX_RECORDS = 500;
const MAX_BYTES = 4 * 2 ** 20;

/**
 * The records a Firehose stream accepted since the last read, as its conversion to the table's Parquet
 * keeps them (the table's columns and `dt`; a column a record lacks is null). Each request is checked
 * to be exactly a PutRecordBatch to the stream within its limits, each record one JSON line. Assumes the
 * mock accepts every record.
 */
export function firehoseTableRows(
  firehose: AwsClientStub<FirehoseClient>,
  stream: string,
  table: TableDef,
): TableRecord[] {
  const calls = firehose.calls();
  firehose.resetHistory();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return calls.flatMap((call) => {
    expect(call.args[0]).toBeInstanceOf(PutRecordBatchCommand);
    const input = call.args[0].input as PutRecordBatchCommandInput;
    expect(input).toEqual({ DeliveryStreamName: stream, Records: expect.any(Array) });
    const records = input.Records ?? [];
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(MAX_RECORDS);
    expect(records.reduce((n, r) => n + (r.Data?.byteLength ?? 0), 0)).toBeLessThanOrEqual(MAX_BYTES);
    return records.map((r) => {
      expect(Object.keys(r)).toEqual(['Data']);
      const line = decoder.decode(r.Data);
      expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
      const json = JSON.parse(line) as TableRecord;
      const names = [...table.columns.map((c) => c.name), ...(table.partition ? ['dt'] : [])];
      return Object.fromEntries(names.map((n) => [n, json[n] ?? null]));
    });
  });
}

/**
 * Firehose as the contract suites stand it in (no Firehose implementation runs here): a mock that
 * accepts every record of every PutRecordBatch; firehoseTableRows reads back what it received.
 */
export function acceptingFirehose(): AwsClientStub<FirehoseClient> {
  const firehose = mockClient(FirehoseClient);
  firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({
    FailedPutCount: 0,
    RequestResponses: (input.Records ?? []).map((_, i) => ({ RecordId: `r${i}` })),
  }));
  return firehose;
}
