import { waveSegment } from '../campaign/campaign-schema.ts';
import type { Channel } from '../campaign/contact-policy-schema.ts';
import type { Clock } from '../clock.ts';
import type { TableWriter } from '../lake/table-writer.ts';
import type { Row, Warehouse } from '../lake/warehouse.ts';
import { waveAudienceSql, waveRule } from '../segment/audience-sql.ts';
import type { Dialect } from '../segment/dialect.ts';
import { readsMessageHistory } from '../segment/rule-walk.ts';
import { sqlString, sqlStringList, sqlTimestamp } from '../lake/sql-literals.ts';
import { parseDuration } from '../time/duration.ts';
import type { CampaignCatalog, ScheduledWave } from './campaign-catalog.ts';
import { BudgetMeter } from './contact-policy/budget.ts';
import { reserveChange } from './contact-policy/claim.ts';
import type { ContactStore } from './contact-policy/contact-store.ts';
import { type Arm, type LedgerRow, type SuppressedReason, sendIdOf } from './ledger/ledger.ts';
import type { LedgerWriter } from './ledger/ledger-writer.ts';
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
import { type BatchRecipient, MAX_RECIPIENTS, type SendBatchMessage } from './send-batch-message.ts';
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
  | { kind: 'launched'; run: WaveRun; sql: string; reservations: number };

export type PlanOutcome =
  | { kind: 'already-run'; run: WaveRun }
  | { kind: 'planned'; run: WaveRun; queued: number; suppressed: number; reservations: number };

const LEDGER_CHUNK = 2_000;
/** Entries per SendMessageBatch request. */
const SQS_BATCH_ENTRIES = 10;
const CALL_LIST_ORDERS = 3;
const IN_LIST = 1_000;

/** The first line of every audience query: which wave run it is for (Athena keeps the query text). */
export function runMarker(campaignId: string, waveId: string): string {
  return `-- wave-run ${JSON.stringify({ campaignId, waveId })}`;
}

