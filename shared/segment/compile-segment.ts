import {
  DEFAULT_SHOP_CALENDAR,
  type ShopCalendar,
  UNKNOWN_AGE_BAND,
} from '../campaign/shop-calendar-schema.ts';
import { OCCURRENCE_MARK } from '../campaign/wave-repeat.ts';
import { armSql } from '../delivery/ledger/ledger.ts';
import { UserError } from '../errors.ts';
import { ident, joinSql, type Sql, sql } from '../lake/sql.ts';
import {
  sqlInterval,
  sqlNumber,
  sqlNumberList,
  sqlString,
  sqlStringList,
  sqlTimestamp,
} from '../lake/sql-literals.ts';
import { parseDuration } from '../time/duration.ts';
import { localToInstant } from '../time/zoned-time.ts';
import { birthdaysWithin, monthPrefix, runMonth } from './birthdays.ts';
import { bucketSql, type Dialect } from './dialect.ts';
import { allOf, IdSet, idsIn, type PredicateSql, predicateSql } from './id-set.ts';
import { provinceSpellings } from './provinces.ts';
import {
  type Aggregates,
  isPurchaseRule,
  type PurchaseRule,
  purchasePredicate,
} from './purchase-predicates.ts';
import type { Rule } from './segment-schema.ts';
import { unknownAgeBandMessage } from './shop-calendar-checks.ts';

/** What a rule is compiled against: the wave's run time (from a Clock), never the engine's now(). */
export interface SegmentContext {
  runAt: Date;
  timeZone: string;
  campaignId: string;
  segments: Readonly<Record<string, { where: Rule }>>;
  dialect: Dialect;
  /** The shop's promotions, seasons and age bands (contact-policy.yaml); default: the built-in ones. */
  calendar?: ShopCalendar;
}

/** Default window for `messageHistory … event: converted`: a paid order within 48 hours of the send. */
const DEFAULT_CONVERSION_WINDOW = '48h';

/**
 * The CTEs segment predicates read: paid orders before the run, per-buyer stats, RFM scores. (Item
 * predicates read order_items in their own semi-joins: see purchase-predicates.ts.) RFM scores are
 * 1 + floor(5 × percent_rank): ties share a score (all one-order buyers have F = 1), and higher is
 * better (R: more recent, F: more orders, M: more spend).
 */
function baseCteDefs(ctx: SegmentContext, aggs: Aggregates): [name: string, query: Sql][] {
  const run = sqlTimestamp(ctx.runAt);
  const extra = aggs.orders.map((a, k) => sql`,\n    ${a} AS o_${k}`);
  return [
    [
      'paid',
      sql`SELECT order_id, customer_id, created_at, paid_at, amount FROM orders
  WHERE status = 'paid' AND paid_at < ${run}`,
    ],
    [
      'stats',
      sql`SELECT customer_id, max(paid_at) AS last_paid, count(*) AS order_count, sum(amount) AS spend${joinSql(extra, sql``)}
  FROM paid GROUP BY customer_id`,
    ],
    ['rfm', rfmSql(aggs.rfm)],
  ];
}

/**
 * The RFM scores a segment reads; groups are (R, F) cells: rfm.ts. A score is
 * least(5, 1 + floor(5 × percent_rank)), percent_rank being (customers with a lower value) / (buyers − 1).
 * R and M (times and amounts, nearly all distinct) take a window over every buyer, i.e. a sort. F's
 * values are few order counts, so its percent_rank comes from counting buyers per order count instead:
 * the same numbers (tested against the window) without sorting every buyer (docs/benchmarks.md).
 */
function rfmSql(dims: ReadonlySet<'r' | 'f' | 'm'>): Sql {
  const window = (column: Sql) => sql`percent_rank() OVER (ORDER BY ${column})`;
  const rank = { r: window(sql`last_paid`), f: sql`fr.pr`, m: window(sql`spend`) } as const;
  const scores = (['r', 'f', 'm'] as const)
    .filter((d) => dims.has(d))
    .map((d) => sql`,\n    least(5, 1 + CAST(floor(5 * ${rank[d]}) AS INTEGER)) AS ${ident(d)}`);
  const fRanks = dims.has('f')
    ? sql`
  JOIN (
    SELECT order_count,
      CAST(sum(n) OVER (ORDER BY order_count) - n AS DOUBLE) / greatest(sum(n) OVER () - 1, 1) AS pr
    FROM (SELECT order_count, count(*) AS n FROM stats GROUP BY order_count) g
  ) fr ON fr.order_count = stats.order_count`
    : sql``;
  return sql`SELECT customer_id${joinSql(scores, sql``)}
  FROM stats${fRanks}`;
}

