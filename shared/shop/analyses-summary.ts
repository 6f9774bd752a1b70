import { col, rowDecoder } from '../lake/row-decoder.ts';
import { sql } from '../lake/sql.ts';
import type { Warehouse } from '../lake/warehouse.ts';

/**
 * The latest figures of three shop analyses (docs/analyses.md), for the shop profile: the repurchase rate
 * against the industry figure the shop entered, the returning customers' share of the last 7 days, and
 * members' against non-members' 30-day repurchase in the latest month whose window is complete.
 */
export interface AnalysesSummary {
  repurchase: {
    windowDays: number;
    shopRate: number | null;
    industryRate: number | null;
    industrySource: string | null;
  } | null;
  returning7d: { day: string; orderShare: number | null; revenueShare: number | null } | null;
  memberRepurchase30d: { month: string; member: number | null; nonMember: number | null } | null;
}

const repurchaseRow = rowDecoder('repurchase_vs_industry', {
  window_days: col.number,
  shop_rate: col.optionalNumber,
  industry_rate: col.optionalNumber,
  industry_source: col.optionalText,
});
const returningRow = rowDecoder('old_customer_share_7d, latest day', {
  day: col.text,
  returning_order_share: col.optionalNumber,
  returning_revenue_share: col.optionalNumber,
});
const memberRow = rowDecoder('member_repurchase_30d, latest complete month', {
  month: col.text,
  member_group: col.oneOf(['member', 'non-member']),
  repurchase_30d_rate: col.optionalNumber,
});

export async function analysesSummary(warehouse: Warehouse): Promise<AnalysesSummary> {
  const [rep] = (await warehouse.query(sql`SELECT * FROM repurchase_vs_industry`)).rows.map(repurchaseRow);
  const [ret] = (
    await warehouse.query(
      sql`SELECT CAST(day AS VARCHAR) AS day, returning_order_share, returning_revenue_share FROM old_customer_share_7d ORDER BY day DESC LIMIT 1`,
    )
  ).rows.map(returningRow);
  const members = (
    await warehouse.query(sql`SELECT CAST(month AS VARCHAR) AS month, member_group, repurchase_30d_rate
      FROM member_repurchase_30d
      WHERE month = (SELECT max(month) FROM member_repurchase_30d WHERE repurchase_30d_rate IS NOT NULL)`)
  ).rows.map(memberRow);
  const rate = (group: string) => members.find((m) => m.member_group === group)?.repurchase_30d_rate ?? null;
  return {
    repurchase: rep
      ? {
          windowDays: rep.window_days,
          shopRate: rep.shop_rate,
          industryRate: rep.industry_rate,
          industrySource: rep.industry_source,
        }
      : null,
    returning7d: ret
      ? { day: ret.day, orderShare: ret.returning_order_share, revenueShare: ret.returning_revenue_share }
      : null,
    memberRepurchase30d: members[0]
      ? { month: members[0].month.slice(0, 7), member: rate('member'), nonMember: rate('non-member') }
      : null,
  };
}
