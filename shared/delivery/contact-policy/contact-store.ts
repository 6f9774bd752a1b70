import type { ContactChange } from './claim.ts';

/**
 * The contact-policy store port: one record per customer. `apply` decides each change on the customer's
 * current record and writes the result with one atomic conditional write (no read-then-write race: a
 * write based on stale state fails its condition and the change is decided again on the new state; no
 * multi-item transactions). One customer's changes apply in the order given; results come back in order.
 * Adapters: DynamoDB (aws/) and an append-only journal in the data folder (local/). The decisions live
 * in claim.ts.
 */
export interface ContactStore {
  apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A change that kept losing its conditional write to concurrent changes for the same customer. */
export class ClaimContentionError extends Error {
  override name = 'ClaimContentionError';
}

/** Attempts before a change gives up under contention (each attempt re-reads the customer's record). */
export const MAX_CLAIM_ATTEMPTS = 8;
