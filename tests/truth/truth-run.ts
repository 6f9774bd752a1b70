import { createHash } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../../cli/run-campaign.ts';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { resolveWaveSchedule } from '../../shared/campaign/wave-schedule.ts';
import { ManualClock } from '../../shared/clock.ts';
import { DEFAULT_SEND_WINDOW_MS } from '../../shared/delivery/campaign-catalog.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { StagedParquetWriter } from '../../shared/lake/local/staged-parquet-writer.ts';
import { col, rowDecoder } from '../../shared/lake/row-decoder.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { tableTimestamp } from '../../shared/lake/table-writer.ts';
import { ORDERS } from '../../shared/lake/tables.ts';
import { liftWindowSeconds } from '../../shared/responses/attribution-sql.ts';
import { liftEstimatesSql, MIN_EXPECTED_CONVERSIONS } from '../../shared/responses/lift-sql.ts';
import { LocalResponseTables } from '../../shared/responses/local/response-tables.ts';
import { DEFAULT_RESPONSE_MODEL } from '../../shared/responses/simulate-responses.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';
import { type Assignment, liftTruth, type PaidOrder, type StratumCount } from './lift-truth.ts';

/**
 * The truth harness of docs/responses.md: the example Double-11 (notReachedBy, priority reservations,
 * caps, the unpaid reminder, the click follow-up) on a generated shop whose history runs past the waves,
 * with a simulated audience that responds but is not moved by the messages (true lift 1: an A/A test),
 * then the same run with a known effect planted — one extra paid order for a random share of the
 * customers each wave sent to. The truth is counted from the planted orders by lift-truth.ts, not by the
 * estimator; the estimates are read from the `lift` table as an analyst would.
 */

export interface ScopeResult {
  scope: string;
  readable: boolean;
  estimate: number | null;
  low: number | null;
  high: number | null;
  /** Incremental conversions the plantings caused (0 in the A/A run). */
  truth: number;
  covered: boolean | null;
}

export interface TruthRun {
  seed: number;
  campaignId: string;
  aa: ScopeResult[];
  planted: ScopeResult[];
  plantedOrders: number;
  /** Per scope, stratum and group, where the oracle's count differs from the lift table's. */
  mismatches: string[];
  attribution: {
    orders: number;
    attributedTwice: number;
    overAttributed: number;
    revenue: number;
    orderRevenue: number;
  };
}

export const TRUTH_AS_OF = '2026-11-30';

/** A shop whose history runs to TRUTH_AS_OF, past every wave of the example Double-11. */
export async function truthShop(customers: number, seed: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'truth-shop-'));
  await generateShop({ dataDir: dir, customers, orders: customers * 10, seed, asOf: TRUTH_AS_OF });
  return dir;
}

const unit = (key: string) => createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;

/**
 * One seed: the campaign's id carries the seed, so its holdout and wave holdouts are drawn afresh (the
 * assignment hash is salted with the campaign id); the simulation's draws take the seed too.
 */