/**
 * A compiled rule: a boolean expression over `c`, the named segments it reads (as CTEs, in order), and
 * the per-customer aggregates its purchase predicates added to `stats`.
 */
export interface CompiledRule {
  where: Sql;
  segmentCtes: Sql[];
  aggregates: Aggregates;
}

/**
 * The CTEs a query whose other parts are `body` and the rule's named segments reads, in order: only the
 * base CTEs they read (and the ones those read), so a query scans only the tables it needs — what Athena
 * bills — then the named segments' CTEs.
 */
export function neededCtes(ctx: SegmentContext, body: Sql, compiled: CompiledRule): Sql[] {
  const extraCtes = compiled.segmentCtes;
  // The text searched for the CTE names read: the query's parts, then each CTE found needed.
  let text: string = `${extraCtes.join('\n')}\n${body}`;
  const defs = baseCteDefs(ctx, compiled.aggregates);
  const needed = new Set<string>();
  for (const [name, query] of [...defs].reverse()) {
    if (new RegExp(`\\b(FROM|JOIN)\\s+${name}\\b`).test(text)) {
      needed.add(name);
      text += `\n${query}`;
    }
  }
  return [
    ...defs
      .filter(([name]) => needed.has(name))
      .map(([name, query]) => sql`${ident(name)} AS (\n  ${query}\n)`),
    ...extraCtes,
  ];
}

/** The WITH clause for a query whose other parts are `body` and the rule's named segments (see neededCtes). */
function withClause(ctx: SegmentContext, body: Sql, compiled: CompiledRule): Sql {
  const ctes = neededCtes(ctx, body, compiled);
  return ctes.length ? sql`WITH ${joinSql(ctes, sql`,\n`)}\n` : sql``;
}

/** A full query: the customer ids a rule selects. */
export function segmentSql(rule: Rule, ctx: SegmentContext): Sql {
  const compiled = compileRule(rule, ctx);
  const body = sql`SELECT c.customer_id FROM customers c\nWHERE ${compiled.where}`;
  return sql`${withClause(ctx, body, compiled)}${body}`;
}

/** The CTE name of a named segment (names are slugs: lower-case letters, digits, dashes). */
export const segmentCte = (name: string): Sql => ident(`seg_${name.replaceAll('-', '_')}`);

/**
 * A rule as a boolean SQL expression over `c` (a customers row), never NULL, so NOT is plain negation.
 * Named segments become CTEs read with IN, so a segment used twice is written (and can be computed) once.
 */
export function compileRule(rule: Rule, ctx: SegmentContext): CompiledRule {
  const {
    wheres: [where],
    ...rest
  } = compileRules([rule], ctx);
  return { where, ...rest };
}

/** Several rules over the same customer at once, sharing their named segments' CTEs and aggregates. */
export function compileRules(
  [first, ...rest]: readonly [Rule, ...Rule[]],
  ctx: SegmentContext,
): Omit<CompiledRule, 'where'> & { wheres: [Sql, ...Sql[]] } {
  const state: State = { named: new Map(), aggregates: { orders: [], rfm: new Set() } };
  const wheres: [Sql, ...Sql[]] = [
    compile(first, ctx, state, []),
    ...rest.map((rule) => compile(rule, ctx, state, [])),
  ];
  return { wheres, segmentCtes: [...state.named.values()], aggregates: state.aggregates };
}

interface State {
  named: Map<string, Sql>;
  aggregates: Aggregates;
}

function compile(rule: Rule, ctx: SegmentContext, state: State, trail: string[]): Sql {
  const named = state.named;
  if ('all' in rule) {
    const parts = rule.all.map((r) => {
      const lean = exceptShared(r, rule.all, ctx, trail);
      // What is left of a named segment is compiled with it on the trail, so a cycle still shows.
      return lean ? compile(lean.rule, ctx, state, [...trail, lean.of]) : compile(r, ctx, state, trail);
    });
    return sql`(${joinSql(parts, sql`\n  AND `)})`;
  }
  if ('any' in rule)
    return sql`(${joinSql(
      rule.any.map((r) => compile(r, ctx, state, trail)),
      sql`\n  OR `,
    )})`;
  if ('not' in rule) return sql`(NOT ${compile(rule.not, ctx, state, trail)})`;
  if ('segment' in rule) {
    const segment = ctx.segments[rule.segment];
    if (!segment) throw new RangeError(`unknown segment "${rule.segment}"`);
    if (trail.includes(rule.segment)) {
      throw new RangeError(`segments refer to each other: ${[...trail, rule.segment].join(' → ')}`);
    }
    const cte = segmentCte(rule.segment);
    if (!named.has(rule.segment)) {
      // A segment that is one set of ids is that set's query (ids of customers who are not in the
      // customers table, or NULL, never match a customer's IN).
      // (A leaf is compiled once: order predicates add their columns to `stats` each time.)
      const p = isLeaf(segment.where) ? leaf(segment.where, ctx, state) : null;
      const where = () =>
        p === null
          ? compile(segment.where, ctx, state, [...trail, rule.segment])
          : sql`coalesce(${predicateSql(p)}, false)`;
      named.set(
        rule.segment,
        p instanceof IdSet
          ? sql`${cte} AS (\n  SELECT customer_id FROM (${p.query}) ids WHERE customer_id IS NOT NULL\n)`
          : sql`${cte} AS (\n  SELECT c.customer_id FROM customers c WHERE ${where()}\n)`,
      );
    }
    return sql`c.customer_id IN (SELECT customer_id FROM ${cte})`;
  }
  return sql`coalesce(${predicateSql(leaf(rule, ctx, state))}, false)`;
}

