import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ledgerRecord } from '../../shared/delivery/ledger/ledger.ts';
import { ParquetLedger } from '../../shared/delivery/ledger/local/parquet-ledger.ts';
import { JournalWaveRunStore } from '../../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { waveStatuses } from '../../shared/delivery/wave-status.ts';
import { lakeRoot, tableDir } from '../../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { SAMPLE_PLANNED_AT, sampleLedgerRow } from '../contract/sample-ledger-row.ts';

const PLANNED = SAMPLE_PLANNED_AT;
const row = sampleLedgerRow;

describe('the Parquet ledger and the wave status', () => {
  it('writes the sends table in dt= partitions with exact costs, and counts each send once by precedence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const ledger = new ParquetLedger(dir);
    await ledger.append([
      row('c1'),
      row('c2', {
        status: 'suppressed',
        reason: 'holdout',
        arm: 'holdout',
        channel: null,
        smsSegments: null,
        cost: null,
        messageId: null,
        sentAt: null,
      }),
      row('c3', { status: 'failed', reason: 'InvalidParameter: bad number', messageId: null, sentAt: null }),
      row('c4', { status: 'suppressed', reason: 'quiet-hours', messageId: null, sentAt: null }),
    ]);
    // A redelivered batch repeats rows: the same send, and a send first deferred then sent.
    await ledger.append([row('c1'), row('c4')]);
    await ledger.flush();
    const wh = await DuckDbWarehouse.open(dir);
    const sends = (await wh.query(sql`SELECT dt, send_id, status, cost, sent_at FROM sends ORDER BY send_id`))
      .rows;
    expect(sends).toHaveLength(6);
    expect(sends[0]).toEqual({
      dt: '2026-11-10',
      send_id: 'd11/w1/c1',
      status: 'sent',
      cost: 0.09,
      sent_at: '2026-11-11 00:00:01.25',
    });
    const runs = new JournalWaveRunStore(join(dir, 'runs'));
    await runs.put({
      campaignId: 'd11',
      waveId: 'w1',
      state: 'drained',
      runAt: PLANNED.toISOString(),
      audience: 4,
      batches: 1,
      reservations: 0,
      error: null,
      startedAt: '',
      drainedAt: '',
    });
    const [status] = await waveStatuses({ warehouse: wh, runs }, 'd11', ['w1']);
    expect(status).toEqual({
      waveId: 'w1',
      state: 'drained',
      audience: 4,
      sent: { sms: 2 },
      suppressed: { holdout: 1 },
      failed: { InvalidParameter: 1 },
      recorded: 4,
      inFlight: 0,
      reconciles: true,
      rollout: null,
    });
    // One recipient short of the audience: it does not reconcile, and says how many are in flight.
    await runs.put({
      campaignId: 'd11',
      waveId: 'w1',
      state: 'drained',
      runAt: PLANNED.toISOString(),
      audience: 5,
      batches: 1,
      reservations: 0,
      error: null,
      startedAt: '',
      drainedAt: '',
    });
    const [short] = await waveStatuses({ warehouse: wh, runs }, 'd11', ['w1']);
    expect(short).toMatchObject({ inFlight: 1, reconciles: false });
    // A run still marked sending (on AWS no one sees the queues empty) is drained once every planned
    // recipient has its row, and not before.
    const sending = {
      campaignId: 'd11',
      waveId: 'w1',
      state: 'sending' as const,
      runAt: PLANNED.toISOString(),
    };
    const rest = { batches: 1, reservations: 0, error: null, startedAt: '', drainedAt: null };
    await runs.put({ ...sending, ...rest, audience: 4 });
    const [settled] = await waveStatuses({ warehouse: wh, runs }, 'd11', ['w1']);
    expect(settled).toMatchObject({ state: 'drained', inFlight: 0, reconciles: true });
    await runs.put({ ...sending, ...rest, audience: 5 });
    const [busy] = await waveStatuses({ warehouse: wh, runs }, 'd11', ['w1']);
    expect(busy).toMatchObject({ state: 'sending', inFlight: 1, reconciles: false });
    await wh.close();
  });

  it('loses nothing when a process dies before flushing: staged rows are recovered into Parquet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    await new ParquetLedger(dir).append([row('c1'), row('c2')]); // never flushed
    expect(await ParquetLedger.recoverStaged(dir)).toBe(1);
    expect(await ParquetLedger.recoverStaged(dir)).toBe(0);
    const wh = await DuckDbWarehouse.open(dir);
    expect((await wh.query(sql`SELECT count(*) AS n FROM sends`)).rows[0]?.n).toBe(2);
    await wh.close();
  });

  it('converts a full staging file to Parquet in the background, as Firehose does, without waiting for a flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const rowLength = JSON.stringify(ledgerRecord(row('c1'))).length + 1;
    const ledger = new ParquetLedger(dir, { flushAt: 3 * rowLength }); // three rows' worth
    const count = async () => {
      const wh = await DuckDbWarehouse.open(dir);
      try {
        return (await wh.query(sql`SELECT count(*) AS n FROM sends`)).rows[0]?.n;
      } finally {
        await wh.close();
      }
    };
    await ledger.append([row('c1'), row('c2')]);
    expect(await count()).toBe(0); // still staged
    await ledger.append(['c3', 'c4', 'c5', 'c6'].map((c) => row(c)));
    // The append filled the staging file: appends go on into a new one while it converts.
    await ledger.append([row('c7')]);
    await vi.waitFor(async () => expect(await count()).toBe(6), { timeout: 10_000, interval: 50 });
    await ledger.flush();
    expect(await count()).toBe(7);
    expect(await ParquetLedger.recoverStaged(dir)).toBe(0); // nothing left staged
  });

  it('reports a failed background conversion at every later append and flush, and keeps every row staged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const rowLength = JSON.stringify(ledgerRecord(row('c1'))).length + 1;
    const ledger = new ParquetLedger(dir, { flushAt: 2 * rowLength });
    // The sends table's folder is a file: converting into it fails.
    mkdirSync(lakeRoot(dir), { recursive: true });
    writeFileSync(tableDir(dir, 'sends'), 'not a folder');
    await ledger.append([row('c1'), row('c2')]); // full: converts in the background, and fails
    await vi.waitFor(() => expect(ledger.append([])).rejects.toThrow(), { timeout: 10_000, interval: 50 });
    // From then on an append keeps its rows, then reports the failure; so does the flush.
    await expect(ledger.append([row('c3')])).rejects.toThrow(
      /converting staged sends rows to Parquet failed.*recovered/,
    );
    await expect(ledger.flush()).rejects.toThrow(/converting staged sends rows to Parquet failed/);
    // Once the folder is fixed, the recovery converts every row: none was lost.
    rmSync(tableDir(dir, 'sends'));
    expect(await ParquetLedger.recoverStaged(dir)).toBe(2);
    const wh = await DuckDbWarehouse.open(dir);
    expect((await wh.query(sql`SELECT count(*) AS n FROM sends`)).rows[0]?.n).toBe(3);
    await wh.close();
  });
});
