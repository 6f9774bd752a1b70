import type { Channel } from '../campaign/contact-policy-schema.ts';
import type { Clock } from '../clock.ts';
import { type Sql, sql } from '../lake/sql.ts';
import type { TableWriter } from '../lake/table-writer.ts';
import type { Row, Warehouse } from '../lake/warehouse.ts';
import { waveAudienceSql } from '../segment/audience-sql.ts';
import type { Dialect } from '../segment/dialect.ts';
import type { CampaignCatalog, ScheduledWave } from './campaign-catalog.ts';
import type { BudgetMeter } from './contact-policy/budget.ts';
import type { ContactStore } from './contact-policy/contact-store.ts';
import type { Arm, SuppressedReason } from './ledger/ledger.ts';
import type { LedgerWriter } from './ledger/ledger-writer.ts';
import {
  type AudienceRow,
  audienceRow,
  eligibleContact,
  suppressedReason,
  toRecipient,
} from './plan/audience-row.ts';
import { withLastOrders } from './plan/call-list-orders.ts';
import { LeftOutLedger } from './plan/left-out-ledger.ts';
import { QueueBatcher } from './plan/queue-batcher.ts';
import { reserveAhead } from './plan/reserve-ahead.ts';
import { runMarker } from './plan/run-marker.ts';
import { waveBudget } from './plan/wave-budget.ts';
import type { QueueProducer } from './queue/queue.ts';
import { chooseVariant } from './render/choose-variant.ts';
import { estimatedCost } from './render/estimated-cost.ts';
import { decideAtStart } from './rollout/decide-at-start.ts';
import {
  decisionRecords,
  pickedGroups,
  pickedVariants,
  type RolloutDecision,
} from './rollout/rollout-decision.ts';
import type { BatchRecipient } from './send-batch-message.ts';
import type { WaveRun, WaveRunStore } from './wave-runs/wave-run-store.ts';

export interface PlanDeps {
  warehouse: Warehouse;
  dialect: Dialect;
  catalog: CampaignCatalog;
  contacts: ContactStore;
  runs: WaveRunStore;
  ledger: LedgerWriter;
  queues: Record<Channel, QueueProducer>;
  clock: Clock;
  /** Where rollout waves record their decisions (the `rollout_decisions` table). */
  decisions: TableWriter;
}

/**
 * What launching a wave uses: its run, the look-ahead reservations, the audience query's dialect, and
 * for a rollout wave the pilot's responses (warehouse) and the decisions table.
 */
export type LaunchDeps = Pick<
  PlanDeps,
  'warehouse' | 'dialect' | 'catalog' | 'contacts' | 'runs' | 'clock' | 'decisions'
>;

/** What planning a launched wave uses: the warehouse (spend so far, call-list orders), ledger, queues, run. */
export type WavePlanDeps = Pick<PlanDeps, 'warehouse' | 'runs' | 'ledger' | 'queues'>;

export type LaunchOutcome =
  | { kind: 'already-run'; run: WaveRun }
  | { kind: 'launched'; run: WaveRun; sql: Sql; reservations: number };

export type PlanOutcome =
  | { kind: 'already-run'; run: WaveRun }
  | { kind: 'planned'; run: WaveRun; queued: number; suppressed: number; reservations: number };

/** Whether the wave's audience must come ordered by value (a budget or a recipient limit applies). */
function budgetLimited({ campaign, wave }: ScheduledWave): boolean {
  return (
    campaign.budget !== undefined ||
    wave.limits?.budget !== undefined ||
    wave.limits?.maxRecipients !== undefined
  );
}

/**
 * Launch a wave: record its run, keep places for the higher-priority waves ahead (look-ahead
 * reservations) and write its audience query, to be run by the warehouse (locally at once; on AWS
 * Athena runs it and its state-change event starts the planning). A drained wave is not launched again.
 */
export async function launchWave(deps: LaunchDeps, sw: ScheduledWave): Promise<LaunchOutcome> {
  const { campaign, wave } = sw;
  const existing = await deps.runs.get(campaign.id, wave.id);
  if (existing?.state === 'drained') return { kind: 'already-run', run: existing };
  // A relaunch after a crash keeps the decision the first launch took (some of it may have been sent).
  const run = planningRun(sw, deps.clock.now(), existing?.rollout);
  await deps.runs.put(run);
  run.reservations = await reserveAhead(deps, sw);
  if (wave.rollout && !run.rollout) run.rollout = await rolloutAtStart(deps, sw);
  await deps.runs.put(run);
  const audience = waveAudienceSql({
    campaign,
    wave,
    policy: sw.policy,
    runAt: sw.start,
    dialect: deps.dialect,
    recipients: { byValue: budgetLimited(sw) },
    groups: pickedGroups(run.rollout),
  });
  return {
    kind: 'launched',
    run,
    sql: sql`${runMarker(campaign.id, wave.id)}\n${audience}`,
    reservations: run.reservations,
  };
}