type Leaf = Exclude<Rule, { all: Rule[] } | { any: Rule[] } | { not: Rule } | { segment: string }>;

const isLeaf = (rule: Rule): rule is Leaf =>
  !('all' in rule || 'any' in rule || 'not' in rule || 'segment' in rule);

function leaf(rule: Leaf, ctx: SegmentContext, state: State): PredicateSql {
  return isPurchaseRule(rule) ? purchasePredicate(rule, ctx, state.aggregates) : predicate(rule, ctx);
}

/**
 * Within `all`, `not` a named segment that is itself an `all` sharing conditions with its siblings drops
 * the shared ones: X ∧ ¬(X ∧ S) is X ∧ ¬S (compiled rules are never NULL, so two-valued logic holds).
 * The example: regional waves are `all(launch-audience, region, not pilot)` with pilot =
 * `all(launch-audience, sample)`; reading pilot would compute the launch audience a second time (as its
 * own CTE, then a semi-join on it) only to take it away again.
 */
function exceptShared(
  rule: Rule,
  siblings: readonly Rule[],
  ctx: SegmentContext,
  trail: string[],
): { rule: Rule; of: string } | null {
  if (!('not' in rule) || !('segment' in rule.not)) return null;
  const name = rule.not.segment;
  const named = ctx.segments[name]?.where;
  if (!named || !('all' in named) || trail.includes(name)) return null;
  const shared = new Set(siblings.filter((s) => s !== rule).map(canonical));
  const rest = named.all.filter((r) => !shared.has(canonical(r)));
  if (rest.length === named.all.length || rest.length === 0) return null;
  return { rule: { not: rest.length === 1 ? (rest[0] as Rule) : { all: rest } }, of: name };
}

