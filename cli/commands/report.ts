import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from '../../local/data-dir.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { siblingCampaigns } from '../../shared/campaign/shop-policy.ts';
import { systemClock } from '../../shared/clock.ts';
import { lockDataFolder, tookOverLine } from '../../shared/data-folder-lock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { campaignReport } from '../../shared/responses/campaign-report.ts';
import { renderHtmlReport } from '../../shared/responses/html-report.ts';
import { LocalResponseTables } from '../../shared/responses/local/response-tables.ts';
import { printJson } from '../output.ts';
import { printProductLinks, productLinkRows } from '../print-product-links.ts';
import { printReport } from '../print-report.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'what the campaign caused (incremental revenue and ROI against its holdout, per wave and in all), then attributed revenue per wave × channel × variant',
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
      // The report writes the attribution tables into the lake.
      const lock = lockDataFolder(dataDir, `campaign report ${campaign.id}`);
      if (lock.tookOverFrom) process.stderr.write(`${tookOverLine(lock.tookOverFrom)}\n`);
      const warehouse = await DuckDbWarehouse.open(dataDir);
      try {
        const all = [campaign, ...others];
        await new LocalResponseTables(warehouse, dataDir, systemClock).rewrite(
          all,
          campaign.attribution.model,
        );
        const report = await campaignReport(warehouse, all, campaign);
        if (opts.json) printJson(report);
        else {
          printReport(report, campaign.timeZone);
          printProductLinks(await productLinkRows(warehouse, campaign), campaign);
        }
        if (opts.html) {
          writeFileSync(opts.html, renderHtmlReport(report, campaign));
          (opts.json ? process.stderr : process.stdout).write(`HTML report: ${resolve(opts.html)}\n`);
        }
      } finally {
        await warehouse.close();
        lock.release();
      }
    });
}
