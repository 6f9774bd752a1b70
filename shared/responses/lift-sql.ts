import type { Campaign } from '../campaign/campaign-schema.ts';
import { resolveWaveSchedule } from '../campaign/wave-schedule.ts';
import { DEFAULT_SEND_WINDOW_MS } from '../delivery/campaign-catalog.ts';
import { armSql, oneSendSql } from '../delivery/ledger/ledger.ts';
import { joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlNumber, sqlString } from '../lake/sql-literals.ts';
import { liftWindowSeconds } from './attribution-sql.ts';

/** The scope of the campaign as a whole in lift rows (a wave's scope is its id). */
export const CAMPAIGN_SCOPE = '*';

/**
 * Conversions each group of a comparison must expect (and non-conversions too), at the two groups'
 * pooled rate, before its interval is read: the normal approximation behind the interval holds from
 * about ten (the usual rule for a difference of proportions). A smaller group says "too small to read".
 */
export const MIN_EXPECTED_CONVERSIONS = 10;
export const Z95 = 1.959964;
/** z(0.975) + z(0.80): the minimum detectable effect at 5% significance and 80% power. */
const Z_MDE = 1.959964 + 0.841621;

/**
 * How long a wave's comparison runs, in seconds after the wave is planned: until its send-by deadline
 * (every message is out by then) plus the campaign's longest attribution window. Each run of a recurring
 * or triggered wave (`member-day@…`) has its wave's.
 */
function waveWindows(campaign: Campaign): Sql[] {
  const { times } = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  const lift = liftWindowSeconds(campaign);
  return campaign.waves.flatMap((w, i) => {
    const t = times[i];
    if (!t) return [];
    const sending =
      ((t.sendBy?.getTime() ?? t.start.getTime() + DEFAULT_SEND_WINDOW_MS) - t.start.getTime()) / 1000;
    return [sql`(${sqlString(w.id)}, ${sqlNumber(sending + lift)})`];
  });
}

/**
 * Per campaign, scope (each wave, and `*` for the campaign), stratum and group: customers, converted
 * customers, and the mean and variance of revenue per customer — what `liftEstimatesSql` turns into
 * incremental conversions and revenue. Intent to treat: a wave's treated group is everyone it assigned to
 * treatment, sent or not; its control group was drawn from the same customers at the same moment:
 *   - stratum `new` (customers no earlier wave of the campaign assigned): the campaign's holdout;
 *   - stratum `returning` (assigned by an earlier wave): the wave's own holdout, among the campaign's
 *     treated (the campaign's holdout customers are not compared here: they are compared for the campaign);
 *   - the campaign (stratum `all`): every customer any wave assigned, treated or the campaign's holdout,
 *     from their first wave to the end of the last wave's window.
 * An order counts for a window when it is paid, was created before the window ends and paid after it
 * starts: orders placed in the window, and unpaid orders paid in it (what a reminder is for) — the same
 * rule for both groups. Runs on Athena and DuckDB alike.
 */
