import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import { parseDuration } from '../time/duration.ts';
import type { AnalystView } from './analyst-views.ts';
import { ident, joinSql, type Sql, sql } from './sql.ts';
import { sqlNumber, sqlString } from './sql-literals.ts';

/**
 * The shops' own analyses over the order history (docs/analyses.md), as analysts' views: plain SQL that
 * DuckDB (`campaign sql`) and Athena (engine v3, Trino) both run. Common rules:
 * - a purchase is an order with status `paid`, at its `paid_at` (UTC): refunded and never-paid orders
 *   are not purchases;
 * - a buyer's purchases are ordered by (paid_at, order_id); "bought again within N days" means the
 *   buyer's next purchase was paid at most N days after the one counted;
 * - the data ends at the latest `created_at` in orders (as in the shop profile), so a window that runs
 *   past it is not complete and its rate is NULL;
 * - date arithmetic is `+/- INTERVAL 'n' DAY|MONTH|YEAR` cast back to DATE, which both engines read the
 *   same way (DuckDB's date + interval is a timestamp, Trino's a date).
 */

/** Pairs bought together in fewer paid orders than this are left out of co_purchase. */
export const CO_PURCHASE_MIN_ORDERS = 5;

/** The repurchase windows of repurchase_by_region, in days. */
export const REPURCHASE_WINDOWS_DAYS = [30, 90] as const;

/**
 * The figure a shop compares its repurchase rate with (contact-policy.yaml, `benchmarks.repurchaseRate`):
 * the share of buyers who buy a second time within `windowDays` of their first purchase.
 */
export interface RepurchaseBenchmark {
  rate: number;
  windowDays: number;
  source?: string;
}

/** The shop's repurchase benchmark from its contact policy, or null when it entered none. */
export function repurchaseBenchmark(policy: ContactPolicy): RepurchaseBenchmark | null {
  const b = policy.benchmarks?.repurchaseRate;
  if (!b) return null;
  return { rate: b.rate, windowDays: parseDuration(b.window) / 86_400_000, source: b.source };
}

/** The window repurchase_vs_industry measures when the shop has entered no figure (the profile's first). */
export const DEFAULT_REPURCHASE_WINDOW_DAYS = 180;

const PURCHASES = sql`SELECT order_id, customer_id, paid_at, amount FROM orders WHERE status = 'paid' AND paid_at IS NOT NULL`;

/** Each purchase with the buyer's previous and next purchases' times (NULL for none). */
const PURCHASE_SEQUENCE = sql`SELECT order_id, customer_id, paid_at, amount,
    lag(paid_at) OVER (PARTITION BY customer_id ORDER BY paid_at, order_id) AS prev_paid_at,
    lead(paid_at) OVER (PARTITION BY customer_id ORDER BY paid_at, order_id) AS next_paid_at
  FROM orders WHERE status = 'paid' AND paid_at IS NOT NULL`;

const DATA_END = sql`(SELECT CAST(max(created_at) AS DATE) FROM orders)`;

const asDate = (expr: Sql) => sql`CAST(${expr} AS DATE)`;
const monthStart = (ts: Sql) => asDate(sql`date_trunc('month', ${ts})`);
const monthEnd = (ts: Sql) => asDate(sql`date_trunc('month', ${ts}) + INTERVAL '1' MONTH - INTERVAL '1' DAY`);
/** The 15-day period of a timestamp: the 1st–15th or the 16th–end of its month. */
const periodStart = (ts: Sql) =>
  sql`CASE WHEN day(${ts}) <= 15 THEN ${monthStart(ts)} ELSE ${asDate(sql`date_trunc('month', ${ts}) + INTERVAL '15' DAY`)} END`;
const periodEnd = (ts: Sql) =>
  sql`CASE WHEN day(${ts}) <= 15 THEN ${asDate(sql`date_trunc('month', ${ts}) + INTERVAL '14' DAY`)} ELSE ${monthEnd(ts)} END`;
/** Meteorological seasons; a winter (December–February) belongs to the year of its December. */
const season = (ts: Sql) =>
  sql`CASE WHEN month(${ts}) IN (3, 4, 5) THEN 'spring' WHEN month(${ts}) IN (6, 7, 8) THEN 'summer'
    WHEN month(${ts}) IN (9, 10, 11) THEN 'autumn' ELSE 'winter' END`;
const seasonYear = (ts: Sql) => sql`CASE WHEN month(${ts}) <= 2 THEN year(${ts}) - 1 ELSE year(${ts}) END`;

