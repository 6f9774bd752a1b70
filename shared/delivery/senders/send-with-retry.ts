import type { SendResult } from './send-result.ts';

export interface RetryOptions {
  /** Attempts for a throttled message before it is reported failed (retryable). */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * One provider call with retries on throttling: exponential backoff with full jitter
 * (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/). Any other error is
 * a permanent failure of this message; nothing is thrown for one message's failure.
 */
export async function sendWithRetry(
  call: () => Promise<{ MessageId?: string | undefined }>,
  throttled: ReadonlySet<string>,
  options: RetryOptions = {},
): Promise<SendResult> {
  const {
    maxAttempts = 6,
    baseDelayMs = 100,
    sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await call();
      return { kind: 'sent', messageId: out.MessageId ?? '' };
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'Error';
      if (!throttled.has(name))
        return { kind: 'failed', error: `${name}: ${(e as Error).message}`, retryable: false };
      if (attempt >= maxAttempts)
        return { kind: 'failed', error: `${name} after ${attempt} attempts`, retryable: true };
      await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
