import { DEFAULT_SHOP_CALENDAR, type ShopCalendar } from '../campaign/shop-calendar-schema.ts';
import { joinSql, type Sql, sql } from '../lake/sql.ts';
import {
  sqlDate,
  sqlInterval,
  sqlNumber,
  sqlNumberList,
  sqlString,
  sqlStringList,
  sqlTimestamp,
} from '../lake/sql-literals.ts';
import { parseDuration } from '../time/duration.ts';
import { localParts, localToInstant } from '../time/zoned-time.ts';
import { allOf, idsIn, type PredicateSql, predicateSql } from './id-set.ts';
import { promotionWindow } from './promotion-calendar.ts';
import { rfmGroupCells } from './rfm.ts';
import { latestSeasonYear, runSeason, seasonWindow } from './seasons.ts';
import type { BoughtArgs, Rule, SeasonArgs } from './segment-schema.ts';

/**
 * Predicates over what customers paid for. Order-level ones add aggregate columns to the per-customer
 * `stats` CTE, so recency, frequency, monetary and RFM in one segment read the orders once; "bought
 * within N days" (recency with only an upper bound on the days) is a semi-join on recent orders instead,
 * which reads only the row groups of recent months. Line-level ones are semi-joins on order_items, each
 * with its own filter written into its own scan (no shared CTE, which DuckDB materializes whole when it
 * is read twice), so the category or sku filter reaches the Parquet reader and skips the row groups of
 * other categories (order lines are sorted by category within a month: see docs/data-model.md). A
 * selective filter beats one shared per-customer aggregation of all lines (docs/benchmarks.md).
 */
export interface Aggregates {
  /** Extra columns of `stats` (FROM paid), named o_0, o_1, … */
  orders: Sql[];
  /** RFM scores the rules read: only those windows are computed. */
  rfm: Set<'r' | 'f' | 'm'>;
}

export interface PurchaseContext {
  runAt: Date;
  timeZone: string;
  /** The shop's promotions and seasons; default: the built-in ones. */
  calendar?: ShopCalendar;
}

export type PurchaseRule = Extract<
  Rule,
  | { recency: unknown }
  | { frequency: unknown }
  | { monetary: unknown }
  | { rfm: unknown }
  | { bought: unknown }
  | { earlyBuyer: unknown }
  | { unitsBought: unknown }
  | { crossSell: unknown }
  | { replenishmentDue: unknown }
  | { season: unknown }
>;

export function isPurchaseRule(rule: Rule): rule is PurchaseRule {
  return [
    'recency',
    'frequency',
    'monetary',
    'rfm',
    'bought',
    'earlyBuyer',
    'unitsBought',
    'crossSell',
    'replenishmentDue',
    'season',
  ].some((k) => k in rule);
}

/** Days a `sameSeasonLastYear` window covers, from the same date last year. */
const SAME_SEASON_DAYS = 90;

/** How many years back a `season` rule without `year` or `yearsAgo` looks: all of a shop's history. */
const SEASON_ANY_YEAR_SPAN = 25;

const inStats = (cond: Sql) => idsIn(sql`SELECT customer_id FROM stats WHERE ${cond}`);

