import { DAYS_PATTERN, type MemberTier } from '../campaign/loyalty-schema.ts';
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
export function memberTierSql(tiers: readonly MemberTier[], orders: string, asOf: Date): string {
  const windows = [...new Set(tiers.map(windowDays))];
  const suffix = (days: number | null) => (days === null ? 'all' : `${days}d`);
  const measures = windows.flatMap((days) => {
    const inWindow =
      days === null ? '' : ` AND paid_at >= ${sqlTimestamp(new Date(asOf.getTime() - days * DAY_MS))}`;
    return [
      `coalesce(sum(amount) FILTER (WHERE status = 'paid'${inWindow}), 0) AS spend_${suffix(days)}`,
      `count(*) FILTER (WHERE status = 'paid'${inWindow}) AS orders_${suffix(days)}`,
    ];
  });
  const whens = tiers
    .slice(1)
    .map((tier) => {
      const s = suffix(windowDays(tier));
      const conds = [
        tier.minSpend !== undefined ? `spend_${s} >= ${sqlNumber(tier.minSpend)}` : null,
        tier.minOrders !== undefined ? `orders_${s} >= ${sqlNumber(tier.minOrders)}` : null,
      ].filter((c): c is string => c !== null);
      return `WHEN ${conds.join(tier.match === 'any' ? ' OR ' : ' AND ')} THEN ${sqlString(tier.name)}`;
    })
    .reverse();
  const tierCase = whens.length
    ? `CASE ${whens.join(' ')} ELSE ${sqlString(baseTier(tiers))} END`
    : sqlString(baseTier(tiers));
  return `SELECT customer_id, ${tierCase} AS member_tier
FROM (
  SELECT customer_id, ${measures.join(', ')}
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
