import { type Sql, sql } from '../../lake/sql.ts';
import { sqlString, sqlTimestamp } from '../../lake/sql-literals.ts';
import { armSql, oneSendSql } from '../ledger/ledger.ts';

/**
 * A pilot's response per variant, as measured at `at` (a rollout wave's start): the customers the pilot
 * queued with each variant (intent to treat: sent, or left at sending by a cap or quiet hours), how many
 * of them converted — a paid order paid after the pilot planned them, created and paid before `at` —
 * and the mean and sample variance of their revenue in that time. Runs on Athena and DuckDB alike.
 */
export function pilotResponseSql(campaignId: string, pilotWaveId: string, at: Date): Sql {
  const until = sqlTimestamp(at);
  return sql`WITH one_send AS (
  ${oneSendSql(['customer_id', 'variant', 'status', 'reason', 'planned_at', 'arm'], sql`campaign_id = ${sqlString(campaignId)} AND wave_id = ${sqlString(pilotWaveId)}`)}
),
pilot AS (
  SELECT customer_id, variant, planned_at FROM one_send
  WHERE ${armSql()} = 'treatment' AND variant IS NOT NULL AND planned_at < ${until}
),
outcomes AS (
  SELECT p.variant, p.customer_id, count(o.order_id) AS orders, coalesce(sum(o.amount), 0) AS revenue
  FROM pilot p LEFT JOIN orders o ON o.customer_id = p.customer_id AND o.status = 'paid'
    AND o.paid_at >= p.planned_at AND o.paid_at < ${until} AND o.created_at < ${until}
  GROUP BY 1, 2
)
SELECT variant, count(*) AS recipients, count(*) FILTER (WHERE orders > 0) AS converted,
  CAST(avg(revenue) AS DOUBLE) AS revenue_mean, CAST(coalesce(var_samp(revenue), 0) AS DOUBLE) AS revenue_var
FROM outcomes GROUP BY 1 ORDER BY 1`;
}
