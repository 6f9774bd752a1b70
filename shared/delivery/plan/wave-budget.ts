import { col, rowDecoder } from '../../lake/row-decoder.ts';
import { type Sql, sql } from '../../lake/sql.ts';
import { sqlString } from '../../lake/sql-literals.ts';
import type { Warehouse } from '../../lake/warehouse.ts';
import type { ScheduledWave } from '../campaign-catalog.ts';
import { BudgetMeter } from '../contact-policy/budget.ts';
import { oneSendSql } from '../ledger/ledger.ts';

/** What a campaign's sends have cost so far: each send counted once, however often the ledger has it. */
export function campaignSpentSql(campaignId: string): Sql {
  return sql`SELECT coalesce(sum(cost), 0) AS spent FROM (${oneSendSql(['cost'], sql`campaign_id = ${sqlString(campaignId)} AND status = 'sent'`)}) s`;
}

const spentRow = rowDecoder("the campaign's spend so far", { spent: col.number });

/**
 * What is left to spend: the wave's own limits, and the campaign's budget less what its sends have cost
 * so far (read from the ledger, one row per send).
 */
export async function waveBudget(
  warehouse: Warehouse,
  { campaign, wave }: ScheduledWave,
): Promise<BudgetMeter> {
  let money = wave.limits?.budget ?? Number.POSITIVE_INFINITY;
  if (campaign.budget !== undefined) {
    const { rows } = await warehouse.query(campaignSpentSql(campaign.id));
    const spent = rows[0] ? spentRow(rows[0]).spent : 0;
    money = Math.min(money, Math.max(0, campaign.budget - spent));
  }
  return new BudgetMeter(money, wave.limits?.maxRecipients);
}
