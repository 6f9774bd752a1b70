import { type _Record, type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { requestBatches, resendFailedEntries } from '../../delivery/request-batches.ts';
import type { TableRecord, TableWriter } from '../table-writer.ts';

export interface FirehoseTableWriterOptions {
  client: FirehoseClient;
  /** The delivery stream that converts JSON to Parquet with the table's Glue schema under `lake/<table>/`. */
  deliveryStreamName: string;
  /** Rounds of resending the records Firehose reported as failed. */
  maxAttempts?: number;
}

/** PutRecordBatch takes at most 500 records and 4 MiB per call. */
const MAX_RECORDS = 500;
const MAX_BYTES = 4 * 2 ** 20;

export class TableWriteError extends Error {
  override name = 'TableWriteError';
}

/**
 * The AWS table writer: each record a JSON line to a Firehose delivery stream, which converts to Parquet
 * with the table's Glue schema (and partitions by the record's `dt` where the table has one). `append`
 * returns only when Firehose has every record (failed records resent; if they keep failing it throws, so
 * the caller's queue redelivers — readers take one row per id). `flush` has nothing to do: Firehose buffers.
 */
export class FirehoseTableWriter implements TableWriter {
  readonly #o: Required<FirehoseTableWriterOptions>;

  constructor(options: FirehoseTableWriterOptions) {
    this.#o = { maxAttempts: 3, ...options };
  }

  async append(rows: readonly TableRecord[]): Promise<void> {
    const encoder = new TextEncoder();
    const records = rows.map((r) => ({ Data: encoder.encode(`${JSON.stringify(r)}\n`) }));
    const limits = { maxItems: MAX_RECORDS, maxBytes: MAX_BYTES };
    for (const chunk of requestBatches(records, limits, (r) => r.Data?.byteLength ?? 0))
      await this.#put(chunk);
  }

  async #put(records: _Record[]): Promise<void> {
    const stream = this.#o.deliveryStreamName;
    await resendFailedEntries(
      records,
      this.#o.maxAttempts,
      async (pending) => {
        const out = await this.#o.client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: pending }),
        );
        const responses = out.RequestResponses ?? [];
        return {
          failed: out.FailedPutCount ? pending.filter((_, i) => responses[i]?.ErrorCode) : [],
          why: [...new Set(responses.flatMap((r) => (r.ErrorCode ? [r.ErrorCode] : [])))].join(', '),
        };
      },
      (n, attempts, why) =>
        new TableWriteError(
          `${n} record(s) not accepted by Firehose stream ${stream} after ${attempts} attempts (${why})`,
        ),
    );
  }

  async flush(): Promise<void> {}
}
