import type { RolloutDecision } from '../rollout/rollout-decision.ts';

/**
 * A wave run: the record of one wave's launch, created when the wave starts and closed when its queues
 * have drained. `audience` is set once planning has read the whole audience; `status` then compares it
 * with the ledger. One run per wave, ever (re-launching a drained wave sends nothing).
 */
export type WaveRunState = 'planning' | 'sending' | 'drained' | 'failed';

export interface WaveRun {
  campaignId: string;
  waveId: string;
  state: WaveRunState;
  /** The wave's scheduled start: the time its audience is computed for. */
  runAt: string;
  /** Recipients the audience query returned; null until planning finished. */
  audience: number | null;
  /** Queue messages planned. */
  batches: number;
  /** Reservations made for higher-priority waves when this one launched. */
  reservations: number;
  /** Why the run failed (its audience query failed or was cancelled); null otherwise. */
  error: string | null;
  startedAt: string;
  drainedAt: string | null;
  /**
   * A rollout wave's decision, taken at its launch; planning sends only the variants it picked (for
   * `pick: group`, the audience query keeps only the groups it picked).
   */
  rollout?: RolloutDecision;
}

/** What a claim on planning one audience query's result found (see WaveRunStore.claimPlanning). */
export type PlanningClaim = 'claimed' | 'in-progress' | 'done';

export interface WaveRunStore {
  get(campaignId: string, waveId: string): Promise<WaveRun | null>;
  list(campaignId: string): Promise<WaveRun[]>;
  put(run: WaveRun): Promise<void>;
  /**
   * Claims planning the result of one audience query, by its execution id, in one conditional write:
   * Athena may report a query's end more than once, and two reports may arrive together. `claimed` the
   * first time, and again once a claim's lease has run out unfinished (the invocation holding it died);
   * `in-progress` while another holds it; `done` for good once finishPlanning recorded it.
   */
  claimPlanning(
    campaignId: string,
    queryExecutionId: string,
    lease: { now: Date; until: Date },
  ): Promise<PlanningClaim>;
  finishPlanning(campaignId: string, queryExecutionId: string): Promise<void>;
  /** Forgets a campaign's runs and planning claims (campaign run --fresh). */
  clear(campaignId: string): Promise<void>;
  close(): Promise<void>;
}

/** A planning claim as the stores keep it: done, or held until `leaseUntil` (ms since the epoch). */
export interface PlanningClaimRecord {
  state: 'planning' | 'done';
  leaseUntil: number;
}

/** The decision behind a claim, for stores that apply it in one atomic step. */
export function decidePlanningClaim(
  existing: PlanningClaimRecord | null,
  now: Date,
): Exclude<PlanningClaim, 'claimed'> | null {
  if (!existing) return null;
  if (existing.state === 'done') return 'done';
  return existing.leaseUntil > now.getTime() ? 'in-progress' : null;
}
