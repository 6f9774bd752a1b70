import { oneSendSql } from '../delivery/ledger/ledger.ts';
import { CAMPAIGN_SCOPE, liftEstimatesSql } from '../responses/lift-sql.ts';
import { type RepurchaseBenchmark, shopAnalyses } from './shop-analyses.ts';
import { type Sql, sql } from './sql.ts';
import { sqlString } from './sql-literals.ts';

/**
 * The analysts' views, defined once: DuckDB creates them next to the tables (so `campaign sql` sees them)
 * and the CDK app saves each as an Athena named query in the analysts' workgroup. Plain SQL that both
 * engines run; ledger rows and events are read one per id. The campaign views come first, then the
 * shop's own analyses (shop-analyses.ts).
 */
export interface AnalystView {
  name: string;
  description: string;
  sql: Sql;
}

const ONE_SEND = oneSendSql([
  'campaign_id',
  'wave_id',
  'customer_id',
  'segment',
  'status',
  'reason',
  'channel',
  'cost',
  'sms_segments',
]);

/** `matched`: each event once, with its send — an SMS receipt knows only the provider's message id. */
const MATCHED_EVENTS = sql`ev AS (SELECT DISTINCT event_id, event_type, send_id, message_id FROM events),
matched AS (
  SELECT send_id, event_type FROM ev WHERE send_id IS NOT NULL
  UNION ALL
  SELECT m.send_id, ev.event_type FROM ev JOIN (SELECT DISTINCT send_id, message_id FROM sends) m
    ON ev.send_id IS NULL AND m.message_id = ev.message_id
)`;

