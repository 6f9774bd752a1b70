import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { expect, it } from 'vitest';
import { FirehoseLedger } from '../../shared/delivery/ledger/aws/firehose-ledger.ts';
import type { LedgerRow } from '../../shared/delivery/ledger/ledger.ts';
import type { LedgerWriter } from '../../shared/delivery/ledger/ledger-writer.ts';
import { ParquetLedger } from '../../shared/delivery/ledger/local/parquet-ledger.ts';
import type { TableRecord } from '../../shared/lake/table-writer.ts';
import { SENDS } from '../../shared/lake/tables.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { acceptingFirehose, firehoseTableRows, parquetTableRows } from '../helpers/lake-table-rows.ts';
import { sampleLedgerRow } from './sample-ledger-row.ts';

/** The ledger, the sends table's rows written since the last read, and a restart after a crash. */
type Subject = Made<LedgerWriter> & { rows: () => Promise<TableRecord[]>; restart: () => Promise<void> };

const adapters: ContractAdapter<Subject>[] = [
  {
    name: 'Parquet (read back through DuckDB)',
    make: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ledger-writer-'));
      return {
        port: new ParquetLedger(dataDir),
        rows: () => parquetTableRows(dataDir, SENDS),
        restart: async () => void (await ParquetLedger.recoverStaged(dataDir)),
        stop: async () => {},
      };
    },
  },
  {
    name: 'Firehose (aws-sdk-client-mock: exact requests)',
    make: async () => {
      const firehose = acceptingFirehose();
      return {
        port: new FirehoseLedger({
          client: new FirehoseClient({ region: 'cn-north-1' }),
          deliveryStreamName: 'sends',
        }),
        rows: async () => firehoseTableRows(firehose, 'sends', SENDS),
        restart: async () => {},
        stop: async () => firehose.restore(),
      };
    },
  },
];

const row = (i: number, over: Partial<LedgerRow> = {}) =>
  sampleLedgerRow(`c${i}`, {
    sendId: `d11/cashback/c${i}`,
    waveId: 'cashback',
    variant: 'urgency',
    cost: 0.0875,
    messageId: `sns-${i}`,
    sentAt: new Date('2026-11-10T16:00:01.250Z'),
    ...over,
  });
const bySend = (rows: TableRecord[]) =>
  [...rows].sort((a, b) => String(a.send_id).localeCompare(String(b.send_id)));

contractSuite('ledger writer', adapters, (made) => {
  const ledger = () => made().port;

  it('puts each row once in the sends table, with its columns and its planned day’s partition, once flushed', async () => {
    await ledger().append([
      row(1),
      row(2, {
        customerId: '淘宝:王小明',
        sendId: 'd11/cashback/淘宝:王小明',
        channel: null,
        variant: null,
        status: 'suppressed',
        reason: 'quiet-hours',
        smsSegments: null,
        cost: null,
        messageId: null,
        sentAt: null,
        arm: null,
        segment: null,
        plannedAt: new Date('2026-11-11T23:59:59.999Z'),
      }),
    ]);
    await ledger().flush();
    expect(bySend(await made().rows())).toEqual([
      {
        send_id: 'd11/cashback/c1',
        campaign_id: 'd11',
        wave_id: 'cashback',
        customer_id: 'c1',
        segment: 'lapsed',
        category: 'marketing',
        channel: 'sms',
        variant: 'urgency',
        status: 'sent',
        reason: null,
        sms_segments: 2,
        cost: 0.0875,
        message_id: 'sns-1',
        planned_at: '2026-11-10 16:00:00.000',
        sent_at: '2026-11-10 16:00:01.250',
        arm: 'treatment',
        dt: '2026-11-10',
      },
      {
        send_id: 'd11/cashback/淘宝:王小明',
        campaign_id: 'd11',
        wave_id: 'cashback',
        customer_id: '淘宝:王小明',
        segment: null,
        category: 'marketing',
        channel: null,
        variant: null,
        status: 'suppressed',
        reason: 'quiet-hours',
        sms_segments: null,
        cost: null,
        message_id: null,
        planned_at: '2026-11-11 23:59:59.999',
        sent_at: null,
        arm: null,
        dt: '2026-11-11',
      },
    ]);
  });

  it('keeps every row of a wave’s batches, each once, and nothing for an empty batch', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => row(100 + i, { status: i % 7 ? 'sent' : 'failed' }));
    for (let i = 0; i < rows.length; i += 10) await ledger().append(rows.slice(i, i + 10));
    await ledger().append([]);
    await ledger().flush();
    const got = await made().rows();
    expect(got.map((r) => r.send_id).sort()).toEqual(rows.map((r) => r.sendId).sort());
    expect(got.filter((r) => r.status === 'failed')).toHaveLength(18);
  });

  it('has the rows durably once append returns: a process that dies before flushing loses none', async () => {
    await ledger().append([row(7), row(8)]);
    await made().restart();
    expect((await made().rows()).map((r) => r.send_id).sort()).toEqual([
      'd11/cashback/c7',
      'd11/cashback/c8',
    ]);
  });
});