const ratio = (num: Sql, den: Sql) => sql`CAST(${num} AS DOUBLE) / nullif(${den}, 0)`;
/** Relative change (0.25 = +25%); NULL without a previous value or from zero. */
const change = (cur: Sql, prev: Sql) =>
  sql`CASE WHEN ${prev} > 0 THEN CAST(${cur} AS DOUBLE) / ${prev} - 1 END`;
/** A rate whose window ends after the data does is NULL: the buyers may still come back. */
const rateIfComplete = (num: Sql, den: Sql, periodEndCol: Sql, days: number) =>
  sql`CASE WHEN ${periodEndCol} + INTERVAL '${days}' DAY < ${DATA_END} THEN ${ratio(num, den)} END`;

/**
 * Each buyer's first purchase in each period (`period_start`/`period_end` from the given expressions):
 * the purchase whose previous one is in an earlier period, or that has none; with the next purchase.
 */
const firstInPeriod = (start: (ts: Sql) => Sql, end: (ts: Sql) => Sql) => sql`SELECT s.*,
    ${start(sql`s.paid_at`)} AS period_start, ${end(sql`s.paid_at`)} AS period_end
  FROM (${PURCHASE_SEQUENCE}) s
  WHERE s.prev_paid_at IS NULL OR ${start(sql`s.prev_paid_at`)} <> ${start(sql`s.paid_at`)}`;

const boughtAgain = (days: number) =>
  sql`count(*) FILTER (WHERE next_paid_at <= paid_at + INTERVAL '${days}' DAY)`;

// order_items repeats its order's status (kept in step by imports), so the lines need no join with orders.
const CO_PURCHASE = sql`WITH paid_lines AS (
  SELECT DISTINCT order_id, customer_id, sku, category FROM order_items WHERE order_status = 'paid'
),
items AS (
  SELECT DISTINCT 'sku' AS level, order_id, customer_id, sku AS item FROM paid_lines
  UNION ALL
  SELECT DISTINCT 'category' AS level, order_id, customer_id, category AS item FROM paid_lines
),
baskets AS (SELECT count(DISTINCT order_id) AS orders FROM paid_lines),
item_orders AS (SELECT level, item, count(*) AS orders FROM items GROUP BY 1, 2),
pairs AS (
  SELECT a.level, a.item AS item_a, b.item AS item_b, count(*) AS orders_with_both,
    count(DISTINCT a.customer_id) AS buyers_with_both
  FROM items a JOIN items b ON b.order_id = a.order_id AND b.level = a.level AND b.item <> a.item
  GROUP BY 1, 2, 3
  HAVING count(*) >= ${CO_PURCHASE_MIN_ORDERS}
)
SELECT p.level, p.item_a, p.item_b, ia.orders AS orders_with_a, ib.orders AS orders_with_b,
  p.orders_with_both, p.buyers_with_both,
  ${ratio(sql`p.orders_with_both`, sql`n.orders`)} AS support,
  ${ratio(sql`p.orders_with_both`, sql`ia.orders`)} AS confidence,
  CAST(p.orders_with_both AS DOUBLE) * n.orders / (CAST(ia.orders AS DOUBLE) * ib.orders) AS lift
FROM pairs p
JOIN item_orders ia ON ia.level = p.level AND ia.item = p.item_a
JOIN item_orders ib ON ib.level = p.level AND ib.item = p.item_b
CROSS JOIN baskets n`;

const BUYERS_BY_REGION_PERIOD = sql`SELECT ${periodStart(sql`p.paid_at`)} AS period_start, ${periodEnd(sql`p.paid_at`)} AS period_end,
  ${season(sql`p.paid_at`)} AS season, ${seasonYear(sql`p.paid_at`)} AS season_year, c.province,
  count(DISTINCT p.customer_id) AS buyers, count(*) AS orders, sum(p.amount) AS revenue
FROM (${PURCHASES}) p LEFT JOIN customers c ON c.customer_id = p.customer_id
GROUP BY 1, 2, 3, 4, 5`;

