import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { expect, it } from 'vitest';
import { FirehoseTableWriter } from '../../shared/lake/aws/firehose-table-writer.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import type { TableRecord, TableWriter } from '../../shared/lake/table-writer.ts';
import { EVENTS } from '../../shared/lake/tables.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { acceptingFirehose, firehoseTableRows, parquetTableRows } from '../helpers/lake-table-rows.ts';

/**
 * The writer of the events table, what the table holds (rows written since the last read), and what a
 * process that restarts after dying does first (the local writer converts what it had staged).
 */
type Subject = Made<TableWriter> & { rows: () => Promise<TableRecord[]>; restart: () => Promise<void> };

const adapters: ContractAdapter<Subject>[] = [
  {
    name: 'staged Parquet (read back through DuckDB)',
    make: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'table-writer-'));
      return {
        port: new StagedParquetWriter(dataDir, EVENTS),
        rows: () => parquetTableRows(dataDir, EVENTS),
        restart: async () => void (await StagedParquetWriter.recoverStaged(dataDir, EVENTS)),
        stop: async () => {},
      };
    },
  },
  {
    name: 'Firehose (aws-sdk-client-mock: exact requests)',
    make: async () => {
      const firehose = acceptingFirehose();
      return {
        port: new FirehoseTableWriter({
          client: new FirehoseClient({ region: 'cn-north-1' }),
          deliveryStreamName: 'events',
        }),
        rows: async () => firehoseTableRows(firehose, 'events', EVENTS),
        restart: async () => {},
        stop: async () => firehose.restore(),
      };
    },
  },
];

const event = (i: number, over: Partial<TableRecord> = {}): TableRecord => ({
  event_id: `e${String(i).padStart(4, '0')}`,
  event_type: 'clicked',
  campaign_id: 'd11',
  wave_id: 'cashback',
  customer_id: `c${i}`,
  channel: 'sms',
  send_id: `d11/cashback/c${i}`,
  message_id: `sns-${i}`,
  occurred_at: '2026-11-11 00:03:07.125',
  detail: 'https://shop.example/d11',
  source: 'link',
  sku: null,
  dt: '2026-11-11',
  ...over,
});
const byId = (rows: TableRecord[]) =>
  [...rows].sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));

contractSuite('table writer', adapters, (made) => {
  const writer = () => made().port;

  it('holds each appended record once, with its values and partition, once flushed', async () => {
    const records = [
      event(1),
      event(2, {
        customer_id: '淘宝:王小明',
        sku: '羽绒服:2026W-03',
        detail: 'a "quoted", comma\nand a line',
      }),
      event(3, {
        event_type: 'bounced',
        campaign_id: null,
        wave_id: null,
        send_id: null,
        channel: 'email',
        occurred_at: '2026-11-12 23:59:59.999',
        dt: '2026-11-12',
      }),
    ];
    await writer().append(records);
    await writer().flush();
    expect(byId(await made().rows())).toEqual(records);
  });

  it('holds every record of many appends, more than one request takes, each once', async () => {
    const records = Array.from({ length: 600 }, (_, i) => event(i));
    await writer().append(records.slice(0, 520));
    await writer().append(records.slice(520));
    await writer().flush();
    expect(byId(await made().rows())).toEqual(records);
  });

  it('writes nothing for no records, and a flush with nothing appended is harmless', async () => {
    await writer().append([]);
    await writer().flush();
    await writer().flush();
    expect(await made().rows()).toEqual([]);
  });

  it('has the records durably once append returns: a process that dies before flushing loses none', async () => {
    const records = [event(5), event(6, { dt: '2026-11-13', occurred_at: '2026-11-13 08:00:00.000' })];
    await writer().append(records);
    await made().restart();
    expect(byId(await made().rows())).toEqual(records);
  });
});
