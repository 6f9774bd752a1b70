import { type Sql, sql } from '../../lake/sql.ts';
import { sqlString, sqlTimestamp } from '../../lake/sql-literals.ts';
import { armSql, oneSendSql } from '../ledger/ledger.ts';

/**
 * A grouped pilot's response per group, as measured at `at` (a rollout wave's start), in the two parts
 * the rollout compares: `treated` (everyone the pilot assigned to treatment, sent or not: intent to
 * treat) and `holdout` (the customers of the group it held out), each split by stratum as the lift is
 * (lift-sql.ts): `new` (the pilot is their first assignment in the campaign: compared with the
 * campaign's holdout) and `returning` (an earlier wave assigned them: compared with the pilot's own
 * holdout; the campaign's holdout drawn earlier is left out). A customer's group is the ledger's
 * `segment` of their pilot row, written when the pilot planned them. Per row: customers, how many
 * converted — a paid order paid after the pilot planned them, created and paid before `at` — and the
 * mean and sample variance of their revenue in that time. Runs on Athena and DuckDB alike.
 */
export function groupResponseSql(campaignId: string, pilotWaveId: string, at: Date): Sql {
  const until = sqlTimestamp(at);
  return sql`WITH one_send AS (
  ${oneSendSql(['wave_id', 'customer_id', 'segment', 'status', 'reason', 'planned_at', 'arm'], sql`campaign_id = ${sqlString(campaignId)} AND planned_at < ${until}`)}
),
assigned AS (
  SELECT wave_id, customer_id, segment, planned_at, ${armSql()} AS arm FROM one_send
),
firsts AS (
  SELECT customer_id, min(planned_at) AS first_at FROM assigned WHERE arm IS NOT NULL GROUP BY customer_id
),
units AS (
  SELECT a.segment, CASE WHEN a.planned_at = f.first_at THEN 'new' ELSE 'returning' END AS stratum,
    CASE WHEN a.arm = 'treatment' THEN 'treated' ELSE 'holdout' END AS part, a.customer_id, a.planned_at
  FROM assigned a JOIN firsts f ON f.customer_id = a.customer_id
  WHERE a.wave_id = ${sqlString(pilotWaveId)} AND a.segment IS NOT NULL
    AND (a.arm = 'treatment' OR a.arm = 'wave-holdout' OR (a.arm = 'holdout' AND a.planned_at = f.first_at))
),
outcomes AS (
  SELECT u.segment, u.stratum, u.part, u.customer_id, count(o.order_id) AS orders, coalesce(sum(o.amount), 0) AS revenue
  FROM units u LEFT JOIN orders o ON o.customer_id = u.customer_id AND o.status = 'paid'
    AND o.paid_at >= u.planned_at AND o.paid_at < ${until} AND o.created_at < ${until}
  GROUP BY 1, 2, 3, 4
)
SELECT segment, stratum, part, count(*) AS customers, count(*) FILTER (WHERE orders > 0) AS converted,
  CAST(avg(revenue) AS DOUBLE) AS revenue_mean, CAST(coalesce(var_samp(revenue), 0) AS DOUBLE) AS revenue_var
FROM outcomes GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
}
