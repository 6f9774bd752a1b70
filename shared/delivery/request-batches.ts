/**
 * Groups items into requests of at most `maxItems` items and `maxBytes` in all (SQS SendMessageBatch:
 * 10 and 256 KiB; Firehose PutRecordBatch: 500 and 4 MiB), in order.
 */
export function requestBatches<T>(
  items: readonly T[],
  limits: { maxItems: number; maxBytes: number },
  sizeOf: (item: T) => number,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length === limits.maxItems || (current.length > 0 && bytes + size > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}
