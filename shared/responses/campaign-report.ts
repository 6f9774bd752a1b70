import { type Campaign, waveSegment } from '../campaign/campaign-schema.ts';
import { parseRunId } from '../campaign/wave-repeat.ts';
import { resolveWaveSchedule } from '../campaign/wave-schedule.ts';
import { col, rowDecoder } from '../lake/row-decoder.ts';
import { sql } from '../lake/sql.ts';
import { sqlString } from '../lake/sql-literals.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { localToInstant } from '../time/zoned-time.ts';
import { campaignFunnelSql, campaignRegionsSql } from './attribution-sql.ts';
import { CAMPAIGN_SCOPE, liftEstimatesSql, liftStatsSql, MIN_EXPECTED_CONVERSIONS } from './lift-sql.ts';
import { liftNote } from './report-format.ts';

/** Attributed (last- or first-touch) figures per wave × channel × variant: secondary to the lift. */
export interface FunnelRow {
  waveId: string;
  /** The wave's named segment, or `inline` for a wave with its own rule. */
  segment: string;
  channel: string;
  variant: string;
  audience: number;
  holdout: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  orders: number;
  revenue: number;
  cost: number;
  /** Attributed revenue ÷ cost; null when nothing was spent. */
  attributedRoi: number | null;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface Group {
  customers: number;
  converted: number;
  rate: number;
  revenuePerCustomer: number;
}

/**
 * Why a comparison is not read (or not wholly): its treated customers in strata too small to read; no
 * holdout; no conversions or only conversions; or the smaller group expects fewer than
 * MIN_EXPECTED_CONVERSIONS of the rarer outcome (conversions at a low rate, non-conversions at a high
 * one) — with the size each group would need.
 */
export type Unread =
  | { reason: 'partly-compared'; notCompared: number }
  | { reason: 'no-holdout' | 'no-conversions' | 'all-converted' }
  | {
      reason: 'too-small';
      group: 'holdout' | 'treated';
      customers: number;
      rate: number;
      expected: number;
      outcome: 'conversions' | 'non-conversions';
      needed: number;
    };

/** Treated against control for one scope: a wave, or the campaign as a whole. */
export interface Lift {
  treated: Group;
  /** The control group: the campaign's holdout, and for returning customers the wave's own holdout. */
  holdout: Group;
  /** Whether any part of the comparison had groups large enough to read (see `note` when not). */
  readable: boolean;
  /** Treated customers whose comparison was read; the rest were in groups too small. */
  comparedCustomers: number;
  /** Why there is no estimate, or what it leaves out; null when everything was compared. */
  unread: Unread | null;
  /** `unread` in words (English; report-format.ts `liftNote` words it in the campaign's locale). */
  note: string | null;
  /** Conversions and revenue caused beyond the control group's behaviour, with 95% intervals. */
  incrementalConversions: Interval | null;
  incrementalRevenue: Interval | null;
  /** Incremental revenue ÷ cost, with the revenue's interval; null without an estimate or a cost. */
  incrementalRoi: Interval | null;
  /** The smallest incremental conversions these groups could detect (5% significance, 80% power). */
  minimumDetectable: number | null;
  cost: number;
}

export interface WaveReport {
  waveId: string;
  name: string | null;
  /** Scheduled start, UTC ISO. */
  start: string | null;
  segment: string;
  lift: Lift | null;
  attributed: { orders: number; revenue: number; roi: number | null };
}

/** Attributed orders and revenue by province and day (the buyer's province, the order's UTC day). */
export interface RegionDay {
  province: string;
  day: string;
  orders: number;
  revenue: number;
}

/** A rollout wave's decision, as recorded (rollout-decision.ts). */
export interface RolloutSummary {
  waveId: string;
  pilotWaveId: string;
  /** UTC ISO. */
  decidedAt: string;
  metric: string;
  outcome: string;
  picked: string[];
  reason: string;
}

export interface CampaignReport {
  campaignId: string;
  name: string;
  currency: string;
  model: 'last-touch' | 'first-touch';
  /** True when any response or order behind these figures came from the simulated audience. */
  simulated: boolean;
  /** The campaign as a whole, every wave together: the headline. */
  campaign: Lift | null;
  /** Waves in order of their start. */
  waves: WaveReport[];
  funnel: FunnelRow[];
  /** What each rollout wave picked at its start, and why (the `rollout_decisions` table). */
  rollouts: RolloutSummary[];
  regions: RegionDay[];
  totals: { sent: number; cost: number; attributedRevenue: number; attributedRoi: number | null };
}

const cents = (x: number) => Math.round(x * 100) / 100;
const ratio = (x: number) => Math.round(x * 1000) / 1000;
const roiOf = (revenue: number, cost: number) => (cost > 0 ? ratio(revenue / cost) : null);

/**
 * The campaign's report. Headline: what the campaign caused — incremental conversions, revenue and ROI
 * against its holdout, for the campaign and per wave, with 95% intervals (lift-sql.ts). Secondary: what
 * attribution credits it with (every paid order to at most one send of any campaign; attribution-sql.ts)
 * per wave × channel × variant.
 */
export async function campaignReport(
  warehouse: Warehouse,
  campaigns: readonly Campaign[],
  campaign: Campaign,
): Promise<CampaignReport> {
  const funnel = (await warehouse.query(campaignFunnelSql(campaigns, campaign))).rows.map((r) =>
    funnelRow(campaign, funnelColumns(r)),
  );
  const estimates = (await warehouse.query(liftEstimatesSql(liftStatsSql(campaign)))).rows.map(liftColumns);
  const liftOf = (scope: string) => {
    const r = estimates.find((x) => x.scope === scope);
    return r ? lift(r) : null;
  };
  const { times } = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  // The waves that have run: in the ledger (a wave since removed from the file included).
  const ran = [...new Set([...funnel.map((f) => f.waveId), ...estimates.map((r) => r.scope)])];
  const waves: WaveReport[] = ran
    .filter((id) => id !== CAMPAIGN_SCOPE)
    .map((id) => {
      // A run of a recurring or triggered wave (member-day@2027-01-15T10:00) reports under its wave's
      // name and segment, at its own start.
      const run = parseRunId(id);
      const i = campaign.waves.findIndex((w) => w.id === (run?.waveId ?? id));
      const w = campaign.waves[i];
      const rows = funnel.filter((f) => f.waveId === id);
      const revenue = cents(rows.reduce((n, f) => n + f.revenue, 0));
      const cost = cents(rows.reduce((n, f) => n + f.cost, 0));
      return {
        waveId: id,
        name: w?.name ?? null,
        start: run
          ? localToInstant(run.local, campaign.timeZone).toISOString()
          : (times[i]?.start.toISOString() ?? null),
        segment: w ? waveSegment(w) : (rows[0]?.segment ?? 'inline'),
        lift: liftOf(id),
        attributed: { orders: rows.reduce((n, f) => n + f.orders, 0), revenue, roi: roiOf(revenue, cost) },
      };
    })
    .sort((a, b) => (a.start ?? '').localeCompare(b.start ?? '') || a.waveId.localeCompare(b.waveId));
  const regions: RegionDay[] = (await warehouse.query(campaignRegionsSql(campaigns, campaign))).rows
    .map(regionColumns)
    .map((r) => ({
      province: r.province ?? 'unknown',
      day: r.day,
      orders: r.orders,
      revenue: cents(r.revenue ?? 0),
    }));
  const { rows: sim } = await warehouse.query(
    sql`SELECT (SELECT count(*) FROM events WHERE campaign_id = ${sqlString(campaign.id)} AND source = 'simulation') +
       (SELECT count(*) FROM orders WHERE source = 'simulation') AS n`,
  );
  // A wave relaunched after a crash keeps its first decision: the earliest one per wave is the one sent.
  const { rows: decided } = await warehouse.query(
    sql`SELECT wave_id, pilot_wave_id, CAST(decided_at AS VARCHAR) AS decided_at, metric, outcome, picked, reason
FROM rollout_decisions WHERE campaign_id = ${sqlString(campaign.id)}
GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY decided_at, wave_id`,
  );
  const rollouts: RolloutSummary[] = [];
  for (const r of decided.map(decisionColumns))
    if (!rollouts.some((x) => x.waveId === r.wave_id))
      rollouts.push({
        waveId: r.wave_id,
        pilotWaveId: r.pilot_wave_id,
        decidedAt: new Date(`${r.decided_at.replace(' ', 'T')}Z`).toISOString(),
        metric: r.metric,
        outcome: r.outcome,
        picked: (r.picked ?? '').split(',').filter(Boolean),
        reason: r.reason,
      });
  const sent = funnel.reduce((n, f) => n + f.sent, 0);
  const attributedRevenue = cents(funnel.reduce((n, f) => n + f.revenue, 0));
  const cost = cents(funnel.reduce((n, f) => n + f.cost, 0));
  return {
    campaignId: campaign.id,
    name: campaign.name,
    currency: campaign.currency,
    model: campaign.attribution.model,
    simulated: sim[0] ? simulatedColumns(sim[0]).n > 0 : false,
    campaign: liftOf(CAMPAIGN_SCOPE),
    waves,
    funnel,
    rollouts,
    regions,
    totals: { sent, cost, attributedRevenue, attributedRoi: roiOf(attributedRevenue, cost) },
  };
}

const funnelColumns = rowDecoder('the campaign funnel (campaignFunnelSql)', {
  wave_id: col.text,
  channel: col.text,
  variant: col.text,
  audience: col.number,
  holdout: col.number,
  sent: col.number,
  delivered: col.number,
  opened: col.number,
  clicked: col.number,
  converted: col.number,
  orders: col.number,
  revenue: col.number,
  cost: col.number,
});

const liftColumns = rowDecoder('the lift estimates (liftEstimatesSql)', {
  scope: col.text,
  treated_customers: col.number,
  treated_converted: col.number,
  treated_revenue_per_customer: col.optionalNumber,
  control_customers: col.number,
  control_converted: col.number,
  control_revenue_per_customer: col.optionalNumber,
  compared_customers: col.number,
  readable: col.boolean,
  incremental_conversions: col.optionalNumber,
  incremental_conversions_low: col.optionalNumber,
  incremental_conversions_high: col.optionalNumber,
  incremental_revenue: col.optionalNumber,
  incremental_revenue_low: col.optionalNumber,
  incremental_revenue_high: col.optionalNumber,
  incremental_roi: col.optionalNumber,
  incremental_roi_low: col.optionalNumber,
  incremental_roi_high: col.optionalNumber,
  mde_conversions: col.optionalNumber,
  cost: col.number,
});

const regionColumns = rowDecoder('the attributed orders by region (campaignRegionsSql)', {
  province: col.optionalText,
  day: col.text,
  orders: col.number,
  revenue: col.optionalNumber,
});

const simulatedColumns = rowDecoder('the simulated responses and orders', { n: col.number });

const decisionColumns = rowDecoder('the rollout decisions', {
  wave_id: col.text,
  pilot_wave_id: col.text,
  decided_at: col.text,
  metric: col.text,
  outcome: col.text,
  picked: col.optionalText,
  reason: col.text,
});

function funnelRow(campaign: Campaign, r: ReturnType<typeof funnelColumns>): FunnelRow {
  const revenue = cents(r.revenue);
  const cost = cents(r.cost);
  const wave = campaign.waves.find((w) => w.id === r.wave_id);
  return {
    waveId: r.wave_id,
    segment: wave ? waveSegment(wave) : 'inline',
    channel: r.channel,
    variant: r.variant,
    audience: r.audience,
    holdout: r.holdout,
    sent: r.sent,
    delivered: r.delivered,
    opened: r.opened,
    clicked: r.clicked,
    converted: r.converted,
    orders: r.orders,
    revenue,
    cost,
    attributedRoi: roiOf(revenue, cost),
  };
}

type LiftColumns = ReturnType<typeof liftColumns>;
/** The figures with an interval: each has `…_low` and `…_high` columns. */
type IntervalName = 'incremental_conversions' | 'incremental_revenue' | 'incremental_roi';

/** One row of liftEstimatesSql as the report's figures. */
function lift(r: LiftColumns): Lift {
  const group = (prefix: 'treated' | 'control'): Group => {
    const customers = r[`${prefix}_customers`];
    const converted = r[`${prefix}_converted`];
    return {
      customers,
      converted,
      rate: customers ? converted / customers : 0,
      revenuePerCustomer: cents(r[`${prefix}_revenue_per_customer`] ?? 0),
    };
  };
  const interval = (name: IntervalName, round: (x: number) => number): Interval | null => {
    const estimate = r[name];
    return estimate === null
      ? null
      : { estimate: round(estimate), low: round(r[`${name}_low`] ?? 0), high: round(r[`${name}_high`] ?? 0) };
  };
  const treated = group('treated');
  const holdout = group('control');
  const readable = r.readable;
  const compared = r.compared_customers;
  const unread: Unread | null = readable
    ? compared < treated.customers
      ? { reason: 'partly-compared', notCompared: treated.customers - compared }
      : null
    : unreadable(treated, holdout);
  const l: Lift = {
    treated,
    holdout,
    readable,
    comparedCustomers: compared,
    unread,
    note: null,
    incrementalConversions: readable ? interval('incremental_conversions', cents) : null,
    incrementalRevenue: readable ? interval('incremental_revenue', cents) : null,
    incrementalRoi: readable ? interval('incremental_roi', ratio) : null,
    minimumDetectable: r.mde_conversions === null ? null : Math.round(r.mde_conversions),
    cost: cents(r.cost),
  };
  return { ...l, note: liftNote(l, 'en') };
}

/** Why a comparison is not read at all (see `Unread`). */
export function unreadable(treated: Group, holdout: Group): Unread {
  if (holdout.customers === 0) return { reason: 'no-holdout' };
  const pooled = (treated.converted + holdout.converted) / (treated.customers + holdout.customers);
  if (pooled === 0) return { reason: 'no-conversions' };
  if (pooled === 1) return { reason: 'all-converted' };
  const rare = Math.min(pooled, 1 - pooled);
  const [name, g] =
    holdout.customers <= treated.customers
      ? (['holdout', holdout] as const)
      : (['treated', treated] as const);
  return {
    reason: 'too-small',
    group: name,
    customers: g.customers,
    rate: pooled,
    expected: g.customers * rare,
    outcome: pooled <= 0.5 ? 'conversions' : 'non-conversions',
    needed: Math.ceil(MIN_EXPECTED_CONVERSIONS / rare),
  };
}