const REPURCHASE_BY_REGION = sql`WITH f AS (${firstInPeriod(periodStart, periodEnd)})
SELECT f.period_start, f.period_end, c.province, count(*) AS buyers,
  ${joinSql(REPURCHASE_WINDOWS_DAYS.map((d) => sql`${boughtAgain(d)} AS repurchased_${d}d`))},
  ${joinSql(
    REPURCHASE_WINDOWS_DAYS.map(
      (d) =>
        sql`${rateIfComplete(boughtAgain(d), sql`count(*)`, sql`f.period_end`, d)} AS repurchase_${d}d_rate`,
    ),
    sql`,\n  `,
  )}
FROM f LEFT JOIN customers c ON c.customer_id = f.customer_id
GROUP BY 1, 2, 3`;

/**
 * The tier every customer starts in (contact-policy.yaml `memberTiers`, first; `normal` without them):
 * a member is a customer in any tier above it.
 */
export function baseMemberTier(policy: ContactPolicy): string {
  return policy.memberTiers?.[0]?.name ?? 'normal';
}

const isMember = (baseTier: string) =>
  sql`coalesce(c.member_tier, ${sqlString(baseTier)}) <> ${sqlString(baseTier)}`;

const MEMBER_MEASURES = ['new_members', 'active_members', 'member_orders', 'member_revenue'].map(ident);

const memberFigures = (
  baseTier: string,
) => sql`WITH members AS (SELECT customer_id, registered_at FROM customers c WHERE ${isMember(baseTier)}),
joined AS (
  SELECT ${monthStart(sql`registered_at`)} AS month, count(*) AS new_members FROM members
  WHERE registered_at IS NOT NULL GROUP BY 1
),
bought AS (
  SELECT ${monthStart(sql`p.paid_at`)} AS month, count(DISTINCT p.customer_id) AS active_members,
    count(*) AS member_orders, sum(p.amount) AS member_revenue
  FROM (${PURCHASES}) p JOIN members m ON m.customer_id = p.customer_id GROUP BY 1
),
months AS (SELECT month FROM joined UNION SELECT month FROM bought),
f AS (
  SELECT months.month, coalesce(j.new_members, 0) AS new_members,
    coalesce(b.active_members, 0) AS active_members, coalesce(b.member_orders, 0) AS member_orders,
    coalesce(b.member_revenue, 0) AS member_revenue
  FROM months LEFT JOIN joined j ON j.month = months.month LEFT JOIN bought b ON b.month = months.month
)
SELECT f.month, sum(f.new_members) OVER (ORDER BY f.month) AS members,
  ${joinSql(
    MEMBER_MEASURES.map(
      (m) =>
        sql`f.${m}, ${change(sql`f.${m}`, sql`pm.${m}`)} AS ${m}_mom, ${change(sql`f.${m}`, sql`py.${m}`)} AS ${m}_yoy`,
    ),
    sql`,\n  `,
  )}
FROM f
LEFT JOIN f pm ON pm.month = ${asDate(sql`f.month - INTERVAL '1' MONTH`)}
LEFT JOIN f py ON py.month = ${asDate(sql`f.month - INTERVAL '1' YEAR`)}`;

const memberRepurchase30d = (baseTier: string) => sql`WITH f AS (${firstInPeriod(monthStart, monthEnd)})
SELECT f.period_start AS month, CASE WHEN ${isMember(baseTier)} THEN 'member' ELSE 'non-member' END AS member_group,
  count(*) AS buyers, ${boughtAgain(30)} AS repurchased_30d,
  ${rateIfComplete(boughtAgain(30), sql`count(*)`, sql`max(f.period_end)`, 30)} AS repurchase_30d_rate
FROM f LEFT JOIN customers c ON c.customer_id = f.customer_id
GROUP BY 1, 2`;

const OLD_CUSTOMER_SHARE_7D = sql`WITH ranked AS (
  SELECT ${asDate(sql`paid_at`)} AS day, amount,
    row_number() OVER (PARTITION BY customer_id ORDER BY paid_at, order_id) > 1 AS is_returning
  FROM (${PURCHASES}) p
),
daily AS (
  SELECT day, count(*) AS orders, count(*) FILTER (WHERE is_returning) AS returning_orders,
    sum(amount) AS revenue, coalesce(sum(amount) FILTER (WHERE is_returning), 0) AS returning_revenue
  FROM ranked GROUP BY 1
),
w AS (
  SELECT d.day, sum(x.orders) AS orders_7d, sum(x.returning_orders) AS returning_orders_7d,
    sum(x.revenue) AS revenue_7d, sum(x.returning_revenue) AS returning_revenue_7d
  FROM daily d JOIN daily x ON x.day BETWEEN ${asDate(sql`d.day - INTERVAL '6' DAY`)} AND d.day
  GROUP BY 1
)
SELECT day, ${asDate(sql`day - INTERVAL '6' DAY`)} AS window_start, orders_7d, returning_orders_7d,
  ${ratio(sql`returning_orders_7d`, sql`orders_7d`)} AS returning_order_share,
  revenue_7d, returning_revenue_7d, ${ratio(sql`returning_revenue_7d`, sql`revenue_7d`)} AS returning_revenue_share
FROM w`;

