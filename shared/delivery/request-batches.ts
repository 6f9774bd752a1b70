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

/**
 * Sends a batch request and resends the entries the service reported as failed, up to `maxAttempts`
 * rounds (with a jittered pause); then throws what `giveUp` makes of the last failures. `send` returns
 * the failed entries of its round and a description of why.
 */
export async function resendFailedEntries<T>(
  entries: T[],
  maxAttempts: number,
  send: (pending: T[]) => Promise<{ failed: T[]; why: string }>,
  giveUp: (failed: number, attempts: number, why: string) => Error,
): Promise<void> {
  let pending = entries;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const { failed, why } = await send(pending);
    if (failed.length === 0) return;
    if (attempt >= maxAttempts) throw giveUp(failed.length, attempt, why);
    pending = failed;
    await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
  }
}
