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

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function analysesSummary(warehouse: Warehouse): Promise<AnalysesSummary> {
  const [rep] = (await warehouse.query('SELECT * FROM repurchase_vs_industry')).rows;
  const [ret] = (
    await warehouse.query(
      'SELECT CAST(day AS VARCHAR) AS day, returning_order_share, returning_revenue_share FROM old_customer_share_7d ORDER BY day DESC LIMIT 1',
    )
  ).rows;
  const members = (
    await warehouse.query(`SELECT CAST(month AS VARCHAR) AS month, member_group, repurchase_30d_rate
      FROM member_repurchase_30d
      WHERE month = (SELECT max(month) FROM member_repurchase_30d WHERE repurchase_30d_rate IS NOT NULL)`)
  ).rows;
  const rate = (group: string) => num(members.find((m) => m.member_group === group)?.repurchase_30d_rate);
  return {
    repurchase: rep
      ? {
          windowDays: Number(rep.window_days),
          shopRate: num(rep.shop_rate),
          industryRate: num(rep.industry_rate),
          industrySource: (rep.industry_source as string | null) ?? null,
        }
      : null,
    returning7d: ret
      ? {
          day: String(ret.day),
          orderShare: num(ret.returning_order_share),
          revenueShare: num(ret.returning_revenue_share),
        }
      : null,
    memberRepurchase30d:
      members.length > 0
        ? {
            month: String(members[0]?.month).slice(0, 7),
            member: rate('member'),
            nonMember: rate('non-member'),
          }
        : null,
  };
}