/** A rule as text with its keys sorted, so two rules written the same way compare equal. */
function canonical(rule: unknown): string {
  return JSON.stringify(rule, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * A ledger's wave id is one of `waves`, or a run of one of them: a recurring or triggered wave's runs are
 * named `<wave>@<local time>` (wave-repeat.ts), so naming the wave names every run of it.
 */
function waveIdIn(column: Sql, waves: readonly string[]): Sql {
  return sql`split_part(${column}, ${sqlString(OCCURRENCE_MARK)}, 1) IN ${sqlStringList(waves)}`;
}

/** A leaf that is not about purchases: profile, unpaid orders, message history, samples. */
type Predicate = Exclude<Leaf, PurchaseRule>;

function predicate(rule: Predicate, ctx: SegmentContext): PredicateSql {
  const run = ctx.runAt;
  const before = (duration: string) => sqlTimestamp(new Date(run.getTime() - parseDuration(duration)));
  const local = (text: string) => sqlTimestamp(localToInstant(text, ctx.timeZone));

  if ('everyone' in rule) return sql`true`;
  if ('region' in rule) {
    const { provinces, cityTiers } = rule.region;
    const conds = [
      provinces
        ? sql`c.province IN ${sqlStringList([...new Set(provinces.flatMap(provinceSpellings))])}`
        : null,
      cityTiers ? sql`c.city_tier IN ${sqlNumberList(cityTiers)}` : null,
    ];
    return sql`(${allOf(conds)})`;
  }
  if ('acquisitionChannel' in rule)
    return sql`c.acquisition_channel IN ${sqlStringList(rule.acquisitionChannel)}`;
  if ('memberTier' in rule) return sql`c.member_tier IN ${sqlStringList(rule.memberTier)}`;
  if ('gender' in rule) return sql`c.gender IN ${sqlStringList(rule.gender)}`;
  if ('ageBand' in rule) {
    const bands = [...(ctx.calendar ?? DEFAULT_SHOP_CALENDAR).ageBands, UNKNOWN_AGE_BAND];
    const unknown = rule.ageBand.find((b) => !bands.includes(b));
    if (unknown !== undefined) throw new UserError(unknownAgeBandMessage(unknown, bands));
    return sql`c.age_band IN ${sqlStringList(rule.ageBand)}`;
  }
  if ('unpaid' in rule) {
    const { within, createdBetween } = rule.unpaid;
    const [from, to] = createdBetween
      ? [local(createdBetween[0]), local(createdBetween[1])]
      : [before(within ?? '0m'), sqlTimestamp(run)];
    return idsIn(
      sql`SELECT customer_id FROM orders WHERE status = 'unpaid' AND created_at >= ${from} AND created_at < ${to} AND created_at < ${sqlTimestamp(run)}`,
    );
  }
  if ('messageHistory' in rule) {
    const { campaign, waves, event, within } = rule.messageHistory;
    const of = (alias: Sql) =>
      sql`${alias}campaign_id = ${sqlString(campaign ?? ctx.campaignId)} AND ${waveIdIn(sql`${alias}wave_id`, waves)}`;
    const runTs = sqlTimestamp(run);
    if (event === 'sent')
      return idsIn(
        sql`SELECT customer_id FROM sends WHERE ${of(sql``)} AND status = 'sent' AND sent_at < ${runTs}`,
      );
    if (event === 'converted') {
      const window = sqlInterval(parseDuration(within ?? DEFAULT_CONVERSION_WINDOW));
      return idsIn(sql`SELECT s.customer_id FROM sends s JOIN paid o ON o.customer_id = s.customer_id
        WHERE ${of(sql`s.`)} AND s.status = 'sent' AND o.created_at >= s.sent_at AND o.created_at < s.sent_at + ${window}`);
    }
    return idsIn(
      sql`SELECT customer_id FROM events WHERE ${of(sql``)} AND event_type = ${sqlString(event)} AND occurred_at < ${runTs}`,
    );
  }
  if ('notReachedBy' in rule) {
    const { campaign, waves } = rule.notReachedBy;
    // Reached = assigned by the wave, to its treatment or its holdout: a holdout customer is not left
    // for a later wave to treat, so later waves compare groups drawn from the same customers.
    return sql`NOT ${predicateSql(
      idsIn(sql`SELECT customer_id FROM sends WHERE campaign_id = ${sqlString(campaign ?? ctx.campaignId)}
      AND ${waveIdIn(sql`wave_id`, waves)} AND ${armSql()} IS NOT NULL AND planned_at < ${sqlTimestamp(run)}`),
    )}`;
  }
  if ('points' in rule) {
    // The balance at the run is the sum of the ledger's rows before it; a customer without rows has 0.
    const { min, max } = rule.points;
    const having = (cond: Sql) =>
      idsIn(sql`SELECT customer_id FROM points_ledger WHERE occurred_at < ${sqlTimestamp(run)}
      GROUP BY customer_id HAVING ${cond}`);
    if (min !== undefined && min > 0)
      return having(
        sql`sum(points) >= ${sqlNumber(min)}${max !== undefined ? sql` AND sum(points) < ${sqlNumber(max)}` : sql``}`,
      );
    // min 0 (or none): everyone but those at max or above (and, for min 0, those below 0).
    const outside = [
      max !== undefined ? sql`sum(points) >= ${sqlNumber(max)}` : null,
      min === 0 ? sql`sum(points) < 0` : null,
    ].filter((c) => c !== null);
    return sql`NOT ${predicateSql(having(joinSql(outside, sql` OR `)))}`;
  }
  if ('birthday' in rule) {
    const days = Number.parseInt(rule.birthday.within, 10);
    return sql`c.birthday IN ${sqlStringList(birthdaysWithin(run, ctx.timeZone, days))}`;
  }
  if ('birthdayMonth' in rule) {
    const months = rule.birthdayMonth.months ?? [runMonth(run, ctx.timeZone)];
    return sql`substr(c.birthday, 1, 2) IN ${sqlStringList(months.map(monthPrefix))}`;
  }
  if ('sample' in rule) {
    const key = sql`${sqlString(`${rule.sample.seed}:`)} || c.customer_id`;
    return sql`${bucketSql(ctx.dialect, key)} < ${sqlNumber(Math.round(rule.sample.percent * 100))}`;
  }
  return assertNever(rule);
}

function assertNever(x: never): never {
  throw new Error(`unhandled rule: ${JSON.stringify(x)}`);
}
