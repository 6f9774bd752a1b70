import { StagedParquetWriter } from '../../../lake/local/staged-parquet-writer.ts';
import { SENDS } from '../../../lake/tables.ts';
import { type LedgerRow, ledgerRecord } from '../ledger.ts';
import type { LedgerWriter } from '../ledger-writer.ts';

/**
 * The local ledger writer: the sends table through a staged Parquet writer (JSON lines staged at once,
 * Parquet in `dt=yyyy-MM-dd` partitions of planned_at on flush; a crash loses nothing).
 */
export class ParquetLedger implements LedgerWriter {
  readonly #writer: StagedParquetWriter;

  constructor(dataDir: string, options: { flushAt?: number } = {}) {
    this.#writer = new StagedParquetWriter(dataDir, SENDS, options);
  }

  async append(rows: readonly LedgerRow[]): Promise<void> {
    await this.#writer.append(rows.map(ledgerRecord));
  }

  async flush(): Promise<void> {
    await this.#writer.flush();
  }

  /** Converts ledger rows staged by a process that died before flushing. */
  static recoverStaged(dataDir: string): Promise<number> {
    return StagedParquetWriter.recoverStaged(dataDir, SENDS);
  }
}