const repurchaseVsIndustry = (b: RepurchaseBenchmark | null) => {
  const days = b?.windowDays ?? DEFAULT_REPURCHASE_WINDOW_DAYS;
  const cohort = sql`first_paid <= (SELECT max(created_at) FROM orders) - INTERVAL '${days}' DAY`;
  const industry = b ? sql`CAST(${sqlNumber(b.rate)} AS DOUBLE)` : sql`CAST(NULL AS DOUBLE)`;
  return sql`WITH ranked AS (
  SELECT customer_id, paid_at, row_number() OVER (PARTITION BY customer_id ORDER BY paid_at, order_id) AS rn
  FROM (${PURCHASES}) p
),
b AS (
  SELECT customer_id, min(paid_at) AS first_paid, min(CASE WHEN rn = 2 THEN paid_at END) AS second_paid
  FROM ranked GROUP BY 1
),
shop AS (
  SELECT count(*) FILTER (WHERE ${cohort}) AS cohort_buyers,
    count(*) FILTER (WHERE ${cohort} AND second_paid <= first_paid + INTERVAL '${days}' DAY) AS repurchased
  FROM b
)
SELECT ${sqlNumber(days)} AS window_days, cohort_buyers, repurchased, ${ratio(sql`repurchased`, sql`cohort_buyers`)} AS shop_rate,
  ${industry} AS industry_rate, ${ratio(sql`repurchased`, sql`cohort_buyers`)} - ${industry} AS difference,
  CAST(${b?.source === undefined ? sql`NULL` : sqlString(b.source)} AS VARCHAR) AS industry_source
FROM shop`;
};

/**
 * The shop analyses, with the shop's repurchase benchmark (or none) in repurchase_vs_industry and its
 * base member tier (members are the customers above it) in member_figures and member_repurchase_30d.
 */
export function shopAnalyses(benchmark: RepurchaseBenchmark | null, baseTier = 'normal'): AnalystView[] {
  return [
    {
      name: 'co_purchase',
      description: `Pairs of skus (level sku) and of categories (level category) bought in the same paid order, in both directions: orders with each, with both, buyers with both, support (share of paid orders with both), confidence (of orders with item_a, share with item_b) and lift; pairs in at least ${CO_PURCHASE_MIN_ORDERS} orders.`,
      sql: CO_PURCHASE,
    },
    {
      name: 'buyers_by_region_period',
      description:
        'Per 15-day period (1st–15th, 16th–end of month, UTC) and province: buyers, paid orders and revenue, with the period’s season (spring Mar–May … winter Dec–Feb) and season year for filtering.',
      sql: BUYERS_BY_REGION_PERIOD,
    },
    {
      name: 'repurchase_by_region',
      description:
        'Per 15-day period and province: buyers, and those who bought again within 30 and 90 days of their first purchase in the period, with the rates (NULL while the window runs past the data).',
      sql: REPURCHASE_BY_REGION,
    },
    {
      name: 'member_figures',
      description: `Per month: members (member_tier other than ${baseTier}, the first tier) registered to date, new members, active members (with a purchase), member orders and revenue, each with month-over-month and year-over-year change.`,
      sql: memberFigures(baseTier),
    },
    {
      name: 'member_repurchase_30d',
      description:
        'Per month and group (member, non-member): buyers, and those who bought again within 30 days of their first purchase in the month, with the rate (NULL while the window runs past the data).',
      sql: memberRepurchase30d(baseTier),
    },
    {
      name: 'old_customer_share_7d',
      description:
        'Per day with purchases: over the 7 days to it, paid orders and revenue, and the share from returning customers (who had paid for an order before).',
      sql: OLD_CUSTOMER_SHARE_7D,
    },
    {
      name: 'repurchase_vs_industry',
      description:
        "The shop's repurchase rate (buyers whose first purchase is at least the window old who bought a second time within it) against the industry figure entered in contact-policy.yaml (benchmarks.repurchaseRate).",
      sql: repurchaseVsIndustry(benchmark),
    },
  ];
}