export function purchasePredicate(rule: PurchaseRule, ctx: PurchaseContext, aggs: Aggregates): PredicateSql {
  const run = ctx.runAt;
  const before = (duration: string) => sqlTimestamp(new Date(run.getTime() - parseDuration(duration)));
  const order = (expr: Sql) => sql`o_${aggs.orders.push(expr) - 1}`;
  const paidWithin = (within: string | undefined) => (within ? sql`paid_at >= ${before(within)}` : sql`true`);
  /** Customers with a line of a paid order created before the run that matches `where` (and `having`). */
  const itemBuyers = (where: Sql, having?: Sql) =>
    sql`SELECT i.customer_id FROM order_items i WHERE i.order_status = 'paid' AND i.created_at < ${sqlTimestamp(run)} AND ${where}${having ? sql` GROUP BY i.customer_id HAVING ${having}` : sql``}`;
  const inItems = (where: Sql, having?: Sql) => idsIn(itemBuyers(where, having));

  if ('recency' in rule) {
    const { min, max } = rule.recency.days;
    if (min === undefined && max !== undefined)
      return idsIn(
        sql`SELECT customer_id FROM orders WHERE status = 'paid' AND paid_at >= ${before(`${max}d`)} AND paid_at < ${sqlTimestamp(run)}`,
      );
    return inStats(
      allOf([
        max !== undefined ? sql`last_paid >= ${before(`${max}d`)}` : null,
        min !== undefined ? sql`last_paid <= ${before(`${min}d`)}` : null,
      ]),
    );
  }
  if ('frequency' in rule) {
    const { orders, within } = rule.frequency;
    const n = within ? order(sql`count(*) FILTER (WHERE ${paidWithin(within)})`) : sql`order_count`;
    if (!orders.min) {
      // Zero orders qualifies: select by what is excluded, so customers without orders are kept.
      return orders.max === undefined
        ? sql`true`
        : sql`NOT ${predicateSql(inStats(sql`${n} > ${sqlNumber(orders.max)}`))}`;
    }
    return inStats(
      allOf([
        sql`${n} >= ${sqlNumber(orders.min)}`,
        orders.max !== undefined ? sql`${n} <= ${sqlNumber(orders.max)}` : null,
      ]),
    );
  }
  if ('monetary' in rule) {
    const { spend, aov, within } = rule.monetary;
    const w = paidWithin(within);
    const conds = [sql`${order(sql`count(*) FILTER (WHERE ${w})`)} > 0`];
    const band = (expr: Sql, r: { min?: number; max?: number } | undefined) => {
      if (!r) return;
      const col = order(expr);
      if (r.min !== undefined) conds.push(sql`${col} >= ${sqlNumber(r.min)}`);
      if (r.max !== undefined) conds.push(sql`${col} < ${sqlNumber(r.max)}`);
    };
    band(sql`sum(amount) FILTER (WHERE ${w})`, spend);
    band(sql`avg(amount) FILTER (WHERE ${w})`, aov);
    return inStats(allOf(conds));
  }
  if ('rfm' in rule) {
    const { r, f, m, group } = rule.rfm;
    for (const [dim, used] of [
      ['r', r || group],
      ['f', f || group],
      ['m', m],
    ] as const)
      if (used) aggs.rfm.add(dim);
    const conds = allOf([
      r ? sql`r IN ${sqlNumberList(r)}` : null,
      f ? sql`f IN ${sqlNumberList(f)}` : null,
      m ? sql`m IN ${sqlNumberList(m)}` : null,
      group ? sql`(10 * r + f) IN ${sqlNumberList(rfmGroupCells(group))}` : null,
    ]);
    return idsIn(sql`SELECT customer_id FROM rfm WHERE ${conds}`);
  }
  if ('bought' in rule) {
    return inItems(sql`${productFilter(rule.bought)}${orderWindow(rule.bought, ctx)}`);
  }
  if ('season' in rule) {
    return inItems(sql`${productFilter(rule.season)}${seasonWindows(rule.season, ctx)}`);
  }
  if ('earlyBuyer' in rule) {
    const { withinDaysOfLaunch, launchedWithin } = rule.earlyBuyer;
    const launched = launchedWithin
      ? sql` AND i.launch_date >= ${sqlDate(new Date(run.getTime() - parseDuration(launchedWithin)).toISOString().slice(0, 10))}`
      : sql``;
    const early = sql`i.created_at >= CAST(i.launch_date AS TIMESTAMP) AND i.created_at < CAST(i.launch_date AS TIMESTAMP) + ${sqlInterval((withinDaysOfLaunch + 1) * 86_400_000)}`;
    return inItems(sql`${productFilter(rule.earlyBuyer)}${launched} AND ${early}`);
  }
  if ('unitsBought' in rule) {
    const { atLeast, within } = rule.unitsBought;
    const since = within ? sql` AND i.created_at >= ${before(within)}` : sql``;
    return inItems(
      sql`${productFilter(rule.unitsBought)}${since}`,
      sql`sum(i.quantity) >= ${sqlNumber(atLeast)}`,
    );
  }
  if ('crossSell' in rule) {
    const { bought, never, within } = rule.crossSell;
    const since = within ? sql` AND i.created_at >= ${before(within)}` : sql``;
    // One set difference (buyers of one, except those of the other): faster than a semi-join and an anti-join.
    return idsIn(sql`${itemBuyers(sql`i.category IN ${sqlStringList(bought)}${since}`)}
    EXCEPT ${itemBuyers(sql`i.category IN ${sqlStringList(never)}`)}`);
  }
  // Each purchase runs out after its product's own use cycle (products.use_cycle_days), else the rule's;
  // the customer is due when their latest purchase of the category runs out.
  const { category, cycle, dueWithin } = rule.replenishmentDue;
  const ruleCycle = sqlInterval(parseDuration(cycle));
  const runsOut = sql`CASE WHEN p.use_cycle_days IS NULL THEN i.created_at + ${ruleCycle}
      ELSE i.created_at + p.use_cycle_days * INTERVAL '1' DAY END`;
  const due = sql`max(${runsOut})`;
  const to = sqlTimestamp(new Date(run.getTime() + parseDuration(dueWithin.after)));
  return idsIn(sql`SELECT i.customer_id FROM order_items i LEFT JOIN products p ON p.sku = i.sku
    WHERE i.order_status = 'paid' AND i.created_at < ${sqlTimestamp(run)} AND i.category = ${sqlString(category)}
    GROUP BY i.customer_id HAVING ${due} >= ${before(dueWithin.before)} AND ${due} <= ${to}`);
}

