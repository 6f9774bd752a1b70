import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../../cli/run-campaign.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { statePaths } from '../../shared/delivery/local/local-adapters.ts';
import type { RolloutDecision } from '../../shared/delivery/rollout/rollout-decision.ts';
import { JournalWaveRunStore } from '../../shared/delivery/wave-runs/local/journal-wave-run-store.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { DEFAULT_RESPONSE_MODEL } from '../../shared/responses/simulate-responses.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';

/**
 * The grouped rollout's truth harness: the example campaigns/spring-groups.yaml (a pilot over the groups
 * `frequent` and `occasional`, then a rollout that picks groups) through the local `campaign run` path on
 * a generated shop (rollout-run.ts's), with the simulated audience: a true effect per group
 * (`segmentLift`, by the ledger's segment) or none anywhere (`trueLift` 1: A/A). The campaign's id carries
 * the seed, so the pilot's sample and the holdout are drawn afresh per seed.
 */
export interface GroupRolloutRun {
  decision: RolloutDecision | undefined;
  /** Rows of the `rollout_decisions` table for this campaign, as an analyst reads them. */
  recorded: Record<string, unknown>[];
  /** Customers each wave sent to, per ledger segment (the group). */
  sent: { pilot: Record<string, number>; rollout: Record<string, number> };
  /** Customers both waves sent to. */
  sentTwice: number;
  /** The rollout's audience members in no picked group (by the ledger: any row of the rollout). */
  rolloutSegments: string[];
  /** `segment_response` rows of the campaign: segment → sent. */
  segmentResponse: Record<string, number>;
}

export async function groupRolloutRun(
  shopDir: string,
  seed: number,
  opts: {
    trueLift: number;
    segmentLift?: Record<string, number>;
    holdoutPercent?: number;
    pilotShare?: number;
  },
): Promise<GroupRolloutRun> {
  const base = await loadConfigFile(Campaign, 'campaigns/spring-groups.yaml');
  const campaign: Campaign = {
    ...base,
    id: `${base.id}-${seed}`,
    holdoutPercent: opts.holdoutPercent ?? base.holdoutPercent,
    waves: base.waves.map((w) =>
      w.pilot && opts.pilotShare ? { ...w, pilot: { ...w.pilot, share: opts.pilotShare } } : w,
    ),
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'group-rollout-run-'));
  try {
    await cp(join(shopDir, 'lake'), join(dataDir, 'lake'), { recursive: true });
    await runCampaign(campaign, await loadShopPolicy(), {
      dataDir,
      log: () => {},
      simulate: { ...DEFAULT_RESPONSE_MODEL, seed, trueLift: opts.trueLift, segmentLift: opts.segmentLift },
    });
    const runs = new JournalWaveRunStore(statePaths(dataDir).runs, { mode: 'read-only' });
    const decision = (await runs.get(campaign.id, 'rollout'))?.rollout;
    await runs.close();
    const wh = await DuckDbWarehouse.open(dataDir);
    try {
      const id = sqlString(campaign.id);
      const recorded = (
        await wh.query(`SELECT * FROM rollout_decisions WHERE campaign_id = ${id} ORDER BY candidate`)
      ).rows;
      const sentRows = `SELECT DISTINCT wave_id, customer_id, segment FROM sends WHERE campaign_id = ${id} AND status = 'sent'`;
      const bySegment = (
        await wh.query(
          `SELECT wave_id, segment, count(*) AS n FROM (${sentRows}) s GROUP BY 1, 2 ORDER BY 1, 2`,
        )
      ).rows;
      const sent = { pilot: {} as Record<string, number>, rollout: {} as Record<string, number> };
      for (const r of bySegment)
        sent[r.wave_id === 'pilot' ? 'pilot' : 'rollout'][String(r.segment)] = Number(r.n);
      const twice = await wh.query(`SELECT count(*) AS n FROM (${sentRows}) p JOIN (${sentRows}) r
  ON p.customer_id = r.customer_id WHERE p.wave_id = 'pilot' AND r.wave_id = 'rollout'`);
      const segs = await wh.query(
        `SELECT DISTINCT segment FROM sends WHERE campaign_id = ${id} AND wave_id = 'rollout' ORDER BY 1`,
      );
      const response = await wh.query(
        `SELECT segment, sum(sent) AS sent FROM segment_response WHERE campaign_id = ${id} GROUP BY 1 ORDER BY 1`,
      );
      return {
        decision,
        recorded,
        sent,
        sentTwice: Number(twice.rows[0]?.n),
        rolloutSegments: segs.rows.map((r) => String(r.segment)),
        segmentResponse: Object.fromEntries(response.rows.map((r) => [String(r.segment), Number(r.sent)])),
      };
    } finally {
      await wh.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
