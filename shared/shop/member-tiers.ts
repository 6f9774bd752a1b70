import { DAYS_PATTERN, type MemberTier } from '../campaign/loyalty-schema.ts';
import { ident, joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlNumber, sqlString, sqlTimestamp } from '../lake/sql-literals.ts';

const DAY_MS = 86_400_000;

/** The days of a tier's trailing window, or null for the whole history. */
function windowDays(tier: MemberTier): number | null {
  const m = tier.within ? DAYS_PATTERN.exec(tier.within) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Each customer with a paid order and the member tier their paid orders earn under the shop's rules, as
 * of `asOf`: `SELECT customer_id, member_tier`. `orders` is a relation with the lake's order columns
 * (customer_id, status, amount, paid_at). Only paid orders count (refunded, closed and unpaid do not);
 * the highest tier whose thresholds hold wins. Customers without a paid order are not in the result:
 * they are in the first tier (`baseTier`). Runs on DuckDB and Trino.
 */
export function memberTierSql(tiers: readonly MemberTier[], orders: Sql, asOf: Date): Sql {
  const windows = [...new Set(tiers.map(windowDays))];
  /** A measure's column: spend_all, orders_365d, … */
  const measure = (what: 'spend' | 'orders', days: number | null) =>
    ident(`${what}_${days === null ? 'all' : `${days}d`}`);
  const measures = windows.flatMap((days) => {
    const inWindow =
      days === null ? sql`` : sql` AND paid_at >= ${sqlTimestamp(new Date(asOf.getTime() - days * DAY_MS))}`;
    return [
      sql`coalesce(sum(amount) FILTER (WHERE status = 'paid'${inWindow}), 0) AS ${measure('spend', days)}`,
      sql`count(*) FILTER (WHERE status = 'paid'${inWindow}) AS ${measure('orders', days)}`,
    ];
  });
  const whens = tiers
    .slice(1)
    .map((tier) => {
      const days = windowDays(tier);
      const conds = [
        tier.minSpend !== undefined ? sql`${measure('spend', days)} >= ${sqlNumber(tier.minSpend)}` : null,
        tier.minOrders !== undefined ? sql`${measure('orders', days)} >= ${sqlNumber(tier.minOrders)}` : null,
      ].filter((c): c is Sql => c !== null);
      return sql`WHEN ${joinSql(conds, tier.match === 'any' ? sql` OR ` : sql` AND `)} THEN ${sqlString(tier.name)}`;
    })
    .reverse();
  const tierCase = whens.length
    ? sql`CASE ${joinSql(whens, sql` `)} ELSE ${sqlString(baseTier(tiers))} END`
    : sqlString(baseTier(tiers));
  return sql`SELECT customer_id, ${tierCase} AS member_tier
FROM (
  SELECT customer_id, ${joinSql(measures)}
  FROM ${orders} o
  WHERE status = 'paid' AND paid_at < ${sqlTimestamp(asOf)}
  GROUP BY customer_id
) spend`;
}

/** The tier every customer starts in: the first. */
export function baseTier(tiers: readonly MemberTier[]): string {
  const first = tiers[0];
  if (!first) throw new RangeError('no member tiers');
  return first.name;
}
