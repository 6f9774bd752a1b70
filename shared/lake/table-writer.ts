/** One row as a lake table's JSON carries it: column names to values, and `dt` for partitioned tables. */
export type TableRecord = Record<string, string | number | boolean | null>;

/**
 * Appends rows to a lake table: locally a staged Parquet writer, on AWS a Firehose stream converting to
 * Parquet with the table's Glue schema. `append` returns once the rows are durable; `flush` makes them
 * visible to queries (a no-op where the service buffers).
 */
export interface TableWriter {
  append(records: readonly TableRecord[]): Promise<void>;
  flush(): Promise<void>;
}

/** A timestamp as the tables' JSON carries it: UTC `yyyy-MM-dd HH:mm:ss.SSS` (Hive's format). */
export function tableTimestamp(d: Date): string {
  // A batch's rows share their times (the wave's plan, the batch's send): the last few are kept.
  const ms = d.getTime();
  const known = recentTimestamps.get(ms);
  if (known !== undefined) return known;
  if (recentTimestamps.size >= 16) recentTimestamps.clear();
  const text = d.toISOString().replace('T', ' ').replace('Z', '');
  recentTimestamps.set(ms, text);
  return text;
}
const recentTimestamps = new Map<number, string>();
