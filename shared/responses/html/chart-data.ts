import type { CampaignReport, Interval } from '../campaign-report.ts';
import { currencySign } from '../report-format.ts';
import type { PageLabels } from './page-labels.ts';

/** Pixels a horizontal bar chart needs for `rows` categories (the charts are as wide as the page). */
export const chartHeight = (rows: number) => 90 + 46 * Math.max(rows, 1);

/** The shown name of a wave: its name from the campaign file, else its id. */
export const waveLabel = (w: { waveId: string; name: string | null }) => w.name ?? w.waveId;

interface Series {
  name: string;
  data: number[];
}

/** Everything the page's drawing script needs, computed here so that the script only draws. */
export interface ChartData {
  sign: string;
  labels: { incrementalConversions: string; incrementalRoi: string; interval: string; notReadable: string };
  /** Waves with a comparison, in order of their start. */
  lift: { name: string; readable: boolean; conversions: Interval | null; roi: Interval | null }[];
  funnel: { names: string[]; series: Series[] };
  regions: { days: string[]; series: Series[] };
}

const TOP_PROVINCES = 6;

export function chartData(report: CampaignReport, labels: PageLabels): ChartData {
  const lift = report.waves.flatMap((w) =>
    w.lift
      ? [
          {
            name: waveLabel(w),
            readable: w.lift.readable,
            conversions: w.lift.incrementalConversions,
            roi: w.lift.incrementalRoi,
          },
        ]
      : [],
  );
  const sent = report.waves.filter((w) => report.funnel.some((f) => f.waveId === w.waveId && f.sent > 0));
  const sum = (waveId: string, k: 'sent' | 'delivered' | 'clicked' | 'converted') =>
    report.funnel.filter((f) => f.waveId === waveId).reduce((n, f) => n + f[k], 0);
  const funnelKeys = ['sent', 'delivered', 'clicked', 'converted'] as const;
  const byProvince = new Map<string, number>();
  for (const r of report.regions) byProvince.set(r.province, (byProvince.get(r.province) ?? 0) + r.revenue);
  const top = [...byProvince]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP_PROVINCES)
    .map(([p]) => p);
  const days = [...new Set(report.regions.map((r) => r.day))].sort();
  return {
    sign: currencySign(report.currency),
    labels: {
      incrementalConversions: labels.incrementalConversions,
      incrementalRoi: labels.incrementalRoi,
      interval: labels.interval,
      notReadable: labels.notReadable,
    },
    lift,
    funnel: {
      names: sent.map(waveLabel),
      series: funnelKeys.map((k) => ({
        name: labels.funnelSeries[k],
        data: sent.map((w) => sum(w.waveId, k)),
      })),
    },
    regions: {
      days,
      series: top.map((p) => ({
        name: p,
        data: days.map((d) => report.regions.find((r) => r.province === p && r.day === d)?.revenue ?? 0),
      })),
    },
  };
}