function productFilter(p: { category?: string[] | undefined; sku?: string[] | undefined }): Sql {
  if (!p.category && !p.sku) return sql`true`;
  return allOf([
    p.category ? sql`i.category IN ${sqlStringList(p.category)}` : null,
    p.sku ? sql`i.sku IN ${sqlStringList(p.sku)}` : null,
  ]);
}

/** The order window of a `bought` rule, as conditions on i.created_at (UTC) from local calendar dates. */
function orderWindow(b: BoughtArgs, ctx: PurchaseContext): Sql {
  const run = ctx.runAt;
  const span = (from: Date, to: Date) =>
    sql` AND i.created_at >= ${sqlTimestamp(from)} AND i.created_at < ${sqlTimestamp(to)}`;
  if (b.within) return span(new Date(run.getTime() - parseDuration(b.within)), run);
  if (b.between)
    return span(localToInstant(b.between[0], ctx.timeZone), localToInstant(b.between[1], ctx.timeZone));
  if (b.sameSeasonLastYear) {
    const from = new Date(run.getTime() - 365 * 86_400_000);
    return span(from, new Date(from.getTime() + SAME_SEASON_DAYS * 86_400_000));
  }
  if (b.promotion) {
    const year = localParts(run, ctx.timeZone).year;
    const calendar = ctx.calendar ?? DEFAULT_SHOP_CALENDAR;
    const promotion = b.promotion;
    return localWindows(
      (b.yearsAgo ?? [0]).map((k) => promotionWindow(promotion, year - k, calendar)),
      ctx.timeZone,
    );
  }
  return sql``;
}

/**
 * The windows of a `season` rule: its season (default: the one the run is in) in the years asked for,
 * counted back from its latest edition begun by the run, or every year of the shop's history.
 */
function seasonWindows(s: SeasonArgs, ctx: PurchaseContext): Sql {
  const { seasons } = ctx.calendar ?? DEFAULT_SHOP_CALENDAR;
  const name = s.name ?? runSeason(ctx.runAt, ctx.timeZone, seasons);
  const latest = latestSeasonYear(name, ctx.runAt, ctx.timeZone, seasons);
  const years =
    s.year !== undefined
      ? [s.year]
      : (s.yearsAgo ?? Array.from({ length: SEASON_ANY_YEAR_SPAN + 1 }, (_, k) => k)).map((k) => latest - k);
  return localWindows(
    years.map((y) => seasonWindow(name, y, seasons)),
    ctx.timeZone,
  );
}

/** Local [from, to) windows as an OR of conditions on i.created_at (UTC). */
function localWindows(windows: [string, string][], timeZone: string): Sql {
  const conds = windows.map(([from, to]) => {
    const [a, b] = [localToInstant(from, timeZone), localToInstant(to, timeZone)];
    return sql`(i.created_at >= ${sqlTimestamp(a)} AND i.created_at < ${sqlTimestamp(b)})`;
  });
  return sql` AND (${joinSql(conds, sql` OR `)})`;
}
