import { armSql, oneSendSql } from '../delivery/ledger/ledger.ts';
import { type Sql, sql } from '../lake/sql.ts';
import { sqlString } from '../lake/sql-literals.ts';

/**
 * What the simulated audience reads (DuckDB only: the simulation runs on one machine):
 * - `recipients`: everyone the wave assigned (treated, sent or not, and held out), with their average
 *   order value, when an earlier wave of the campaign last simulated them, and their daily propensity to
 *   buy: (paid orders in the 365 days before the wave + 0.2) / 365, times how far into their usual gap
 *   between orders a repeat buyer is (days since the last order ÷ mean gap, kept within 0.5–2);
 * - `products`: the catalogue, for the order lines (and the lines of a wave's linked products);
 * - `unpaidOrders`: the assigned customers' orders still unpaid when the wave was planned.
 */
export function simulatedAudienceSql(
  campaignId: string,
  waveId: string,
): { recipients: Sql; products: Sql; unpaidOrders: Sql } {
  const campaign = sqlString(campaignId);
  const wave = sqlString(waveId);
  const assigned = sql`SELECT * FROM (
    ${oneSendSql(['customer_id', 'segment', 'status', 'channel', 'variant', 'reason', 'sent_at', 'planned_at', 'message_id', 'arm'], sql`campaign_id = ${campaign} AND wave_id = ${wave}`)}
  ) o WHERE ${armSql('o')} IS NOT NULL`;
  return {
    recipients: sql`WITH s AS (${assigned}),
planned AS (SELECT min(planned_at) AS t0 FROM s),
covered AS (SELECT customer_id, max(planned_at) AS last_planned FROM sends
  WHERE campaign_id = ${campaign} AND wave_id <> ${wave} AND ${armSql()} IS NOT NULL
    AND planned_at < (SELECT t0 FROM planned)
  GROUP BY customer_id),
hist AS (
  SELECT o.customer_id, count(*) FILTER (WHERE o.created_at >= p.t0 - INTERVAL 365 DAY) AS n365, count(*) AS n,
    min(o.created_at) AS first_at, max(o.created_at) AS last_at, avg(o.amount) AS aov
  FROM orders o CROSS JOIN planned p
  WHERE o.status = 'paid' AND o.created_at < p.t0 AND o.customer_id IN (SELECT customer_id FROM s)
  GROUP BY o.customer_id
)
SELECT s.*, coalesce(h.aov, 150) AS aov, cv.last_planned,
  (coalesce(h.n365, 0) + 0.2) / 365.0 * CASE WHEN h.n >= 2 THEN least(2.0, greatest(0.5,
    date_diff('hour', h.last_at, p.t0) / 24.0 / (date_diff('hour', h.first_at, h.last_at) / 24.0 / (h.n - 1) + 1)))
    ELSE 1.0 END AS daily_propensity
FROM s CROSS JOIN planned p LEFT JOIN hist h ON h.customer_id = s.customer_id
LEFT JOIN covered cv ON cv.customer_id = s.customer_id
ORDER BY s.send_id`,
    products: sql`SELECT sku, category, season, CAST(launch_date AS VARCHAR) AS launch_date FROM products ORDER BY sku`,
    unpaidOrders: sql`SELECT o.order_id, o.customer_id, o.created_at, o.amount, o.discount, o.channel, s.planned_at
FROM orders o JOIN (${assigned}) s ON s.customer_id = o.customer_id
WHERE o.status = 'unpaid' AND o.created_at < s.planned_at
ORDER BY o.order_id`,
  };
}
