import type { Clock } from '../clock.ts';
import type { Row } from '../lake/warehouse.ts';
import type { CampaignCatalog } from './campaign-catalog.ts';
import { parseRunMarker } from './plan/run-marker.ts';
import { planWave, type WavePlanDeps } from './plan-wave.ts';

/** A query the warehouse reports finished (on AWS, Athena's "Query State Change" event). */
export interface FinishedQuery {
  executionId: string;
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** The query's text as the warehouse reports it: read for its run marker, never run. */
  sql: string;
  reason: string | null;
}

export type FinishedQueryOutcome =
  | { kind: 'not-an-audience-query' }
  | { kind: 'no-run'; campaignId: string; waveId: string }
  | { kind: 'run-failed'; campaignId: string; waveId: string; error: string }
  /** This query's result is planned already, or being planned by another invocation: nothing done. */
  | { kind: 'duplicate'; campaignId: string; waveId: string; claim: 'done' | 'in-progress' }
  | {
      kind: 'planned';
      campaignId: string;
      waveId: string;
      audience: number;
      queued: number;
      suppressed: number;
    };

/**
 * A finished query: if it is a wave's audience query (its first line names the wave run), plan the wave
 * from its result — once per query execution, however many times and however concurrently its end is
 * reported: the claim (one conditional write) is taken before anything is queued or recorded, and held
 * for `leaseMs` (the invocation's remaining time). An invocation that dies holding it leaves the wave to
 * the next delivery after the lease; that one plans again, and the batches the dead one queued are then
 * queued twice, but no customer is messaged twice: each send claims its own id. A failed or cancelled
 * audience query marks the run failed.
 */
export async function planFinishedQuery(
  deps: WavePlanDeps & { catalog: CampaignCatalog; clock: Clock },
  query: FinishedQuery,
  results: () => AsyncIterable<Row[]>,
  leaseMs: number,
): Promise<FinishedQueryOutcome> {
  const marker = parseRunMarker(query.sql);
  if (!marker) return { kind: 'not-an-audience-query' };
  const run = await deps.runs.get(marker.campaignId, marker.waveId);
  if (!run) return { kind: 'no-run', ...marker };
  if (query.state !== 'SUCCEEDED') {
    const error = `audience query ${query.executionId} ${query.state}: ${query.reason ?? ''}`;
    await deps.runs.put({ ...run, state: 'failed', error });
    return { kind: 'run-failed', ...marker, error };
  }
  const now = deps.clock.now();
  const claim = await deps.runs.claimPlanning(marker.campaignId, query.executionId, {
    now,
    until: new Date(now.getTime() + leaseMs),
  });
  if (claim !== 'claimed') return { kind: 'duplicate', ...marker, claim };
  const sw = await deps.catalog.wave(marker.campaignId, marker.waveId);
  const out = await planWave(deps, sw, { run, reservations: run.reservations }, results());
  await deps.runs.finishPlanning(marker.campaignId, query.executionId);
  if (out.kind === 'already-run') return { kind: 'duplicate', ...marker, claim: 'done' };
  return {
    kind: 'planned',
    ...marker,
    audience: out.run.audience ?? 0,
    queued: out.queued,
    suppressed: out.suppressed,
  };
}
