import { type _Record, type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { requestBatches, resendFailedEntries } from '../../request-batches.ts';
import { type LedgerRow, type LedgerWriter, ledgerRecord } from '../ledger.ts';

export interface FirehoseLedgerOptions {
  client: FirehoseClient;
  /** The delivery stream that converts JSON to Parquet (the sends Glue table) under `lake/sends/dt=…/`. */
  deliveryStreamName: string;
  /** Rounds of resending the records Firehose reported as failed. */
  maxAttempts?: number;
}

/** PutRecordBatch takes at most 500 records and 4 MiB per call. */
const MAX_RECORDS = 500;
const MAX_BYTES = 4 * 2 ** 20;

export class LedgerWriteError extends Error {
  override name = 'LedgerWriteError';
}

/**
 * The AWS ledger writer: each row a JSON line to a Firehose delivery stream, which converts to Parquet
 * with the sends table's schema and partitions by the record's `dt`. `append` returns only when Firehose
 * has every row (failed records resent; if they keep failing it throws, so the queue redelivers the batch
 * — readers take one row per send id). `flush` has nothing to do: Firehose buffers.
 */
export class FirehoseLedger implements LedgerWriter {
  readonly #o: Required<FirehoseLedgerOptions>;

  constructor(options: FirehoseLedgerOptions) {
    this.#o = { maxAttempts: 3, ...options };
  }

  async append(rows: readonly LedgerRow[]): Promise<void> {
    const encoder = new TextEncoder();
    const records = rows.map((r) => ({ Data: encoder.encode(`${JSON.stringify(ledgerRecord(r))}\n`) }));
    const limits = { maxItems: MAX_RECORDS, maxBytes: MAX_BYTES };
    for (const chunk of requestBatches(records, limits, (r) => r.Data?.byteLength ?? 0))
      await this.#put(chunk);
  }

  async #put(records: _Record[]): Promise<void> {
    await resendFailedEntries(
      records,
      this.#o.maxAttempts,
      async (pending) => {
        const out = await this.#o.client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: this.#o.deliveryStreamName, Records: pending }),
        );
        const responses = out.RequestResponses ?? [];
        return {
          failed: out.FailedPutCount ? pending.filter((_, i) => responses[i]?.ErrorCode) : [],
          why: [...new Set(responses.flatMap((r) => (r.ErrorCode ? [r.ErrorCode] : [])))].join(', '),
        };
      },
      (n, attempts, why) =>
        new LedgerWriteError(
          `${n} ledger row(s) not accepted by Firehose after ${attempts} attempts (${why})`,
        ),
    );
  }

  async flush(): Promise<void> {}
}
