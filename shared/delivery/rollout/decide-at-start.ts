import type { Campaign, Wave } from '../../campaign/campaign-schema.ts';
import type { Warehouse } from '../../lake/warehouse.ts';
import { decideGroupRollout, groupResponses } from './group-decision.ts';
import { groupResponseSql } from './group-response-sql.ts';
import { pilotResponseSql } from './pilot-response-sql.ts';
import { decideRollout, pilotResponses, type RolloutDecision } from './rollout-decision.ts';

/**
 * A rollout wave's decision at its start, from its pilot's responses measured up to then (the warehouse:
 * Athena or DuckDB): among the pilot's variants (rollout-decision.ts), or its groups (group-decision.ts).
 */
export async function decideAtStart(
  warehouse: Pick<Warehouse, 'query'>,
  campaign: Campaign,
  wave: Wave,
  start: Date,
): Promise<RolloutDecision> {
  const from = wave.rollout?.from ?? '';
  const pilot = campaign.waves.find((w) => w.id === from);
  if (wave.rollout?.pick === 'group') {
    const { rows } = await warehouse.query(groupResponseSql(campaign.id, from, start));
    return decideGroupRollout(campaign, wave, pilot?.pilot?.groups ?? [], groupResponses(rows), start);
  }
  const { rows } = await warehouse.query(pilotResponseSql(campaign.id, from, start));
  return decideRollout(
    campaign,
    wave,
    (pilot?.variants ?? []).map((v) => v.id),
    pilotResponses(rows),
    start,
  );
}
