import type { CampaignReport, Lift } from '../shared/responses/campaign-report.ts';
import {
  count,
  interval,
  liftSummary,
  money,
  pct,
  ROI_EXPLAINED,
  times,
} from '../shared/responses/report-format.ts';
import { instantToLocal } from '../shared/time/zoned-time.ts';
import { formatTable } from './output.ts';

const group = (g: Lift['treated']) => `${pct(g.rate)} of ${count(g.customers)}`;

/**
 * The report in the terminal: what the campaign caused first (its incremental revenue and ROI against the
 * holdout, then per wave in order), then what attribution credits it with, then what the two mean.
 */
export function printReport(r: CampaignReport, timeZone: string): void {
  const cur = (x: number) => money(x, r.currency);
  console.log(
    `\n${r.name} (${r.campaignId})${r.simulated ? ' — SIMULATED responses (campaign run --simulate), not real results' : ''}`,
  );
  console.log(`What the campaign caused, all waves together: ${liftSummary(r.campaign, r.currency, 'en')}`);
  if (r.campaign?.readable)
    console.log(
      `  incremental conversions ${interval(r.campaign.incrementalConversions, count)}: treated ${group(r.campaign.treated)}, holdout ${group(r.campaign.holdout)}`,
    );
  console.log(
    formatTable(
      [
        'wave',
        'start',
        'treated conv.',
        'holdout conv.',
        'incremental conversions (95%)',
        'incremental revenue (95%)',
        'cost',
        'incremental ROI (95%)',
      ],
      r.waves
        .filter((w) => w.lift)
        .map((w) => {
          const l = w.lift as Lift;
          return [
            w.name ? `${w.name} (${w.waveId})` : w.waveId,
            w.start ? instantToLocal(new Date(w.start), timeZone).replace('T', ' ').slice(0, 16) : '-',
            group(l.treated),
            group(l.holdout),
            l.readable ? interval(l.incrementalConversions, count) : 'too small to read',
            l.readable ? interval(l.incrementalRevenue, cur) : '-',
            cur(l.cost),
            l.readable ? interval(l.incrementalRoi, times) : '-',
          ];
        }),
    ),
  );
  for (const w of r.waves) if (w.lift?.note) console.log(`  ${w.waveId}: ${w.lift.note}`);
  for (const d of r.rollouts)
    console.log(
      `  ${d.waveId}: rollout from ${d.pilotWaveId} (${d.metric}): ${d.outcome}, sends ${d.picked.join(', ')} — ${d.reason}`,
    );

  console.log(`\nAttributed (${r.model}: credit for orders after a touch, not proof of cause)`);
  console.log(
    formatTable(
      [
        'wave',
        'channel',
        'variant',
        'sent',
        'delivered',
        'opened',
        'clicked',
        'converted',
        'revenue',
        'cost',
        'ROI',
      ],
      r.funnel
        .filter((f) => f.sent > 0)
        .map((f) => [
          f.waveId,
          f.channel,
          f.variant,
          f.sent,
          f.delivered,
          f.opened,
          f.clicked,
          f.converted,
          cur(f.revenue),
          cur(f.cost),
          f.attributedRoi === null ? '-' : times(f.attributedRoi),
        ]),
    ),
  );
  console.log(
    `total: ${count(r.totals.sent)} sent, ${cur(r.totals.attributedRevenue)} attributed revenue, ${cur(r.totals.cost)} cost, attributed ROI ${r.totals.attributedRoi === null ? '-' : times(r.totals.attributedRoi)}`,
  );
  const words = ROI_EXPLAINED.en;
  console.log(`\n${words.incremental}\n${words.attributed}\n${words.intervals}`);
}
