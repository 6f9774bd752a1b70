import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Campaign } from '../../campaign/campaign-schema.ts';
import { loadConfigFile } from '../../campaign/config-file.ts';
import { systemClock } from '../../clock.ts';
import { resolveDataDir } from '../../lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { type CampaignReport, campaignReport } from '../../responses/campaign-report.ts';
import { renderHtmlReport } from '../../responses/html-report.ts';
import { writeAttributionTable } from '../../responses/local/attribution-table.ts';
import { formatTable, printJson } from '../output.ts';
import { siblingCampaigns } from '../shop-policy.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'per wave × channel × variant: funnel, attributed revenue, cost, ROI; per wave: lift against the holdout',
    )
    .argument('<file>', 'campaign YAML or JSON')
    .option('--data-dir <dir>', 'local data folder (default: $CAMPAIGN_DATA_DIR or ./.campaign)')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write a self-contained HTML report with charts (works offline)')
    .action(async (file: string, opts: { dataDir?: string; json?: boolean; html?: string }) => {
      const campaign = await loadConfigFile(Campaign, file);
      // Orders are attributed across every campaign, so each is counted once.
      const { campaigns: others } = await siblingCampaigns(file);
      const dataDir = resolveDataDir(opts.dataDir);
      const warehouse = await DuckDbWarehouse.open(dataDir);
      try {
        const all = [campaign, ...others];
        await writeAttributionTable(warehouse, dataDir, all, campaign.attribution.model, systemClock);
        const report = await campaignReport(warehouse, all, campaign);
        if (opts.json) printJson(report);
        else printReport(report, campaign.currency);
        if (opts.html) {
          writeFileSync(opts.html, renderHtmlReport(report, campaign.currency));
          (opts.json ? process.stderr : process.stdout).write(`HTML report: ${resolve(opts.html)}\n`);
        }
      } finally {
        await warehouse.close();
      }
    });
}

const money = (x: number, currency: string) =>
  `${currency === 'CNY' ? '¥' : `${currency} `}${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function printReport(r: CampaignReport, currency: string): void {
  console.log(
    `\n${r.campaignId}: ${r.model} attribution${r.simulated ? ' — SIMULATED responses (campaign run --simulate), not real results' : ''}`,
  );
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
          money(f.revenue, currency),
          money(f.cost, currency),
          f.roi === null ? '-' : `${f.roi.toFixed(1)}×`,
        ]),
    ),
  );
  console.log(
    `total: ${r.totals.sent} sent, ${money(r.totals.revenue, currency)} attributed revenue, ${money(r.totals.cost, currency)} cost, ROI ${r.totals.roi === null ? '-' : `${r.totals.roi.toFixed(1)}×`}`,
  );
  console.log(
    formatTable(
      [
        'wave',
        'treated conv.',
        'holdout conv.',
        'incremental conversions (95%)',
        'incremental revenue (95%)',
      ],
      r.lift.map((l) => [
        l.waveId,
        `${pct(l.treated.rate)} of ${l.treated.customers}`,
        `${pct(l.holdout.rate)} of ${l.holdout.customers}`,
        l.incrementalConversions
          ? `${l.incrementalConversions.estimate.toFixed(0)} [${l.incrementalConversions.low.toFixed(0)}, ${l.incrementalConversions.high.toFixed(0)}]`
          : 'holdout too small',
        l.incrementalRevenue
          ? `${money(l.incrementalRevenue.estimate, currency)} [${money(l.incrementalRevenue.low, currency)}, ${money(l.incrementalRevenue.high, currency)}]`
          : '-',
      ]),
    ),
  );
}
