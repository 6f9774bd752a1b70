import type { ManualClock } from '../../clock.ts';
import type { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import type { CampaignCatalog, ScheduledWave } from '../campaign-catalog.ts';
import { type DeadLetterReport, recordDeadLetters } from '../dead-letters.ts';
import { launchAndPlan, type PlanOutcome } from '../plan-wave.ts';
import type { QueueRecord } from '../queue/queue.ts';
import { handleSendBatches } from '../send-batch.ts';
import type { LocalDelivery } from './local-delivery.ts';

export interface LocalWaveResult {
  plan: PlanOutcome;
  handlerCalls: number;
  deadLetters: DeadLetterReport;
}

/**
 * One wave on one machine, through the same use cases the Lambdas run: plan (launch), drain the
 * queue through the send handler — the simulated clock jumps ahead to deferred messages (quiet
 * hours, throttling backoff) — record dead letters as failed, flush the ledger, close the run.
 */
export async function runWaveLocally(
  local: LocalDelivery,
  deps: { warehouse: DuckDbWarehouse; catalog: CampaignCatalog; clock: ManualClock; dataDir: string },
  sw: ScheduledWave,
): Promise<LocalWaveResult> {
  const { warehouse, catalog, clock } = deps;
  if (clock.now() < sw.start) clock.set(sw.start);
  const sendDeps = { ...local, catalog };
  const handler = (records: QueueRecord[]) => handleSendBatches(sendDeps, records);
  // Sending starts while planning still streams the audience (back-pressure), as on AWS.
  local.queue.consumeWhenFull(handler);
  let plan: PlanOutcome;
  try {
    plan = await launchAndPlan({ ...local, warehouse, dialect: 'duckdb', catalog }, sw);
  } finally {
    local.queue.consumeWhenFull(null);
  }
  if (plan.kind === 'already-run')
    return { plan, handlerCalls: 0, deadLetters: { failed: 0, alreadyFinal: 0, unreadable: [] } };
  const handlerCalls = await local.queue.drain(handler, { advance: (to) => clock.set(to) });
  const deadLetters = await recordDeadLetters(local, local.queue.deadLetters.splice(0));
  await local.ledger.flush();
  await warehouse.refreshViews(deps.dataDir);
  const run = { ...plan.run, state: 'drained' as const, drainedAt: clock.now().toISOString() };
  await local.runs.put(run);
  return { plan: { ...plan, run }, handlerCalls, deadLetters };
}