export function liftStatsSql(campaign: Campaign): Sql {
  const windows = waveWindows(campaign);
  return sql`WITH windows (wave_id, seconds) AS (
  VALUES ${windows.length ? joinSql(windows) : sql`('', 0)`}
),
one_send AS (
  ${oneSendSql(['wave_id', 'customer_id', 'status', 'reason', 'planned_at', 'arm'], sql`campaign_id = ${sqlString(campaign.id)}`)}
),
assigned AS (
  SELECT s.wave_id, s.customer_id, s.planned_at, s.arm, min(s.planned_at) OVER (PARTITION BY s.customer_id) AS first_at
  FROM (SELECT wave_id, customer_id, planned_at, ${armSql()} AS arm FROM one_send) s
  WHERE s.arm IS NOT NULL
),
-- A wave no longer in the campaign's file is read with the default day to send.
windowed AS (
  SELECT a.*, a.planned_at + coalesce(w.seconds, ${sqlNumber(DEFAULT_SEND_WINDOW_MS / 1000 + liftWindowSeconds(campaign))}) * INTERVAL '1' SECOND AS until
  FROM assigned a LEFT JOIN windows w ON w.wave_id = split_part(a.wave_id, '@', 1)
),
units AS (
  SELECT wave_id AS scope, CASE WHEN planned_at = first_at THEN 'new' ELSE 'returning' END AS stratum,
    CASE WHEN arm = 'treatment' THEN 'treated' ELSE 'control' END AS grp, customer_id, planned_at AS since, until
  FROM windowed
  WHERE arm = 'treatment' OR arm = 'wave-holdout' OR (arm = 'holdout' AND planned_at = first_at)
  UNION ALL
  SELECT ${sqlString(CAMPAIGN_SCOPE)}, 'all', CASE WHEN bool_or(arm = 'holdout') THEN 'control' ELSE 'treated' END,
    customer_id, min(first_at), (SELECT max(until) FROM windowed)
  FROM windowed GROUP BY customer_id
),
outcomes AS (
  SELECT u.scope, u.stratum, u.grp, u.customer_id, count(o.order_id) AS orders, coalesce(sum(o.amount), 0) AS revenue
  FROM units u LEFT JOIN orders o ON o.customer_id = u.customer_id AND o.status = 'paid'
    AND o.paid_at >= u.since AND o.created_at < u.until
  GROUP BY 1, 2, 3, 4
)
SELECT ${sqlString(campaign.id)} AS campaign_id, scope, stratum, grp, count(*) AS customers,
  count(*) FILTER (WHERE orders > 0) AS converted,
  CAST(avg(revenue) AS DOUBLE) AS revenue_mean, CAST(coalesce(var_samp(revenue), 0) AS DOUBLE) AS revenue_var
FROM outcomes GROUP BY 1, 2, 3, 4`;
}

/**
 * Incremental conversions, revenue and ROI with 95% intervals, per campaign and scope, from lift stats
 * rows (`liftStatsSql`, or the `lift` table that holds them): within each stratum the difference of the
 * treated and control rates (of mean revenue) times the treated customers, normal approximation; strata
 * add up. A stratum is read only when both groups expect MIN_EXPECTED_CONVERSIONS conversions and as
 * many non-conversions at the pooled rate; the treated customers of the others are counted as not
 * compared, and a scope with no stratum read has no estimate. `mde_conversions`: the smallest effect the
 * groups could detect (5% significance, 80% power). Cost is what the scope's sends cost; incremental ROI
 * = incremental revenue ÷ cost. Runs on Athena and DuckDB alike.
 */
