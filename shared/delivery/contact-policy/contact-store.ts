import type { ClaimRequest, ClaimResult } from './claim.ts';

/**
 * The contact-policy store port. `claim` checks the caps and the idempotency key and records the send in
 * one atomic conditional write (no read-then-write race: a write based on stale state fails its
 * condition and the claim is decided again). Adapters: DynamoDB (aws/) and SQLite embedded (local/).
 */
export interface ContactStore {
  claim(req: ClaimRequest): Promise<ClaimResult>;
  close(): Promise<void>;
}

/** A claim that kept losing its conditional write to concurrent claims for the same customer. */
export class ClaimContentionError extends Error {
  override name = 'ClaimContentionError';
}

/** Attempts before a claim gives up under contention (each attempt re-reads the customer's state). */
export const MAX_CLAIM_ATTEMPTS = 8;
