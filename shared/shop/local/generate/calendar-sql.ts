import { joinSql, type Sql, sql } from '../../../lake/sql.ts';
import { sqlDate } from '../../../lake/sql-literals.ts';
import { BUILT_IN_PROMOTIONS } from '../../../segment/promotion-calendar.ts';
import { SPRING_FESTIVALS } from '../../../time/spring-festivals.ts';

/**
 * Demand of the promotion calendar's promotions (shared/segment/promotion-calendar.ts): the whole window
 * sells `boost` times an ordinary day, its last day `lastDay` times; `peak` days have the midnight rush.
 */
const PROMOTION_DEMAND: Record<string, { boost: number; lastDay: number; peak: boolean }> = {
  'double-11': { boost: 1.6, lastDay: 10, peak: true },
  '618': { boost: 1.5, lastDay: 5, peak: true },
  'double-12': { boost: 2.5, lastDay: 2.5, peak: false },
  'nian-huo-jie': { boost: 1.2, lastDay: 1.2, peak: false },
};

/** The promotions' days over [startDay, startDay + days) as SQL VALUES rows (from, to exclusive, demand). */
function promotionRows(startDay: string, days: number): Sql[] {
  const first = Number(startDay.slice(0, 4));
  const last = new Date(Date.parse(`${startDay}T00:00Z`) + days * 86_400_000).getUTCFullYear();
  const rows: Sql[] = [];
  for (let year = first; year <= last; year++)
    for (const p of BUILT_IN_PROMOTIONS) {
      const demand = PROMOTION_DEMAND[p.name];
      const window = p.window(year);
      if (!demand || !window) continue;
      const [from, to] = window;
      rows.push(
        sql`(${sqlDate(from.slice(0, 10))}, ${sqlDate(to.slice(0, 10))}, ${demand.boost}, ${demand.lastDay}, ${demand.peak})`,
      );
    }
  return rows;
}

/**
 * Demand over the shop's history as SQL: one row per local day with its share of orders, cumulated so a
 * uniform number can be turned into a day (inverse transform, via ASOF JOIN). The shape: steady growth,
 * the promotion calendar's promotions (Double-11's pre-sale and peak, 618, Double-12, 年货节), weekends a
 * little busier, Spring Festival a dip. `cum_new_lo` is the same for first orders, with `newGrowth`: a
 * growing shop wins new customers faster than its orders grow.
 */
export function calendarSql(startDay: string, days: number, growth: number, newGrowth: number): Sql {
  const festivalDips = joinSql(
    SPRING_FESTIVALS.map(
      (d) => sql`day BETWEEN ${sqlDate(d)} - INTERVAL 7 DAY AND ${sqlDate(d)} + INTERVAL 6 DAY`,
    ),
    sql` OR `,
  );
  return sql`
CREATE TABLE calendar AS
WITH d AS (
  SELECT i AS day_idx, CAST(${sqlDate(startDay)} + to_days(CAST(i AS INTEGER)) AS DATE) AS day FROM range(${days}) t(i)
), promos(from_day, to_day, boost, last_day, peak) AS (
  VALUES ${joinSql(promotionRows(startDay, days))}
), promo_days AS (
  SELECT d.day_idx, max(CASE WHEN d.day = p.to_day - 1 THEN p.last_day ELSE p.boost END) AS demand,
    bool_or(p.peak AND d.day = p.to_day - 1) AS peak
  FROM d JOIN promos p ON d.day >= p.from_day AND d.day < p.to_day GROUP BY 1
), w AS (
  SELECT d.day_idx, d.day, coalesce(pd.peak, false) AS peak, exp(${newGrowth - growth} * d.day_idx / ${days}) AS newer,
    exp(${growth} * d.day_idx / ${days})
    * coalesce(pd.demand, CASE WHEN ${festivalDips} THEN 0.4 ELSE 1 END)
    * CASE WHEN dayofweek(d.day) IN (0, 6) THEN 1.1 ELSE 1 END AS w
  FROM d LEFT JOIN promo_days pd USING (day_idx)
)
SELECT day_idx, day,
  (sum(w) OVER (ORDER BY day_idx) - w) / sum(w) OVER () AS cum_lo,
  sum(w) OVER (ORDER BY day_idx) / sum(w) OVER () AS cum_hi,
  (sum(w * newer) OVER (ORDER BY day_idx) - w * newer) / sum(w * newer) OVER () AS cum_new_lo,
  peak
FROM w`;
}

/** Hour-of-day demand: evenings on ordinary days; the first hour dominates on 11.11 and 6.18. */
export function hoursSql(): Sql {
  const ordinary = [
    2, 1, 0.5, 0.3, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4.5, 4.5, 4, 4, 4, 4.2, 4.5, 5, 6, 7, 7.5, 6.5, 4,
  ];
  const peak = [30, 8, 3, 1, 0.5, 0.5, 1, 2, 3, 4, 4.5, 5, 5, 4.5, 4.5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 9, 10];
  const rows = (weights: number[], peakFlag: boolean) => {
    const total = weights.reduce((a, b) => a + b, 0);
    let cum = 0;
    return weights.map((w, h) => {
      const row = sql`(${peakFlag}, ${h}, ${cum / total})`;
      cum += w;
      return row;
    });
  };
  return sql`CREATE TABLE hours AS SELECT * FROM (VALUES ${joinSql([...rows(ordinary, false), ...rows(peak, true)])}) v(peak, hour, cum_lo)`;
}