/** A wave's run as its launch first records it: planning, nothing counted yet. */
export function planningRun(sw: ScheduledWave, startedAt: Date, rollout?: RolloutDecision): WaveRun {
  return {
    campaignId: sw.campaign.id,
    waveId: sw.wave.id,
    state: 'planning',
    runAt: sw.start.toISOString(),
    audience: null,
    batches: 0,
    reservations: 0,
    error: null,
    startedAt: startedAt.toISOString(),
    drainedAt: null,
    ...(rollout ? { rollout } : {}),
  };
}

/**
 * A rollout wave's decision at its start: the pilot's responses measured up to then, the rule applied
 * (decide-at-start.ts), the decision recorded in `rollout_decisions`.
 */
async function rolloutAtStart(
  deps: LaunchDeps,
  { campaign, wave, start }: ScheduledWave,
): Promise<RolloutDecision> {
  const decision = await decideAtStart(deps.warehouse, campaign, wave, start);
  await deps.decisions.append(decisionRecords(decision));
  await deps.decisions.flush();
  return decision;
}

/** Launch and plan in one go, the warehouse running the audience query in-process (one machine). */
export async function launchAndPlan(deps: PlanDeps, sw: ScheduledWave): Promise<PlanOutcome> {
  const launched = await launchWave(deps, sw);
  if (launched.kind === 'already-run') return launched;
  return planWave(deps, sw, launched, deps.warehouse.stream(launched.sql));
}

/** Where planning puts each audience row: the ledger, the queues, the call list, within the budget. */
interface Planning {
  sw: ScheduledWave;
  /** The variants a rollout wave's decision picked; undefined: every variant. */
  variants: readonly string[] | undefined;
  budget: BudgetMeter;
  leftOut: LeftOutLedger;
  queues: QueueBatcher;
  /** Held until the end: it shows each customer's last orders, read in one query per thousand. */
  callList: BatchRecipient[];
}

/**
 * Plan a launched wave from its audience rows: a ledger row for everyone who leaves before sending
 * (suppressed, capped, holdout, over budget), the rest queued in batches per channel. The rows are
 * streamed, never held; only the call list's few rows wait for their last orders.
 */
export async function planWave(
  deps: WavePlanDeps,
  sw: ScheduledWave,
  launched: { run: WaveRun; reservations: number },
  audienceRows: AsyncIterable<Row[]>,
): Promise<PlanOutcome> {
  const p: Planning = {
    sw,
    variants: pickedVariants(launched.run.rollout),
    budget: await waveBudget(deps.warehouse, sw),
    leftOut: new LeftOutLedger(deps.ledger, sw),
    queues: new QueueBatcher(deps.queues, sw),
    callList: [],
  };
  let audience = 0;
  for await (const batch of audienceRows)
    for (const row of batch) {
      audience += 1;
      await planRow(p, audienceRow(row));
    }
  await p.leftOut.finish();
  await p.queues.flush('email');
  await p.queues.flush('sms');
  await withLastOrders(deps.warehouse, p.callList, sw.start);
  for (const recipient of p.callList) await p.queues.add('call-list', recipient);
  await p.queues.flush('call-list');

  const batches = launched.run.batches + p.queues.batches;
  const run: WaveRun = { ...launched.run, state: 'sending', audience, batches };
  await deps.runs.put(run);
  const { queued } = p.queues;
  return { kind: 'planned', run, queued, suppressed: p.leftOut.count, reservations: launched.reservations };
}

/** One audience row: left out at its step or over budget (a ledger row), else queued or on the call list. */
async function planRow(p: Planning, row: AudienceRow): Promise<void> {
  const left = leftAtStep(row);
  if (left) return p.leftOut.add(row, left.reason, left.arm);
  const { campaign, wave } = p.sw;
  const { channel, address } = eligibleContact(row);
  const variant = chooseVariant(campaign, wave, row.customer_id, p.variants);
  if (!p.budget.admit(estimatedCost(campaign, wave, channel, variant)))
    return p.leftOut.add(row, 'budget', 'treatment');
  const recipient = toRecipient(row, address, variant);
  if (channel === 'call-list') p.callList.push(recipient);
  else await p.queues.add(channel, recipient);
}

/** Why a row leaves at its step of the audience query, and its arm; null for an eligible row. */
function leftAtStep(row: AudienceRow): { reason: SuppressedReason; arm: Arm | null } | null {
  switch (row.step) {
    case 'suppressed':
      return { reason: suppressedReason(row), arm: null };
    case 'capped':
      return { reason: 'cap', arm: null };
    case 'holdout':
      return { reason: 'holdout', arm: 'holdout' };
    case 'wave-holdout':
      return { reason: 'holdout', arm: 'wave-holdout' };
    case 'eligible':
      return null;
  }
}
