import type { Timeline } from '../../clock.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import type { CampaignCatalog, ScheduledWave } from '../campaign-catalog.ts';
import { type DeadLetterReport, recordDeadLetters } from '../dead-letters.ts';
import { launchAndPlan, type PlanOutcome } from '../plan-wave.ts';
import type { QueueRecord } from '../queue/queue.ts';
import { pickedVariants } from '../rollout/rollout-decision.ts';
import { handleSendBatches } from '../send-batch.ts';
import { type LocalDelivery, statePaths } from './local-adapters.ts';
import { type RecoveryReport, recoverInterruptedWave } from './recover-sends.ts';

export interface LocalWaveResult {
  plan: PlanOutcome;
  handlerCalls: number;
  deadLetters: DeadLetterReport;
  /** What was made good of an earlier run of this wave that a crash cut short; null if there was none. */
  recovered: RecoveryReport | null;
}

/**
 * One wave on one machine, through the same use cases the Lambdas run: plan (launch), drain the
 * queue through the send handler — the simulated clock jumps ahead to deferred messages (quiet
 * hours, throttling backoff) — record dead letters as failed, flush the ledger, close the run.
 */
export interface LocalWaveDeps {
  warehouse: DuckDbWarehouse;
  catalog: CampaignCatalog;
  /** The local delivery's clock, simulated or real. */
  timeline: Timeline;
  dataDir: string;
  /** Told how many recipients each handler call settled (sent, suppressed or failed), and whether
   * planning is over, for a progress display. */
  onHandled?: (recipients: number, planned: boolean) => void;
}

export async function runWaveLocally(
  local: LocalDelivery,
  deps: LocalWaveDeps,
  sw: ScheduledWave,
): Promise<LocalWaveResult> {
  const { warehouse, catalog, timeline } = deps;
  await timeline.waitUntil(sw.start);
  // A run of this wave that never drained was cut short (the process died): first make the ledger and
  // the claims agree with what the outbox holds (recover-sends.ts).
  const earlier = await local.runs.get(sw.campaign.id, sw.wave.id);
  let recovered: RecoveryReport | null = null;
  if (earlier && earlier.state !== 'drained') {
    await warehouse.refreshViews(deps.dataDir);
    recovered = await recoverInterruptedWave(
      { ...local, warehouse, outboxDir: statePaths(deps.dataDir).outbox },
      sw,
      pickedVariants(earlier.rollout),
    );
  }
  const sendDeps = { ...local, catalog };
  let planned = false;
  const handler = async (records: QueueRecord[]) => {
    const result = await handleSendBatches(sendDeps, records);
    if (deps.onHandled) {
      const settled = result.outcomes.reduce((n, o) => n + o.sent + o.suppressed + o.failed, 0);
      deps.onHandled(settled, planned);
    }
    return result;
  };
  // Sending starts while planning still streams the audience (back-pressure), as on AWS.
  local.queue.consumeWhenFull(handler);
  let plan: PlanOutcome;
  try {
    plan = await launchAndPlan({ ...local, warehouse, dialect: 'duckdb', catalog }, sw);
  } finally {
    local.queue.consumeWhenFull(null);
    planned = true;
  }
  if (plan.kind === 'already-run')
    return { plan, handlerCalls: 0, deadLetters: { failed: 0, alreadyFinal: 0, unreadable: [] }, recovered };
  const handlerCalls = await local.queue.drain(handler, { advance: (to) => timeline.waitUntil(to) });
  const deadLetters = await recordDeadLetters(local, local.queue.deadLetters.splice(0));
  await local.ledger.flush();
  await warehouse.refreshViews(deps.dataDir);
  const run = { ...plan.run, state: 'drained' as const, drainedAt: timeline.clock.now().toISOString() };
  await local.runs.put(run);
  return { plan: { ...plan, run }, handlerCalls, deadLetters, recovered };
}