/** The wave run an audience query was started for, from its first line; null for any other query. */
export function parseRunMarker(sql: string): { campaignId: string; waveId: string } | null {
  const m = /^-- wave-run (\{.*\})\n/.exec(sql);
  if (!m?.[1]) return null;
  const v = JSON.parse(m[1]) as { campaignId?: unknown; waveId?: unknown };
  return typeof v.campaignId === 'string' && typeof v.waveId === 'string'
    ? { campaignId: v.campaignId, waveId: v.waveId }
    : null;
}

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
  const run: WaveRun = {
    campaignId: campaign.id,
    waveId: wave.id,
    state: 'planning',
    runAt: sw.start.toISOString(),
    audience: null,
    batches: 0,
    reservations: 0,
    error: null,
    startedAt: deps.clock.now().toISOString(),
    drainedAt: null,
    // A relaunch after a crash keeps the decision the first launch took (some of it may have been sent).
    ...(existing?.rollout ? { rollout: existing.rollout } : {}),
  };
  await deps.runs.put(run);
  run.reservations = await reserveAhead(deps, sw);
  if (wave.rollout && !run.rollout) run.rollout = await rolloutAtStart(deps, sw);
  await deps.runs.put(run);
  const sql = waveAudienceSql({
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
    sql: `${runMarker(campaign.id, wave.id)}\n${sql}`,
    reservations: run.reservations,
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
  const { campaign, wave } = sw;
  const run = { ...launched.run };
  const reservations = launched.reservations;
  const budget = await budgetMeter(deps, sw);
  const plannedAt = sw.start;
  const pending: Record<Channel, BatchRecipient[]> = { email: [], sms: [], 'call-list': [] };
  const callList: BatchRecipient[] = [];
  let rows: LedgerRow[] = [];
  let audience = 0;
  let queued = 0;
  let suppressed = 0;

  const leave = (row: Row, reason: SuppressedReason, arm: Arm | null = null) => {
    const customerId = String(row.customer_id);
    suppressed += 1;
    rows.push({
      sendId: sendIdOf(campaign.id, wave.id, customerId),
      campaignId: campaign.id,
      waveId: wave.id,
      customerId,
      segment: ledgerSegment(wave, row),
      category: wave.category,
      channel: (row.channel as Channel | null) ?? null,
      variant: null,
      status: 'suppressed',
      reason,
      smsSegments: null,
      cost: null,
      messageId: null,
      plannedAt,
      sentAt: null,
      arm,
    });
  };
  // Batch messages go to the queue ten at a time: one SendMessageBatch request for ten (SQS's limit).
  const outgoing: Record<Channel, string[]> = { email: [], sms: [], 'call-list': [] };
  const flushOutgoing = async (channel: Channel) => {
    const bodies = outgoing[channel].splice(0);
    if (bodies.length > 0) await deps.queues[channel].send(bodies);
  };
  const enqueue = async (channel: Channel, force = false) => {
    const list = pending[channel];
    while (list.length >= MAX_RECIPIENTS[channel] || (force && list.length > 0)) {
      const recipients = list.splice(0, MAX_RECIPIENTS[channel]);
      const message: SendBatchMessage = {
        v: 1,
        campaignId: campaign.id,
        waveId: wave.id,
        channel,
        segment: waveSegment(wave),
        category: wave.category,
        plannedAt: plannedAt.toISOString(),
        recipients,
      };
      outgoing[channel].push(JSON.stringify(message));
      if (outgoing[channel].length === SQS_BATCH_ENTRIES) await flushOutgoing(channel);
      run.batches += 1;
      queued += recipients.length;
    }
    if (force) await flushOutgoing(channel);
  };

  for await (const batch of audienceRows) {
    for (const row of batch) {
      audience += 1;
      const step = String(row.step);
      if (step === 'suppressed') leave(row, row.reason as SuppressedReason);
      else if (step === 'capped') leave(row, 'cap');
      else if (step === 'holdout') leave(row, 'holdout', 'holdout');
      else if (step === 'wave-holdout') leave(row, 'holdout', 'wave-holdout');
      else {
        const channel = row.channel as Channel;
        const customerId = String(row.customer_id);
        const variant = chooseVariant(campaign, wave, customerId, pickedVariants(run.rollout));
        const cost = estimatedCost(campaign, wave, channel, variant);
        if (!budget.admit(cost)) leave(row, 'budget', 'treatment');
        else {
          const recipient = toRecipient(row, variant);
          if (channel === 'call-list') callList.push(recipient);
          else {
            pending[channel].push(recipient);
            await enqueue(channel);
          }
        }
      }
      if (rows.length >= LEDGER_CHUNK) {
        await deps.ledger.append(rows);
        rows = [];
      }
    }
  }
  await deps.ledger.append(rows);
  await enqueue('email', true);
  await enqueue('sms', true);
  await withLastOrders(deps, callList, sw.start);
  pending['call-list'] = callList;
  await enqueue('call-list', true);

  Object.assign(run, { state: 'sending', audience });
  await deps.runs.put(run);
  return { kind: 'planned', run, queued, suppressed, reservations };
}

/**
 * The ledger's `segment` for an audience row: the customer's group in a grouped wave (a grouped pilot or
 * a rollout that picks groups: the rows carry `grp`), so segment_response reports per group; else the
 * wave's segment.
 */
function ledgerSegment(wave: ScheduledWave['wave'], row: Row): string {
  return row.grp === null || row.grp === undefined ? waveSegment(wave) : String(row.grp);
}

function toRecipient(row: Row, variant: string | null): BatchRecipient {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    ...(row.grp === null || row.grp === undefined ? {} : { segment: String(row.grp) }),
    customerId: String(row.customer_id),
    address: String(row.address),
    name: str(row.name),
    nickname: str(row.nickname),
    province: str(row.province),
    city: str(row.city),
    memberTier: str(row.member_tier),
    points: row.points === null || row.points === undefined ? null : Number(row.points),
    timeZone: str(row.time_zone),
    variant,
    tier: str(row.tier),
    attempt: 1,
  };
}

