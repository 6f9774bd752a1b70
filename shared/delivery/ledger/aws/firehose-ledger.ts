import {
  FirehoseTableWriter,
  type FirehoseTableWriterOptions,
} from '../../../lake/aws/firehose-table-writer.ts';
import { type LedgerRow, ledgerRecord } from '../ledger.ts';
import type { LedgerWriter } from '../ledger-writer.ts';

/**
 * The AWS ledger writer: ledger rows as records of the sends table through its Firehose stream (JSON →
 * Parquet, `dt=` from each record). `append` returns when Firehose has every row, else throws
 * TableWriteError so the queue redelivers the batch.
 */
export class FirehoseLedger implements LedgerWriter {
  readonly #writer: FirehoseTableWriter;

  constructor(options: FirehoseTableWriterOptions) {
    this.#writer = new FirehoseTableWriter(options);
  }

  append(rows: readonly LedgerRow[]): Promise<void> {
    return this.#writer.append(rows.map(ledgerRecord));
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
