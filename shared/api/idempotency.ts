import type { ApiResponse } from './router.ts';

/**
 * Responses remembered by Idempotency-Key (create and launch): a retried request gets the first answer
 * again instead of doing the work twice. Records last a day.
 */
export interface IdempotentRecord {
  /** A hash of the request the key was first used with: another request with the same key is refused. */
  fingerprint: string;
  response: ApiResponse;
}

export interface IdempotencyStore {
  get(key: string): Promise<IdempotentRecord | null>;
  /** Remembers the first response for a key (a later put of the same key keeps the first). */
  put(key: string, record: IdempotentRecord): Promise<void>;
  close(): Promise<void>;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