const CAMPAIGN_VIEWS: readonly AnalystView[] = [
  {
    name: 'wave_funnel',
    description:
      'Per campaign, wave and channel: audience, holdout, sent, suppressed, failed, delivered, opened, clicked.',
    sql: sql`WITH s AS (${ONE_SEND}),
${MATCHED_EVENTS},
e AS (SELECT send_id, bool_or(event_type = 'delivered') AS delivered, bool_or(event_type = 'opened') AS opened,
  bool_or(event_type = 'clicked') AS clicked FROM matched GROUP BY send_id)
SELECT s.campaign_id, s.wave_id, s.channel, count(*) AS audience,
  count(*) FILTER (WHERE s.reason = 'holdout') AS holdout,
  count(*) FILTER (WHERE s.status = 'sent') AS sent,
  count(*) FILTER (WHERE s.status = 'suppressed') AS suppressed,
  count(*) FILTER (WHERE s.status = 'failed') AS failed,
  count(*) FILTER (WHERE e.delivered) AS delivered,
  count(*) FILTER (WHERE e.opened) AS opened,
  count(*) FILTER (WHERE e.clicked) AS clicked
FROM s LEFT JOIN e ON e.send_id = s.send_id
GROUP BY 1, 2, 3`,
  },
  {
    name: 'channel_cost',
    description: 'Per campaign and channel: messages sent, SMS segments billed, cost.',
    sql: sql`WITH s AS (${ONE_SEND})
SELECT campaign_id, channel, count(*) AS messages, coalesce(sum(sms_segments), 0) AS sms_segments,
  coalesce(sum(cost), 0) AS cost
FROM s WHERE status = 'sent' GROUP BY 1, 2`,
  },
  {
    name: 'campaign_lift',
    description:
      'Per campaign and scope (each wave, and * for the campaign): treated and holdout customers and conversion, incremental conversions, revenue and ROI (incremental revenue ÷ cost) with 95% intervals, whether the holdout was large enough to read, and the smallest effect it could detect. From the lift table (campaign report / the attribute job).',
    sql: liftEstimatesSql(sql`SELECT * FROM lift`),
  },
  {
    name: 'campaign_roi',
    description:
      'Per campaign: cost, incremental revenue and incremental ROI (what the campaign caused, against its holdout, with 95% intervals) first; then attributed orders, revenue and attributed ROI (last/first touch, credit not cause). ROI = revenue ÷ cost.',
    sql: sql`WITH s AS (${ONE_SEND}),
cost AS (SELECT campaign_id, sum(cost) AS cost FROM s WHERE status = 'sent' GROUP BY 1),
rev AS (SELECT campaign_id, count(*) AS orders, sum(amount) AS revenue FROM attribution GROUP BY 1),
inc AS (SELECT * FROM campaign_lift WHERE scope = ${sqlString(CAMPAIGN_SCOPE)})
SELECT c.campaign_id, c.cost, l.incremental_revenue, l.incremental_revenue_low, l.incremental_revenue_high,
  l.incremental_roi, l.incremental_roi_low, l.incremental_roi_high, coalesce(l.readable, false) AS lift_readable,
  coalesce(r.orders, 0) AS attributed_orders, coalesce(r.revenue, 0) AS attributed_revenue,
  CASE WHEN c.cost > 0 THEN coalesce(r.revenue, 0) / c.cost END AS attributed_roi
FROM cost c LEFT JOIN rev r ON r.campaign_id = c.campaign_id LEFT JOIN inc l ON l.campaign_id = c.campaign_id`,
  },
  {
    name: 'region_response',
    description: 'Per campaign, province and day: customers sent to, attributed orders and revenue.',
    sql: sql`WITH s AS (${ONE_SEND}),
sent AS (SELECT s.campaign_id, c.province, count(DISTINCT s.customer_id) AS customers
  FROM s JOIN customers c ON c.customer_id = s.customer_id WHERE s.status = 'sent' GROUP BY 1, 2),
bought AS (SELECT a.campaign_id, c.province, CAST(a.ordered_at AS DATE) AS day, count(*) AS orders,
  sum(a.amount) AS revenue FROM attribution a JOIN customers c ON c.customer_id = a.customer_id GROUP BY 1, 2, 3)
SELECT b.campaign_id, b.province, b.day, s.customers, b.orders, b.revenue
FROM bought b JOIN sent s ON s.campaign_id = b.campaign_id AND s.province = b.province`,
  },
  {
    name: 'segment_response',
    description:
      'Per campaign, segment and channel: audience, holdout, sent, customers converted, response rate, attributed orders and revenue, cost, attributed ROI (revenue ÷ cost).',
    sql: sql`WITH s AS (${ONE_SEND}),
rev AS (SELECT send_id, count(*) AS orders, sum(amount) AS revenue FROM attribution GROUP BY 1),
g AS (
  SELECT s.campaign_id, coalesce(s.segment, '-') AS segment, coalesce(s.channel, '-') AS channel,
    count(*) AS audience,
    count(*) FILTER (WHERE s.reason = 'holdout') AS holdout,
    count(*) FILTER (WHERE s.status = 'sent') AS sent,
    count(DISTINCT CASE WHEN r.orders > 0 THEN s.customer_id END) AS converted,
    coalesce(sum(r.orders), 0) AS orders,
    coalesce(sum(r.revenue), 0) AS revenue,
    coalesce(sum(s.cost) FILTER (WHERE s.status = 'sent'), 0) AS cost
  FROM s LEFT JOIN rev r ON r.send_id = s.send_id
  GROUP BY 1, 2, 3
)
SELECT *, CASE WHEN sent > 0 THEN CAST(converted AS DOUBLE) / sent END AS response_rate,
  CASE WHEN cost > 0 THEN revenue / cost END AS attributed_roi
FROM g`,
  },
  {
    name: 'product_click_conversion',
    description:
      "Per campaign and product (category, sku): clicks and clickers of the product's own link (click_source product) or, for a product whose link nobody clicked, of the campaign's links that name no product (click_source page: the landing pages); attributed orders with the product made after such a click, the product's other attributed orders, units, line revenue, and orders after a click per clicker.",
    sql: sql`WITH s AS (${ONE_SEND}),
clicks AS (
  SELECT DISTINCT e.event_id, s.campaign_id, s.customer_id, e.sku, e.occurred_at
  FROM events e JOIN s ON s.send_id = e.send_id WHERE e.event_type = 'clicked'
),
-- Per campaign and product link (sku), or the links that name no product (sku NULL).
link_clicks AS (
  SELECT campaign_id, sku, count(DISTINCT event_id) AS clicks, count(DISTINCT customer_id) AS clickers
  FROM clicks GROUP BY 1, 2
),
first_click AS (
  SELECT campaign_id, customer_id, sku, min(occurred_at) AS clicked_at FROM clicks GROUP BY 1, 2, 3
),
lines AS (
  SELECT a.campaign_id, a.order_id, a.customer_id, a.ordered_at, i.category, i.sku, i.quantity,
    i.quantity * i.unit_price AS line_revenue
  FROM attribution a JOIN order_items i ON i.order_id = a.order_id
),
product_keys AS (
  SELECT campaign_id, sku FROM lines UNION SELECT campaign_id, sku FROM link_clicks WHERE sku IS NOT NULL
),
-- Each product's clicks: its own link's, or where nobody clicked it, the campaign's links without a product.
keyed AS (
  SELECT p.campaign_id, p.sku, CASE WHEN pc.sku IS NULL THEN 'page' ELSE 'product' END AS click_source,
    coalesce(pc.clicks, pg.clicks, 0) AS clicks, coalesce(pc.clickers, pg.clickers, 0) AS clickers
  FROM product_keys p
  LEFT JOIN link_clicks pc ON pc.campaign_id = p.campaign_id AND pc.sku = p.sku
  LEFT JOIN link_clicks pg ON pg.campaign_id = p.campaign_id AND pg.sku IS NULL
),
-- A line counts as after a click when its buyer clicked, before the order, the link its product's clicks come from.
flagged AS (
  SELECT l.*, coalesce(f.clicked_at <= l.ordered_at, false) AS after_click
  FROM lines l JOIN keyed k ON k.campaign_id = l.campaign_id AND k.sku = l.sku
  LEFT JOIN first_click f ON f.campaign_id = l.campaign_id AND f.customer_id = l.customer_id
    AND ((k.click_source = 'product' AND f.sku = l.sku) OR (k.click_source = 'page' AND f.sku IS NULL))
),
per_order AS (
  SELECT campaign_id, sku, order_id, max(category) AS category, bool_or(after_click) AS after_click,
    sum(quantity) AS units, sum(line_revenue) AS line_revenue
  FROM flagged GROUP BY 1, 2, 3
),
bought AS (
  SELECT campaign_id, sku, max(category) AS category, count(*) FILTER (WHERE after_click) AS orders_after_click,
    count(*) FILTER (WHERE NOT after_click) AS orders_other_touch, sum(units) AS units,
    sum(line_revenue) AS line_revenue
  FROM per_order GROUP BY 1, 2
)
SELECT k.campaign_id, coalesce(b.category, pr.category) AS category, k.sku, k.click_source, k.clicks,
  k.clickers, coalesce(b.orders_after_click, 0) AS orders_after_click,
  coalesce(b.orders_other_touch, 0) AS orders_other_touch, coalesce(b.units, 0) AS units,
  coalesce(b.line_revenue, 0) AS line_revenue,
  CASE WHEN k.clickers > 0 THEN CAST(coalesce(b.orders_after_click, 0) AS DOUBLE) / k.clickers END AS click_conversion
FROM keyed k
LEFT JOIN bought b ON b.campaign_id = k.campaign_id AND b.sku = k.sku
LEFT JOIN (SELECT sku, max(category) AS category FROM products GROUP BY sku) pr ON pr.sku = k.sku`,
  },
];

/**
 * Every analysts' view; `benchmark` is the shop's repurchase figure (contact-policy.yaml), if entered,
 * `baseTier` its first member tier (members are above it).
 */
export function analystViews(benchmark: RepurchaseBenchmark | null, baseTier = 'normal'): AnalystView[] {
  return [...CAMPAIGN_VIEWS, ...shopAnalyses(benchmark, baseTier)];
}
