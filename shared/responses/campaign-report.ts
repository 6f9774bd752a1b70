import { type Campaign, waveSegment } from '../campaign/campaign-schema.ts';
import type { Warehouse } from '../lake/warehouse.ts';
import { sqlString } from '../segment/sql-literals.ts';
import { campaignFunnelSql, campaignLiftSql, campaignRegionsSql } from './attribution-sql.ts';

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
  /** (revenue − cost) / cost; null when nothing was spent. */
  roi: number | null;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface WaveLift {
  waveId: string;
  treated: { customers: number; converted: number; rate: number; revenuePerCustomer: number };
  holdout: { customers: number; converted: number; rate: number; revenuePerCustomer: number };
  /** Conversions and revenue the wave caused beyond the holdout's behaviour, with 95% intervals. */
  incrementalConversions: Interval | null;
  incrementalRevenue: Interval | null;
}

/** Attributed orders and revenue by province and day (the buyer's province, the order's UTC day). */
export interface RegionDay {
  province: string;
  day: string;
  orders: number;
  revenue: number;
}

export interface CampaignReport {
  campaignId: string;
  model: 'last-touch' | 'first-touch';
  /** True when any response or order behind these figures came from the simulated audience. */
  simulated: boolean;
  funnel: FunnelRow[];
  lift: WaveLift[];
  regions: RegionDay[];
  totals: { sent: number; revenue: number; cost: number; roi: number | null };
}

const Z95 = 1.959964;
const num = (v: unknown) => Number(v ?? 0);
const cents = (x: number) => Math.round(x * 100) / 100;
const roiOf = (revenue: number, cost: number) =>
  cost > 0 ? Math.round(((revenue - cost) / cost) * 1000) / 1000 : null;

/**
 * The campaign's report: attribution (every order to at most one send of any campaign) per wave ×
 * channel × variant, and per wave the treated-against-holdout lift with 95% intervals (normal
 * approximation: difference of proportions for conversions, difference of means for revenue).
 */
export async function campaignReport(
  warehouse: Warehouse,
  campaigns: readonly Campaign[],
  campaign: Campaign,
): Promise<CampaignReport> {
  const funnelRows = (await warehouse.query(campaignFunnelSql(campaigns, campaign))).rows;
  const funnel: FunnelRow[] = funnelRows.map((r) => {
    const revenue = cents(num(r.revenue));
    const cost = cents(num(r.cost));
    const wave = campaign.waves.find((w) => w.id === String(r.wave_id));
    return {
      waveId: String(r.wave_id),
      segment: wave ? waveSegment(wave) : 'inline',
      channel: String(r.channel),
      variant: String(r.variant),
      audience: num(r.audience),
      holdout: num(r.holdout),
      sent: num(r.sent),
      delivered: num(r.delivered),
      opened: num(r.opened),
      clicked: num(r.clicked),
      converted: num(r.converted),
      orders: num(r.orders),
      revenue,
      cost,
      roi: roiOf(revenue, cost),
    };
  });
  const liftRows = (await warehouse.query(campaignLiftSql(campaign))).rows;
  const lift: WaveLift[] = [...new Set(liftRows.map((r) => String(r.wave_id)))].map((waveId) => {
    const group = (treated: boolean) => {
      const r = liftRows.find((x) => String(x.wave_id) === waveId && Boolean(x.treated) === treated);
      const customers = num(r?.customers);
      const converted = num(r?.converted);
      return {
        customers,
        converted,
        rate: customers ? converted / customers : 0,
        revenuePerCustomer: num(r?.revenue_mean),
        variance: num(r?.revenue_var),
      };
    };
    const t = group(true);
    const h = group(false);
    const both = t.customers > 1 && h.customers > 1;
    const seRate = Math.sqrt((t.rate * (1 - t.rate)) / t.customers + (h.rate * (1 - h.rate)) / h.customers);
    const seRevenue = Math.sqrt(t.variance / t.customers + h.variance / h.customers);
    const interval = (diff: number, se: number): Interval => ({
      estimate: cents(diff * t.customers),
      low: cents((diff - Z95 * se) * t.customers),
      high: cents((diff + Z95 * se) * t.customers),
    });
    const strip = ({ variance: _, ...g }: typeof t) => g;
    return {
      waveId,
      treated: strip(t),
      holdout: strip(h),
      incrementalConversions: both ? interval(t.rate - h.rate, seRate) : null,
      incrementalRevenue: both ? interval(t.revenuePerCustomer - h.revenuePerCustomer, seRevenue) : null,
    };
  });
  const regions: RegionDay[] = (await warehouse.query(campaignRegionsSql(campaigns, campaign))).rows.map(
    (r) => ({
      province: String(r.province ?? 'unknown'),
      day: String(r.day),
      orders: num(r.orders),
      revenue: cents(num(r.revenue)),
    }),
  );
  const { rows: sim } = await warehouse.query(
    `SELECT (SELECT count(*) FROM events WHERE campaign_id = ${sqlString(campaign.id)} AND source = 'simulation') +
       (SELECT count(*) FROM orders WHERE source = 'simulation') AS n`,
  );
  const sent = funnel.reduce((n, f) => n + f.sent, 0);
  const revenue = cents(funnel.reduce((n, f) => n + f.revenue, 0));
  const cost = cents(funnel.reduce((n, f) => n + f.cost, 0));
  return {
    campaignId: campaign.id,
    model: campaign.attribution.model,
    simulated: num(sim[0]?.n) > 0,
    funnel,
    lift,
    regions,
    totals: { sent, revenue, cost, roi: roiOf(revenue, cost) },
  };
}