export function liftEstimatesSql(stats: Sql): Sql {
  const d = (x: Sql) => sql`CAST(${x} AS DOUBLE)`;
  return sql`WITH st AS (${stats}),
pairs AS (
  SELECT campaign_id, scope, stratum,
    coalesce(sum(customers) FILTER (WHERE grp = 'treated'), 0) AS n_t,
    coalesce(sum(converted) FILTER (WHERE grp = 'treated'), 0) AS x_t,
    coalesce(max(revenue_mean) FILTER (WHERE grp = 'treated'), 0) AS m_t,
    coalesce(max(revenue_var) FILTER (WHERE grp = 'treated'), 0) AS v_t,
    coalesce(sum(customers) FILTER (WHERE grp = 'control'), 0) AS n_c,
    coalesce(sum(converted) FILTER (WHERE grp = 'control'), 0) AS x_c,
    coalesce(max(revenue_mean) FILTER (WHERE grp = 'control'), 0) AS m_c,
    coalesce(max(revenue_var) FILTER (WHERE grp = 'control'), 0) AS v_c
  FROM st GROUP BY 1, 2, 3
),
rates AS (
  SELECT *,
    CASE WHEN n_t > 0 THEN ${d(sql`x_t`)} / n_t END AS p_t,
    CASE WHEN n_c > 0 THEN ${d(sql`x_c`)} / n_c END AS p_c,
    CASE WHEN n_t + n_c > 0 THEN ${d(sql`x_t + x_c`)} / (n_t + n_c) END AS p_pool
  FROM pairs
),
strata AS (
  SELECT *,
    n_t > 0 AND n_c > 0 AND least(n_t, n_c) * p_pool >= ${MIN_EXPECTED_CONVERSIONS}
      AND least(n_t, n_c) * (1 - p_pool) >= ${MIN_EXPECTED_CONVERSIONS} AS readable,
    CASE WHEN n_t > 0 AND n_c > 0 THEN (p_t - p_c) * n_t END AS inc_conv,
    CASE WHEN n_t > 0 AND n_c > 0 THEN ${d(sql`n_t`)} * n_t * (p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c) END AS var_conv,
    CASE WHEN n_t > 0 AND n_c > 0 THEN (m_t - m_c) * n_t END AS inc_rev,
    CASE WHEN n_t > 0 AND n_c > 0 THEN ${d(sql`n_t`)} * n_t * (v_t / n_t + v_c / n_c) END AS var_rev,
    CASE WHEN n_t > 0 AND n_c > 0 THEN ${d(sql`n_t`)} * n_t * p_pool * (1 - p_pool) * (1e0 / n_t + 1e0 / n_c) END AS var_null
  FROM rates
),
scopes AS (
  SELECT campaign_id, scope,
    sum(n_t) AS treated_customers, sum(x_t) AS treated_converted,
    sum(n_c) AS control_customers, sum(x_c) AS control_converted,
    CASE WHEN sum(n_t) > 0 THEN sum(m_t * n_t) / sum(n_t) END AS treated_revenue_per_customer,
    CASE WHEN sum(n_c) > 0 THEN sum(m_c * n_c) / sum(n_c) END AS control_revenue_per_customer,
    coalesce(sum(n_t) FILTER (WHERE readable), 0) AS compared_customers,
    sum(inc_conv) FILTER (WHERE readable) AS inc_conv, sqrt(sum(var_conv) FILTER (WHERE readable)) AS se_conv,
    sum(inc_rev) FILTER (WHERE readable) AS inc_rev, sqrt(sum(var_rev) FILTER (WHERE readable)) AS se_rev,
    ${Z_MDE} * sqrt(coalesce(sum(var_null) FILTER (WHERE readable), sum(var_null))) AS mde_conversions
  FROM strata GROUP BY 1, 2
),
sent AS (
  SELECT campaign_id, wave_id, sum(cost) AS cost FROM (
    ${oneSendSql(['campaign_id', 'wave_id', 'status', 'cost'])}
  ) s WHERE status = 'sent' GROUP BY 1, 2
),
costs AS (
  SELECT campaign_id, wave_id AS scope, cost FROM sent
  UNION ALL
  SELECT campaign_id, ${sqlString(CAMPAIGN_SCOPE)}, sum(cost) FROM sent GROUP BY 1
)
SELECT s.campaign_id, s.scope, s.treated_customers, s.treated_converted, s.control_customers, s.control_converted,
  CASE WHEN s.treated_customers > 0 THEN ${d(sql`s.treated_converted`)} / s.treated_customers END AS treated_rate,
  CASE WHEN s.control_customers > 0 THEN ${d(sql`s.control_converted`)} / s.control_customers END AS control_rate,
  s.treated_revenue_per_customer, s.control_revenue_per_customer,
  s.compared_customers, s.compared_customers > 0 AS readable,
  s.inc_conv AS incremental_conversions, s.inc_conv - ${Z95} * s.se_conv AS incremental_conversions_low,
  s.inc_conv + ${Z95} * s.se_conv AS incremental_conversions_high,
  s.inc_rev AS incremental_revenue, s.inc_rev - ${Z95} * s.se_rev AS incremental_revenue_low,
  s.inc_rev + ${Z95} * s.se_rev AS incremental_revenue_high,
  s.mde_conversions, coalesce(c.cost, 0) AS cost,
  CASE WHEN c.cost > 0 THEN s.inc_rev / c.cost END AS incremental_roi,
  CASE WHEN c.cost > 0 THEN (s.inc_rev - ${Z95} * s.se_rev) / c.cost END AS incremental_roi_low,
  CASE WHEN c.cost > 0 THEN (s.inc_rev + ${Z95} * s.se_rev) / c.cost END AS incremental_roi_high
FROM scopes s LEFT JOIN costs c ON c.campaign_id = s.campaign_id AND c.scope = s.scope`;
}
