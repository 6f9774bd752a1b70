/**
 * `npm start`: the main job on one machine. It makes sure the sample shop exists, validates the
 * Double-11 campaign, prints the shop's profile, runs the five waves through the local delivery with
 * simulated responses after each (a live step line while they run), prints each wave's reconciliation,
 * attributes, prints the report and writes it as HTML.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveDataDir } from '../local/data-dir.ts';
import type { Campaign } from '../shared/campaign/campaign-schema.ts';
import type { ContactPolicy } from '../shared/campaign/contact-policy-schema.ts';
import { loadCampaignWithPolicy, siblingCampaigns } from '../shared/campaign/shop-policy.ts';
import { resolveWaveSchedule } from '../shared/campaign/wave-schedule.ts';
import { systemClock } from '../shared/clock.ts';
import { lockDataFolder, tookOverLine } from '../shared/data-folder-lock.ts';
import { statePaths } from '../shared/delivery/local/local-adapters.ts';
import { ConfigError, formatProblem } from '../shared/errors.ts';
import { lakeRoot } from '../shared/lake/lake-paths.ts';
import { DuckDbWarehouse } from '../shared/lake/local/duckdb-warehouse.ts';
import { baseMemberTier, repurchaseBenchmark } from '../shared/lake/shop-analyses.ts';
import { campaignReport } from '../shared/responses/campaign-report.ts';
import { renderHtmlReport } from '../shared/responses/html-report.ts';
import { LocalResponseTables } from '../shared/responses/local/response-tables.ts';
import { DEFAULT_RESPONSE_MODEL } from '../shared/responses/simulate-responses.ts';
import { analysesSummary } from '../shared/shop/analyses-summary.ts';
import { generateShop } from '../shared/shop/local/generate/generate-shop.ts';
import { shopProfile } from '../shared/shop/shop-profile.ts';
import { instantToLocal } from '../shared/time/zoned-time.ts';
import { printStatus } from './commands/status.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { printProductLinks, productLinkRows } from './print-product-links.ts';
import { printProfile } from './print-profile.ts';
import { printReport } from './print-report.ts';
import { stepReporter } from './progress.ts';
import { runCampaign } from './run-campaign.ts';

const CAMPAIGN_FILE = 'campaigns/double-11.yaml';
const SAMPLE_CUSTOMERS = 100_000;
/** The sample shop's history ends five days before the campaign's first wave. */
const HISTORY_ENDS_BEFORE_FIRST_WAVE_DAYS = 5;

async function start(): Promise<number> {
  let campaign: Campaign;
  let policy: ContactPolicy;
  try {
    ({ campaign, policy } = await loadCampaignWithPolicy(CAMPAIGN_FILE));
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) console.error(formatProblem(p));
      return EXIT.userError;
    }
    throw e;
  }
  const schedule = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  console.log(`✔ ${CAMPAIGN_FILE} is valid: ${campaign.name}, ${campaign.waves.length} waves`);
  campaign.waves.forEach((w, i) => {
    const t = schedule.times[i];
    const at = t ? instantToLocal(t.start, campaign.timeZone).replace('T', ' ') : '?';
    console.log(`  ${at}  ${w.id.padEnd(16)} ${w.name ?? ''}`);
  });

  const dataDir = resolveDataDir();
  // The whole job holds the data folder: generating the shop, the waves, the report tables.
  const lock = lockDataFolder(dataDir, 'npm start');
  if (lock.tookOverFrom) console.log(tookOverLine(lock.tookOverFrom));
  try {
    return await startLocked(campaign, policy, dataDir, schedule);
  } finally {
    lock.release();
  }
}

async function startLocked(
  campaign: Campaign,
  policy: ContactPolicy,
  dataDir: string,
  schedule: ReturnType<typeof resolveWaveSchedule>,
): Promise<number> {
  if (!existsSync(lakeRoot(dataDir))) {
    const firstWave = Math.min(...schedule.times.flatMap((t) => (t ? [t.start.getTime()] : [])));
    const asOf = new Date(firstWave - HISTORY_ENDS_BEFORE_FIRST_WAVE_DAYS * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const generating = stepReporter(true);
    const started = Date.now();
    const result = await generateShop({
      dataDir,
      customers: SAMPLE_CUSTOMERS,
      seed: 1,
      asOf,
      memberTiers: policy.memberTiers,
      points: policy.points,
      onProgress: (_s, done, total) => generating.update('generating the sample shop', done / total),
    });
    generating.done(
      `generated the sample shop in ${lakeRoot(dataDir)}: ${result.customers} customers, ${result.orders} orders (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  } else {
    console.log(`✔ using the shop in ${lakeRoot(dataDir)}`);
  }

  // The profile of the shop itself: a second npm start leaves out what the first one's simulation wrote.
  const wh = await DuckDbWarehouse.open(dataDir, {
    benchmark: repurchaseBenchmark(policy),
    baseTier: baseMemberTier(policy),
    simulated: 'exclude',
  });
  try {
    printProfile(await shopProfile(wh), await analysesSummary(wh));
  } finally {
    await wh.close();
  }

  // The five waves through the local delivery; a second npm start finds them run and sends nothing.
  const progress = stepReporter(true);
  console.log(`\nRunning ${campaign.id} on a simulated clock (outbox: ${statePaths(dataDir).outbox})`);
  const { campaigns: others } = await siblingCampaigns(CAMPAIGN_FILE);
  const statuses = await runCampaign(campaign, policy, {
    dataDir,
    others,
    simulate: DEFAULT_RESPONSE_MODEL,
    log: (line) => console.log(line),
    progress,
  });
  printStatus(campaign.id, statuses);
  const reportWarehouse = await DuckDbWarehouse.open(dataDir);
  try {
    const all = [campaign, ...others];
    progress.update('attributing orders and computing the report', null);
    await new LocalResponseTables(reportWarehouse, dataDir, systemClock).rewrite(
      all,
      campaign.attribution.model,
    );
    const report = await campaignReport(reportWarehouse, all, campaign);
    progress.clear();
    printReport(report, campaign.timeZone);
    printProductLinks(await productLinkRows(reportWarehouse, campaign), campaign);
    const html = join(dataDir, 'reports', `${campaign.id}.html`);
    mkdirSync(dirname(html), { recursive: true });
    writeFileSync(html, renderHtmlReport(report, campaign));
    console.log(`\nHTML report: ${html}`);
  } finally {
    await reportWarehouse.close();
  }
  return statuses.every((s) => s.reconciles) ? EXIT.ok : EXIT.internal;
}

process.exitCode = await start().catch((e: unknown) => {
  // Something the user can fix (another run holds the data folder) is said plainly, exit 1.
  if (exitCodeFor(e) === EXIT.userError) {
    console.error(`error: ${(e as Error).message}`);
    return EXIT.userError;
  }
  console.error(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.internal;
});
