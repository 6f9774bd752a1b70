import type { CampaignStore, WaveState } from '../api/campaign-store.ts';
import { waveProgress } from '../api/lifecycle.ts';
import { occurrenceRunId } from '../campaign/wave-repeat.ts';
import type { Sql } from '../lake/sql.ts';
import { instantToLocal } from '../time/zoned-time.ts';
import { type LaunchDeps, launchWave } from './plan-wave.ts';

/**
 * What each wave's schedule sends (validated by the launch-wave handler); a recurring or triggered wave's
 * schedule adds the time the run was scheduled for and the campaign's zone, which name the run.
 */
export interface ScheduledLaunch {
  campaignId: string;
  waveId: string;
  timeZone?: string | undefined;
  scheduledTime?: string | undefined;
}

export interface LaunchingDeps extends LaunchDeps {
  /** Starts the audience query; its result is planned when the query finishes (plan-finished-query.ts). */
  audienceQuery: { start(sql: Sql): Promise<string> };
}

export interface LaunchScheduledDeps {
  /** The campaigns created through the API; null where the deployment has no campaign API. */
  store: CampaignStore | null;
  /** The launch's adapters, asked for only once the wave is found launchable. */
  launching: () => Promise<LaunchingDeps>;
}

export type ScheduledLaunchOutcome =
  | { kind: 'not-scheduled'; campaignId: string; waveId: string; state: WaveState | undefined }
  | { kind: 'already-run'; campaignId: string; waveId: string }
  | { kind: 'started'; campaignId: string; waveId: string; queryExecutionId: string; reservations: number };

/**
 * A wave's schedule fired: record the run, make the look-ahead reservations, and start the audience
 * query. A campaign created through the API launches a wave only while it is scheduled (not paused or
 * cancelled since its schedule was made), and marks it running. `waveId` in the outcome is the run's id.
 */
export async function launchScheduledWave(
  deps: LaunchScheduledDeps,
  payload: ScheduledLaunch,
): Promise<ScheduledLaunchOutcome> {
  const { campaignId, waveId } = payload;
  // One run of a recurring or triggered wave: `member-day@2027-01-15T10:00`.
  const runId =
    payload.scheduledTime && payload.timeZone
      ? occurrenceRunId(waveId, instantToLocal(new Date(payload.scheduledTime), payload.timeZone))
      : waveId;
  const { store } = deps;
  const stored = store ? await store.get(campaignId) : null;
  if (store && stored) {
    // A wave that runs more than once stays running between its runs.
    const launchable = runId === waveId ? ['scheduled'] : ['scheduled', 'running'];
    if (!launchable.includes(stored.waves[waveId] ?? ''))
      return { kind: 'not-scheduled', campaignId, waveId, state: stored.waves[waveId] };
    if (stored.waves[waveId] !== 'running')
      await store.put(waveProgress(stored, waveId, 'running'), stored.version);
  }
  const d = await deps.launching();
  const sw = await d.catalog.wave(campaignId, runId);
  const out = await launchWave(d, sw);
  if (out.kind === 'already-run') return { kind: 'already-run', campaignId, waveId: runId };
  const queryExecutionId = await d.audienceQuery.start(out.sql);
  return { kind: 'started', campaignId, waveId: runId, queryExecutionId, reservations: out.reservations };
}
