import { type Column, col, rowDecoder } from '../lake/row-decoder.ts';
import { type Sql, sql } from '../lake/sql.ts';
import { sqlInterval } from '../lake/sql-literals.ts';
import type { Warehouse } from '../lake/warehouse.ts';

/**
 * The shape of a shop, in the figures the shops themselves quote. Definitions (all over paid orders,
 * "now" = the latest order in the data, so a profile does not change with the day it is run):
 * - one-time buyers: buyers with exactly one paid order;
 * - dormant: buyers whose last paid order is more than 365 days old;
 * - second-purchase rate within N days (180 and 365): of buyers whose first paid order is at least
 *   N days old, those who paid for a second order within N days of the first. Shops quote this rate
 *   without saying the window, so both common windows are shown.
 */
export interface ShopProfile {
  customers: number;
  orders: number;
  paidOrders: number;
  buyers: number;
  revenue: number;
  from: string | null;
  to: string | null;
  oneTimePct: number;
  twoOrdersPct: number;
  threePlusPct: number;
  dormantPct: number;
  secondPurchase180dPct: number;
  secondPurchase365dPct: number;
}

const DAY_MS = 86_400_000;

function secondPurchaseRate(days: number): Sql {
  const window = sqlInterval(days * DAY_MS);
  const cohort = sql`first_paid <= (SELECT now_ts FROM now_) - ${window}`;
  return sql`100.0 * count(*) FILTER (WHERE second_paid <= first_paid + ${window} AND ${cohort})
    / nullif(count(*) FILTER (WHERE ${cohort}), 0)`;
}

export const SHOP_PROFILE_SQL = sql`
WITH now_ AS (SELECT max(created_at) AS now_ts, min(created_at) AS first_ts FROM orders),
paid AS (
  SELECT customer_id, paid_at, row_number() OVER (PARTITION BY customer_id ORDER BY paid_at, order_id) AS rn
  FROM orders WHERE status = 'paid'
),
per_buyer AS (
  SELECT customer_id, count(*) AS n, min(paid_at) AS first_paid, max(paid_at) AS last_paid,
    min(CASE WHEN rn = 2 THEN paid_at END) AS second_paid
  FROM paid GROUP BY customer_id
)
SELECT
  (SELECT count(*) FROM customers) AS customers,
  (SELECT count(*) FROM orders) AS orders,
  (SELECT count(*) FROM orders WHERE status = 'paid') AS paid_orders,
  (SELECT CAST(coalesce(sum(amount), 0) AS DOUBLE) FROM orders WHERE status = 'paid') AS revenue,
  (SELECT CAST(CAST(first_ts AS DATE) AS VARCHAR) FROM now_) AS from_day,
  (SELECT CAST(CAST(now_ts AS DATE) AS VARCHAR) FROM now_) AS to_day,
  count(*) AS buyers,
  100.0 * count(*) FILTER (WHERE n = 1) / nullif(count(*), 0) AS one_time_pct,
  100.0 * count(*) FILTER (WHERE n = 2) / nullif(count(*), 0) AS two_orders_pct,
  100.0 * count(*) FILTER (WHERE n >= 3) / nullif(count(*), 0) AS three_plus_pct,
  100.0 * count(*) FILTER (WHERE last_paid < (SELECT now_ts FROM now_) - INTERVAL '365' DAY) / nullif(count(*), 0) AS dormant_pct,
  ${secondPurchaseRate(180)} AS second_purchase_180d_pct,
  ${secondPurchaseRate(365)} AS second_purchase_365d_pct
FROM per_buyer`;

/** A figure of the profile: a number, 0 where SQL has none (no orders, no buyers). */
const n: Column<number> = {
  expected: 'a number or NULL',
  read: (v) => (v === null || v === undefined ? 0 : col.number.read(v)),
};
const profileRow = rowDecoder('the shop profile', {
  customers: n,
  orders: n,
  paid_orders: n,
  buyers: n,
  revenue: n,
  from_day: col.optionalText,
  to_day: col.optionalText,
  one_time_pct: n,
  two_orders_pct: n,
  three_plus_pct: n,
  dormant_pct: n,
  second_purchase_180d_pct: n,
  second_purchase_365d_pct: n,
});

export async function shopProfile(warehouse: Warehouse): Promise<ShopProfile> {
  const { rows } = await warehouse.query(SHOP_PROFILE_SQL);
  const r = profileRow(rows[0] ?? {});
  return {
    customers: r.customers,
    orders: r.orders,
    paidOrders: r.paid_orders,
    buyers: r.buyers,
    revenue: r.revenue,
    from: r.from_day,
    to: r.to_day,
    oneTimePct: r.one_time_pct,
    twoOrdersPct: r.two_orders_pct,
    threePlusPct: r.three_plus_pct,
    dormantPct: r.dormant_pct,
    secondPurchase180dPct: r.second_purchase_180d_pct,
    secondPurchase365dPct: r.second_purchase_365d_pct,
  };
}
