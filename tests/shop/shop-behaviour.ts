import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString, sqlStringList } from '../../shared/lake/sql-literals.ts';
import type { Warehouse } from '../../shared/lake/warehouse.ts';

/**
 * The figures that say whether a generated shop behaves like a shop (issue 18, point 9), measured with
 * the lake's own tables and analysts' views. Local days are Beijing days (the lake stores UTC).
 */
export interface ShopBehaviour {
  /** Most orders one customer placed on one local day. */
  maxOrdersPerCustomerDay: number;
  /** Per month of the last 12 complete months: share of paid orders from returning buyers. */
  returningShareByMonth: { month: string; share: number }[];
  /** Month (1–12) in which summer lines first reach a quarter of the region's lines, all years together. */
  summerMonth: { south: number | null; north: number | null };
  /** Day of year by which half of the region's summer lines of the year are sold, all years together. */
  summerMedianDay: { south: number; north: number };
  /** Category-level lift of each pair asked for (co_purchase view), NULL when the pair is not listed. */
  lift: Record<string, number | null>;
  /** 30-day repurchase over the last 12 months with complete windows (member_repurchase_30d). */
  repurchase30d: { member: number; nonMember: number };
}

const LOCAL_DAY = sql`CAST(created_at + INTERVAL '8' HOUR AS DATE)`;

export async function measureShop(
  wh: Warehouse,
  zones: { south: readonly string[]; north: readonly string[] },
  pairs: readonly [string, string][],
): Promise<ShopBehaviour> {
  const q = async (query: Sql) => (await wh.query(query)).rows;

  const [maxDay] = await q(sql`SELECT max(n) AS n FROM (
      SELECT customer_id, ${LOCAL_DAY} AS d, count(*) AS n FROM orders GROUP BY 1, 2)`);

  const returning = await q(sql`WITH r AS (
      SELECT ${LOCAL_DAY} AS day,
        row_number() OVER (PARTITION BY customer_id ORDER BY paid_at, order_id) > 1 AS is_returning
      FROM orders WHERE status = 'paid'),
    last_month AS (SELECT date_trunc('month', max(day)) AS m FROM r)
    SELECT strftime(date_trunc('month', day), '%Y-%m') AS month,
      count(*) FILTER (WHERE is_returning) / count(*) AS share
    FROM r, last_month
    WHERE date_trunc('month', day) < last_month.m AND date_trunc('month', day) >= last_month.m - INTERVAL 12 MONTH
    GROUP BY 1 ORDER BY 1`);

  const zoneOf = sql`CASE WHEN c.province IN ${sqlStringList(zones.south)} THEN 'south'
      WHEN c.province IN ${sqlStringList(zones.north)} THEN 'north' END`;
  const regional = await q(sql`WITH l AS (
      SELECT ${zoneOf} AS zone, CAST(i.created_at + INTERVAL '8' HOUR AS DATE) AS day, i.season = 'summer' AS summer
      FROM order_items i JOIN customers c USING (customer_id)),
    m AS (SELECT zone, month(day) AS month, count(*) FILTER (WHERE summer) / count(*) AS share
      FROM l WHERE zone IS NOT NULL GROUP BY 1, 2),
    d AS (SELECT zone, quantile_disc(dayofyear(day), 0.5) AS median_day FROM l WHERE summer AND zone IS NOT NULL GROUP BY 1)
    SELECT d.zone, d.median_day, (SELECT min(month) FROM m WHERE m.zone = d.zone AND share >= 0.25) AS first_month
    FROM d`);
  const zone = (z: string) => regional.find((r) => r.zone === z);

  const lift: Record<string, number | null> = {};
  for (const [a, b] of pairs) {
    const [row] = await q(
      sql`SELECT lift FROM co_purchase WHERE level = 'category' AND item_a = ${sqlString(a)} AND item_b = ${sqlString(b)}`,
    );
    lift[`${a}+${b}`] = row ? Number(row.lift) : null;
  }

  const [rep] =
    await q(sql`WITH r AS (SELECT * FROM member_repurchase_30d WHERE repurchase_30d_rate IS NOT NULL),
      last AS (SELECT max(month) AS m FROM r)
    SELECT sum(repurchased_30d) FILTER (WHERE member_group = 'member') / sum(buyers) FILTER (WHERE member_group = 'member') AS member,
      sum(repurchased_30d) FILTER (WHERE member_group = 'non-member') / sum(buyers) FILTER (WHERE member_group = 'non-member') AS non_member
    FROM r, last WHERE month > last.m - INTERVAL 12 MONTH`);

  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    maxOrdersPerCustomerDay: Number(maxDay?.n),
    returningShareByMonth: returning.map((r) => ({ month: String(r.month), share: Number(r.share) })),
    summerMonth: { south: num(zone('south')?.first_month), north: num(zone('north')?.first_month) },
    summerMedianDay: { south: Number(zone('south')?.median_day), north: Number(zone('north')?.median_day) },
    lift,
    repurchase30d: { member: Number(rep?.member), nonMember: Number(rep?.non_member) },
  };
}
