import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../../cli/run-campaign.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { statePaths } from '../../shared/delivery/local/local-adapters.ts';
import type { RolloutDecision } from '../../shared/delivery/rollout/rollout-decision.ts';
import { JournalWaveRunStore } from '../../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { waveStatuses } from '../../shared/delivery/wave-status.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { campaignReport, type RolloutSummary } from '../../shared/responses/campaign-report.ts';
import { DEFAULT_RESPONSE_MODEL, type ResponseModel } from '../../shared/responses/simulate-responses.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';

/**
 * The rollout's truth harness: the example campaigns/spring-repurchase.yaml (a pilot over two variants,
 * then a rollout wave) on a generated shop, with the simulated audience of the truth tests — every variant
 * at the same true effect (A/A), or one variant planted with a higher one (`variantLift`). The campaign's
 * id carries the seed, so the pilot's sample, the variants and the holdout are drawn afresh per seed.
 */
export const ROLLOUT_SHOP_AS_OF = '2027-03-01';

export async function rolloutShop(customers: number, seed: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-shop-'));
  await generateShop({ dataDir: dir, customers, orders: customers * 10, seed, asOf: ROLLOUT_SHOP_AS_OF });
  return dir;
}

export interface RolloutRun {
  decision: RolloutDecision | undefined;
  /** Rows of the `rollout_decisions` table for this campaign, as an analyst reads them. */
  recorded: Record<string, unknown>[];
  /** The decision as `campaign status` and `campaign report` read it. */
  status: RolloutDecision | null;
  reported: RolloutSummary[];
  /** Messages the rollout wave sent, per variant. */
  rolloutSent: Record<string, number>;
  pilotSent: number;
  /** Customers both waves sent to. */
  sentTwice: number;
}

export async function rolloutRun(
  shopDir: string,
  seed: number,
  opts: { variantLift?: Record<string, number>; pilotShare?: number } = {},
): Promise<RolloutRun> {
  const base = await loadConfigFile(Campaign, 'campaigns/spring-repurchase.yaml');
  const campaign: Campaign = {
    ...base,
    id: `${base.id}-${seed}`,
    waves: base.waves.map((w) =>
      w.pilot && opts.pilotShare ? { ...w, pilot: { share: opts.pilotShare } } : w,
    ),
  };
  const simulate = { ...DEFAULT_RESPONSE_MODEL, seed, variantLift: opts.variantLift };
  return runOnShopCopy(shopDir, campaign, simulate, async ({ wh, runs, decision, recorded }) => {
    const statuses = await waveStatuses({ warehouse: wh, runs }, campaign.id, ['pilot', 'rollout']);
    const report = await campaignReport(wh, [campaign], campaign);
    const sent = sentSql(campaign.id, sql`variant`);
    const byVariant = (
      await wh.query(sql`SELECT variant, count(*) AS n FROM (${sent}) s WHERE wave_id = 'rollout' GROUP BY 1`)
    ).rows;
    const pilot = await wh.query(sql`SELECT count(*) AS n FROM (${sent}) s WHERE wave_id = 'pilot'`);
    return {
      decision,
      recorded,
      status: statuses[1]?.rollout ?? null,
      reported: report.rollouts,
      rolloutSent: Object.fromEntries(byVariant.map((r) => [String(r.variant), Number(r.n)])),
      pilotSent: Number(pilot.rows[0]?.n),
      sentTwice: await sentTwice(wh, sent),
    };
  });
}

/** What a campaign run on a copy of the shop leaves for the truth tests to read. */
export interface ShopCopyRun {
  wh: DuckDbWarehouse;
  runs: JournalWaveRunStore;
  /** The rollout wave's decision, as its run recorded it. */
  decision: RolloutDecision | undefined;
  /** Rows of the `rollout_decisions` table for the campaign. */
  recorded: Record<string, unknown>[];
}

/**
 * Runs a campaign through the local `campaign run` path on a copy of a generated shop's lake (a fresh
 * data folder, removed after), with simulated responses, and hands `read` what it left.
 */
export async function runOnShopCopy<T>(
  shopDir: string,
  campaign: Campaign,
  simulate: ResponseModel,
  read: (run: ShopCopyRun) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rollout-run-'));
  try {
    await cp(join(shopDir, 'lake'), join(dataDir, 'lake'), { recursive: true });
    await runCampaign(campaign, await loadShopPolicy(), { dataDir, log: () => {}, simulate });
    const runs = new JournalWaveRunStore(statePaths(dataDir).runs, { mode: 'read-only' });
    const wh = await DuckDbWarehouse.open(dataDir);
    try {
      const decision = (await runs.get(campaign.id, 'rollout'))?.rollout;
      const recorded = (
        await wh.query(
          sql`SELECT * FROM rollout_decisions WHERE campaign_id = ${sqlString(campaign.id)} ORDER BY candidate`,
        )
      ).rows;
      return await read({ wh, runs, decision, recorded });
    } finally {
      await wh.close();
      await runs.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One row per customer a wave of the campaign sent to, with the wave and `column` (variant, segment). */
export function sentSql(campaignId: string, column: Sql): Sql {
  return sql`SELECT DISTINCT wave_id, customer_id, ${column} FROM sends WHERE campaign_id = ${sqlString(campaignId)} AND status = 'sent'`;
}

/** Customers both the pilot and the rollout sent to. */
export async function sentTwice(wh: DuckDbWarehouse, sent: Sql): Promise<number> {
  const { rows } = await wh.query(sql`SELECT count(*) AS n FROM (${sent}) p JOIN (${sent}) r
  ON p.customer_id = r.customer_id WHERE p.wave_id = 'pilot' AND r.wave_id = 'rollout'`);
  return Number(rows[0]?.n);
}