/**
 * What is left to spend: the wave's own limits, and the campaign's budget less what its sends have cost
 * so far (read from the ledger, one row per send).
 */
async function budgetMeter(deps: WavePlanDeps, { campaign, wave }: ScheduledWave): Promise<BudgetMeter> {
  let money = wave.limits?.budget ?? Number.POSITIVE_INFINITY;
  if (campaign.budget !== undefined) {
    const { rows } = await deps.warehouse.query(
      `SELECT coalesce(sum(cost), 0) AS spent FROM (SELECT DISTINCT send_id, cost FROM sends
  WHERE campaign_id = ${sqlString(campaign.id)} AND status = 'sent') s`,
    );
    money = Math.min(money, Math.max(0, campaign.budget - Number(rows[0]?.spent ?? 0)));
  }
  return new BudgetMeter(money, wave.limits?.maxRecipients);
}

/**
 * Look-ahead reservations: before a wave sends, the customers that higher-priority waves starting within
 * the longest cap window will target (their audience as the lake stands now) get a reservation for that
 * wave, so this wave's claims leave them room. Waves whose audience depends on message history are not
 * forecast. A reservation is consumed by its wave's send, ignored
 * after that wave's send-by deadline, and can be released (releaseChange) when a wave is cancelled.
 */
async function reserveAhead(deps: LaunchDeps, sw: ScheduledWave): Promise<number> {
  const window = Math.max(0, ...sw.policy.caps.map((c) => parseDuration(c.window)));
  if (window === 0) return 0;
  const ahead = (await deps.catalog.startingBetween(sw.start, new Date(sw.start.getTime() + window))).filter(
    (w) =>
      w.wave.priority > sw.wave.priority &&
      // An audience that depends on what earlier waves send (not reached by, clicked in) cannot be
      // forecast before they send: forecasting it as if nobody were reached would reserve nearly everyone.
      !readsMessageHistory(waveRule(w.campaign, w.wave), w.campaign.segments),
  );
  const now = deps.clock.now();
  let count = 0;
  for (const w of ahead) {
    const sql = waveAudienceSql({
      campaign: w.campaign,
      wave: w.wave,
      policy: w.policy,
      runAt: w.start,
      dialect: deps.dialect,
    });
    const eligible = `SELECT customer_id, channel FROM (${sql}) a WHERE step = 'eligible'`;
    for await (const batch of deps.warehouse.stream(eligible)) {
      await deps.contacts.apply(
        batch.map((row) =>
          reserveChange(
            String(row.customer_id),
            {
              wave: `${w.campaign.id}/${w.wave.id}`,
              at: w.start.getTime(),
              until: w.sendBy.getTime(),
              priority: w.wave.priority,
              channel: row.channel as Channel,
              category: w.wave.category,
            },
            now,
          ),
        ),
      );
      count += batch.length;
    }
  }
  return count;
}

/** The call list shows the customer's latest paid orders: one query per thousand customers. */
async function withLastOrders(deps: WavePlanDeps, list: BatchRecipient[], before: Date): Promise<void> {
  const byId = new Map(list.map((r) => [r.customerId, r]));
  for (let i = 0; i < list.length; i += IN_LIST) {
    const ids = list.slice(i, i + IN_LIST).map((r) => r.customerId);
    const { rows } = await deps.warehouse.query(`SELECT customer_id, order_id, paid_at, amount FROM (
  SELECT customer_id, order_id, paid_at, amount,
    row_number() OVER (PARTITION BY customer_id ORDER BY paid_at DESC, order_id) AS n
  FROM orders WHERE status = 'paid' AND paid_at < ${sqlTimestamp(before)} AND customer_id IN ${sqlStringList(ids)}
) o WHERE n <= ${CALL_LIST_ORDERS} ORDER BY customer_id, n`);
    for (const row of rows) {
      const r = byId.get(String(row.customer_id));
      if (!r) continue;
      r.lastOrders = [
        ...(r.lastOrders ?? []),
        { orderId: String(row.order_id), at: String(row.paid_at), amount: Number(row.amount) },
      ];
    }
  }
}
