import type { LedgerRow } from './ledger.ts';

/** The sends ledger port: Firehose to the lake (aws/), staged Parquet in the data folder (local/). */
export interface LedgerWriter {
  append(rows: readonly LedgerRow[]): Promise<void>;
  /** Makes every appended row visible in the sends table. */
  flush(): Promise<void>;
}
