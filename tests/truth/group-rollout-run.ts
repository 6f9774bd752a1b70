import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import type { RolloutDecision } from '../../shared/delivery/rollout/rollout-decision.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { DEFAULT_RESPONSE_MODEL } from '../../shared/responses/simulate-responses.ts';
import { runOnShopCopy, sentSql, sentTwice } from './rollout-run.ts';

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
  const simulate = {
    ...DEFAULT_RESPONSE_MODEL,
    seed,
    trueLift: opts.trueLift,
    segmentLift: opts.segmentLift,
  };
  return runOnShopCopy(shopDir, campaign, simulate, async ({ wh, decision, recorded }) => {
    const id = sqlString(campaign.id);
    const sentRows = sentSql(campaign.id, sql`segment`);
    const bySegment = (
      await wh.query(
        sql`SELECT wave_id, segment, count(*) AS n FROM (${sentRows}) s GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).rows;
    const sent = { pilot: {} as Record<string, number>, rollout: {} as Record<string, number> };
    for (const r of bySegment)
      sent[r.wave_id === 'pilot' ? 'pilot' : 'rollout'][String(r.segment)] = Number(r.n);
    const segs = await wh.query(
      sql`SELECT DISTINCT segment FROM sends WHERE campaign_id = ${id} AND wave_id = 'rollout' ORDER BY 1`,
    );
    const response = await wh.query(
      sql`SELECT segment, sum(sent) AS sent FROM segment_response WHERE campaign_id = ${id} GROUP BY 1 ORDER BY 1`,
    );
    return {
      decision,
      recorded,
      sent,
      sentTwice: await sentTwice(wh, sentRows),
      rolloutSegments: segs.rows.map((r) => String(r.segment)),
      segmentResponse: Object.fromEntries(response.rows.map((r) => [String(r.segment), Number(r.sent)])),
    };
  });
}
