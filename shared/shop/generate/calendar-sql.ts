import { SPRING_FESTIVALS } from '../../time/spring-festivals.ts';

/**
 * Demand over the shop's history as SQL: one row per local day with its share of orders, cumulated so a
 * uniform number can be turned into a day (inverse transform, via ASOF JOIN). The shape: steady growth,
 * the Double-11 pre-sale and peak, 618, Double-12, weekends a little busier, Spring Festival a dip.
 */
export function calendarSql(startDay: string, days: number, growth: number): string {
  const festivalDips = SPRING_FESTIVALS.map(
    (d) => `day BETWEEN DATE '${d}' - INTERVAL 7 DAY AND DATE '${d}' + INTERVAL 6 DAY`,
  ).join(' OR ');
  return `
CREATE TABLE calendar AS
WITH d AS (
  SELECT i AS day_idx, CAST(DATE '${startDay}' + to_days(CAST(i AS INTEGER)) AS DATE) AS day FROM range(${days}) t(i)
), w AS (
  SELECT day_idx, day,
    exp(${growth} * day_idx / ${days})
    * CASE
        WHEN month(day) = 11 AND dayofmonth(day) = 11 THEN 10
        WHEN month(day) = 11 AND dayofmonth(day) = 12 THEN 2
        WHEN month(day) = 11 AND dayofmonth(day) < 11 THEN 1.6
        WHEN month(day) = 6 AND dayofmonth(day) = 18 THEN 5
        WHEN month(day) = 6 AND dayofmonth(day) < 18 THEN 1.5
        WHEN month(day) = 12 AND dayofmonth(day) = 12 THEN 2.5
        WHEN ${festivalDips} THEN 0.4
        ELSE 1
      END
    * CASE WHEN dayofweek(day) IN (0, 6) THEN 1.1 ELSE 1 END AS w
  FROM d
)
SELECT day_idx, day,
  (sum(w) OVER (ORDER BY day_idx) - w) / sum(w) OVER () AS cum_lo,
  sum(w) OVER (ORDER BY day_idx) / sum(w) OVER () AS cum_hi,
  (month(day) = 11 AND dayofmonth(day) = 11) OR (month(day) = 6 AND dayofmonth(day) = 18) AS peak
FROM w`;
}

/** Hour-of-day demand: evenings on ordinary days; the first hour dominates on 11.11 and 6.18. */
export function hoursSql(): string {
  const ordinary = [
    2, 1, 0.5, 0.3, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4.5, 4.5, 4, 4, 4, 4.2, 4.5, 5, 6, 7, 7.5, 6.5, 4,
  ];
  const peak = [30, 8, 3, 1, 0.5, 0.5, 1, 2, 3, 4, 4.5, 5, 5, 4.5, 4.5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 9, 10];
  const rows = (weights: number[], peakFlag: boolean) => {
    const total = weights.reduce((a, b) => a + b, 0);
    let cum = 0;
    return weights.map((w, h) => {
      const row = `(${peakFlag}, ${h}, ${cum / total})`;
      cum += w;
      return row;
    });
  };
  return `CREATE TABLE hours AS SELECT * FROM (VALUES ${[...rows(ordinary, false), ...rows(peak, true)].join(', ')}) v(peak, hour, cum_lo)`;
}