export async function truthRun(shopDir: string, seed: number, plantShare = 0.3): Promise<TruthRun> {
  const base = await loadDouble11();
  const campaign: Campaign = { ...base, id: `${base.id}-truth-${seed}` };
  const dataDir = await mkdtemp(join(tmpdir(), 'truth-run-'));
  try {
    await cp(join(shopDir, 'lake'), join(dataDir, 'lake'), { recursive: true });
    await runCampaign(campaign, await loadShopPolicy(), {
      dataDir,
      log: () => {},
      simulate: { ...DEFAULT_RESPONSE_MODEL, seed, trueLift: 1 },
    });
    const wh = await DuckDbWarehouse.open(dataDir);
    try {
      const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));
      await new LocalResponseTables(wh, dataDir, clock).rewrite([campaign], 'last-touch');
      const assignments = await readAssignments(wh, campaign.id);
      const windows = waveWindows(campaign);
      const organic = await readPaidOrders(wh);
      const aaTruth = liftTruth(assignments, windows, organic, MIN_EXPECTED_CONVERSIONS);
      const mismatches = await compareCounts(wh, campaign.id, aaTruth.counts);
      const aa = score(await readEstimates(wh, campaign.id), aaTruth.truth);

      const planted = plantedOrders(assignments, seed, plantShare);
      const writer = new StagedParquetWriter(dataDir, ORDERS);
      await writer.append(
        planted.map((o) => ({
          order_id: o.orderId,
          customer_id: o.customerId,
          created_at: tableTimestamp(new Date(o.createdAt)),
          paid_at: tableTimestamp(new Date(o.paidAt)),
          status: 'paid',
          amount: o.amount,
          discount: 0,
          channel: 'organic',
          source: 'planted',
          dt: new Date(o.createdAt).toISOString().slice(0, 7),
        })),
      );
      await writer.flush();
      await wh.refreshViews(dataDir);
      await new LocalResponseTables(wh, dataDir, clock).rewrite([campaign], 'last-touch');
      const plantedTruth = liftTruth(
        assignments,
        windows,
        [...organic, ...planted],
        MIN_EXPECTED_CONVERSIONS,
      );
      const plantedResult = score(await readEstimates(wh, campaign.id), plantedTruth.truth);
      return {
        seed,
        campaignId: campaign.id,
        aa,
        planted: plantedResult,
        plantedOrders: planted.length,
        mismatches,
        attribution: await attributionChecks(wh),
      };
    } finally {
      await wh.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One extra paid order, 1 to 21 hours after the message, for a random share of each wave's recipients. */
function plantedOrders(assignments: Assignment[], seed: number, share: number): PaidOrder[] {
  return assignments
    .filter((a) => a.sentAt !== null && unit(`${seed}:plant:${a.waveId}:${a.customerId}`) < share)
    .map((a) => {
      const key = `${seed}:${a.waveId}:${a.customerId}`;
      const createdAt = (a.sentAt ?? 0) + (1 + 20 * unit(`${key}:time`)) * 3_600_000;
      return {
        orderId: `planted-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`,
        customerId: a.customerId,
        createdAt,
        paidAt: createdAt + 5 * 60_000,
        amount: Math.round((80 + 320 * unit(`${key}:amount`)) * 100) / 100,
        planted: true,
      };
    });
}

const ms = (column: Sql) => sql`CAST(epoch_ms(${column}) AS DOUBLE)`;

const assignmentColumns = rowDecoder('the ledger’s assignments', {
  wave_id: col.text,
  customer_id: col.text,
  arm: col.oneOf(['treatment', 'holdout', 'wave-holdout']),
  planned: col.number,
  sent: col.optionalNumber,
});

async function readAssignments(wh: DuckDbWarehouse, campaignId: string): Promise<Assignment[]> {
  // The ledger as written: one row per wave and customer (no wave here is retried).
  const { rows } = await wh.query(
    sql`SELECT wave_id, customer_id, arm, ${ms(sql`planned_at`)} AS planned, CASE WHEN status = 'sent' THEN ${ms(sql`sent_at`)} END AS sent
     FROM sends WHERE campaign_id = ${sqlString(campaignId)} AND arm IS NOT NULL`,
  );
  return rows.map(assignmentColumns).map((r) => ({
    waveId: r.wave_id,
    customerId: r.customer_id,
    arm: r.arm,
    plannedAt: r.planned,
    sentAt: r.sent,
  }));
}

/**
 * How long after its planning each wave's comparison runs: to its send-by deadline plus the campaign's
 * longest attribution window — the definition docs/responses.md gives, taken from the campaign file.
 */
function waveWindows(campaign: Campaign): Map<string, number> {
  const { times } = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  const lift = liftWindowSeconds(campaign) * 1000;
  return new Map(
    campaign.waves.flatMap((w, i) => {
      const t = times[i];
      if (!t) return [];
      const sendBy = t.sendBy?.getTime() ?? t.start.getTime() + DEFAULT_SEND_WINDOW_MS;
      return [[w.id, sendBy - t.start.getTime() + lift] as const];
    }),
  );
}

async function readPaidOrders(wh: DuckDbWarehouse): Promise<PaidOrder[]> {
  const { rows } = await wh.query(
    sql`SELECT order_id, customer_id, ${ms(sql`created_at`)} AS created, ${ms(sql`paid_at`)} AS paid, CAST(amount AS DOUBLE) AS amount
     FROM orders WHERE status = 'paid' AND paid_at >= TIMESTAMP '2026-10-01' AND created_at < TIMESTAMP '2026-12-01'`,
  );
  return rows.map((r) => ({
    orderId: String(r.order_id),
    customerId: String(r.customer_id),
    createdAt: Number(r.created),
    paidAt: Number(r.paid),
    amount: Number(r.amount),
    planted: false,
  }));
}

async function readEstimates(wh: DuckDbWarehouse, campaignId: string) {
  const { rows } = await wh.query(
    liftEstimatesSql(sql`SELECT * FROM lift WHERE campaign_id = ${sqlString(campaignId)}`),
  );
  return rows;
}

function score(estimates: Record<string, unknown>[], truth: Map<string, number>): ScopeResult[] {
  return [...truth.entries()].map(([scope, t]) => {
    const r = estimates.find((e) => e.scope === scope);
    const readable = r?.readable === true;
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const low = readable ? num(r?.incremental_conversions_low) : null;
    const high = readable ? num(r?.incremental_conversions_high) : null;
    return {
      scope,
      readable,
      estimate: readable ? num(r?.incremental_conversions) : null,
      low,
      high,
      truth: t,
      covered: low === null || high === null ? null : low <= t && t <= high,
    };
  });
}

/** The oracle's customers and conversions per scope, stratum and group against the lift table's. */
async function compareCounts(wh: DuckDbWarehouse, campaignId: string, counts: StratumCount[]) {
  const { rows } = await wh.query(
    sql`SELECT scope, stratum, grp, customers, converted FROM lift WHERE campaign_id = ${sqlString(campaignId)}`,
  );
  const table = new Map(
    rows.map((r) => [`${r.scope}/${r.stratum}/${r.grp}`, `${r.customers}/${r.converted}`]),
  );
  const oracle = new Map(
    counts.map((c) => [`${c.scope}/${c.stratum}/${c.grp}`, `${c.customers}/${c.converted}`]),
  );
  return [...new Set([...table.keys(), ...oracle.keys()])]
    .filter((k) => table.get(k) !== oracle.get(k))
    .map((k) => `${k}: lift table ${table.get(k) ?? '-'}, oracle ${oracle.get(k) ?? '-'}`);
}

/** Every order attributed at most once, never for more than it was worth. */
async function attributionChecks(wh: DuckDbWarehouse) {
  const { rows } = await wh.query(sql`SELECT
    (SELECT count(*) FROM attribution) AS orders,
    (SELECT count(*) FROM (SELECT order_id FROM attribution GROUP BY 1 HAVING count(*) > 1)) AS twice,
    (SELECT count(*) FROM attribution a JOIN orders o USING (order_id) WHERE a.amount > o.amount OR o.status <> 'paid') AS over,
    (SELECT CAST(coalesce(sum(amount), 0) AS DOUBLE) FROM attribution) AS revenue,
    (SELECT CAST(coalesce(sum(amount), 0) AS DOUBLE) FROM orders WHERE order_id IN (SELECT order_id FROM attribution)) AS order_revenue`);
  const r = rows[0] ?? {};
  return {
    orders: Number(r.orders),
    attributedTwice: Number(r.twice),
    overAttributed: Number(r.over),
    revenue: Number(r.revenue),
    orderRevenue: Number(r.order_revenue),
  };
}
