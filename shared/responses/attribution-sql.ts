import type { Campaign } from '../campaign/campaign-schema.ts';
import { oneSendSql } from '../delivery/ledger/ledger.ts';
import { ident, joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlNumber, sqlString, sqlTimestamp } from '../lake/sql-literals.ts';
import { waveRule } from '../segment/audience-sql.ts';
import { remindsUnpaid } from '../segment/rule-walk.ts';
import { parseDuration } from '../time/duration.ts';

/** Windows when a campaign names none: after an email open 2 days, a click 5 days; SMS delivery 1 day. */
const DEFAULT_WINDOWS = {
  email: { opened: '2d', clicked: '5d' },
  sms: { delivered: '1d', clicked: '5d' },
  'call-list': { called: '3d' },
} as const;

/** (campaign, channel, touch, seconds) for every campaign: how long after each touch an order counts. */
function windowRows(campaigns: readonly Campaign[]): Sql[] {
  const rows: Sql[] = [];
  for (const c of campaigns) {
    const w = c.attribution.windows;
    const pick: [string, string, string | undefined][] = [
      ['email', 'opened', w.email.open ?? DEFAULT_WINDOWS.email.opened],
      ['email', 'clicked', w.email.click ?? DEFAULT_WINDOWS.email.clicked],
      ['sms', 'delivered', w.sms.delivered ?? DEFAULT_WINDOWS.sms.delivered],
      ['sms', 'clicked', w.sms.click ?? DEFAULT_WINDOWS.sms.clicked],
      ['call-list', 'called', w['call-list'].called ?? DEFAULT_WINDOWS['call-list'].called],
    ];
    for (const [channel, touch, d] of pick)
      if (d)
        rows.push(
          sql`(${sqlString(c.id)}, ${sqlString(channel)}, ${sqlString(touch)}, ${sqlNumber(parseDuration(d) / 1000)})`,
        );
  }
  return rows;
}

/** The longest attribution window of a campaign: the window in which treated and holdout are compared. */
export function liftWindowSeconds(c: Campaign): number {
  const w = c.attribution.windows;
  const all = [
    w.email.open ?? DEFAULT_WINDOWS.email.opened,
    w.email.click ?? DEFAULT_WINDOWS.email.clicked,
    w.sms.delivered ?? DEFAULT_WINDOWS.sms.delivered,
    w.sms.click ?? DEFAULT_WINDOWS.sms.clicked,
    w['call-list'].called ?? DEFAULT_WINDOWS['call-list'].called,
  ];
  return Math.max(...all.map((d) => parseDuration(d) / 1000));
}

/** The columns of a sent ledger row that touches carry, so they need not join the ledger again. */
const SENT_COLUMNS = ['send_id', 'campaign_id', 'wave_id', 'customer_id', 'channel', 'variant'].map(ident);

/**
 * The shared CTEs: every touch of a sent message (opens, clicks, SMS deliveries — matched by our send id,
 * or for SNS receipts by the provider's message id — and call-list calls) with the end of its window, and
 * each paid order attributed to at most one send of any campaign: the last (or first) touch whose window
 * holds the order's creation. The ledger and the events are written at least once, so a row may repeat;
 * nothing here counts rows — repeats collapse per order (`row_number`) or per send (`bool_or`) — so they
 * are read as they are, without the cost of collapsing them first. `one_send` (one row per send, by the
 * ledger's precedence) is for the callers that count sends, with `sendColumns` beyond the usual ones.
 * Runs on Athena and DuckDB alike.
 */
export function attributionCtes(
  campaigns: readonly Campaign[],
  model: 'last-touch' | 'first-touch',
  sendColumns: readonly string[] = [],
): Sql {
  const windows = windowRows(campaigns);
  const reminders = campaigns.flatMap((c) =>
    c.waves
      .filter((w) => remindsUnpaid(waveRule(c, w), c.segments))
      .map((w) => sql`(${sqlString(c.id)}, ${sqlString(w.id)})`),
  );
  const cols = ['campaign_id', 'wave_id', 'customer_id', 'status', 'channel', 'variant', ...sendColumns];
  const sent = joinSql(SENT_COLUMNS.map((c) => sql`s.${c}`));
  const sentColumns = joinSql(SENT_COLUMNS);
  return sql`one_send AS (
  ${oneSendSql(cols)}
),
sent_rows AS (
  SELECT ${sentColumns}, sent_at, message_id FROM sends WHERE status = 'sent'
),
send_events AS (
  SELECT ${sent}, e.event_type, e.occurred_at FROM events e JOIN sent_rows s ON s.send_id = e.send_id
  UNION ALL
  -- Only SMS receipts lack our send id (SNS knows just its message id).
  SELECT ${sent}, e.event_type, e.occurred_at FROM events e JOIN sent_rows s
    ON e.send_id IS NULL AND s.channel = 'sms' AND s.message_id = e.message_id
),
windows (campaign_id, channel, touch, seconds) AS (
  VALUES ${windows.length ? joinSql(windows, sql`,\n    `) : sql`('', '', '', 0)`}
),
touches AS (
  SELECT ${sentColumns}, event_type AS touch, occurred_at AS touched_at
  FROM send_events WHERE event_type IN ('opened', 'clicked', 'delivered')
  UNION ALL
  SELECT ${sentColumns}, 'called', sent_at FROM sent_rows WHERE channel = 'call-list'
),
reminder_waves (campaign_id, wave_id) AS (
  VALUES ${reminders.length ? joinSql(reminders) : sql`('', '')`}
),
windowed AS (
  SELECT t.*, t.touched_at + w.seconds * INTERVAL '1' SECOND AS until, r.wave_id IS NOT NULL AS reminder
  FROM touches t JOIN windows w ON w.campaign_id = t.campaign_id AND w.channel = t.channel AND w.touch = t.touch
  LEFT JOIN reminder_waves r ON r.campaign_id = t.campaign_id AND r.wave_id = t.wave_id
),
-- An order counts for a touch when it was created in the touch's window; for a reminder about an unpaid
-- order, when an order created before the touch was paid in its window (what the reminder is for).
matched_orders AS (
  SELECT o.order_id, o.amount, o.created_at, w.* FROM orders o
  JOIN windowed w ON w.customer_id = o.customer_id AND o.created_at >= w.touched_at AND o.created_at < w.until
  WHERE o.status = 'paid' AND NOT w.reminder
  UNION ALL
  SELECT o.order_id, o.amount, o.created_at, w.* FROM orders o
  JOIN windowed w ON w.customer_id = o.customer_id AND o.paid_at >= w.touched_at AND o.paid_at < w.until
  WHERE o.status = 'paid' AND w.reminder AND o.created_at < w.touched_at
),
candidates AS (
  SELECT order_id, amount, created_at AS ordered_at, send_id, campaign_id, wave_id, customer_id,
    channel, variant, touch,
    row_number() OVER (PARTITION BY order_id ORDER BY touched_at ${model === 'last-touch' ? sql`DESC` : sql`ASC`}, send_id) AS n
  FROM matched_orders
),
attributed AS (
  SELECT order_id, amount, ordered_at, send_id, campaign_id, wave_id, customer_id, channel, variant, touch
  FROM candidates WHERE n = 1
)`;
}

/** Per wave × channel × variant of one campaign: the funnel, cost and attributed revenue. */
export function campaignFunnelSql(campaigns: readonly Campaign[], campaign: Campaign): Sql {
  const id = sqlString(campaign.id);
  return sql`WITH ${attributionCtes(campaigns, campaign.attribution.model, ['reason', 'cost'])},
flags AS (
  SELECT send_id, bool_or(event_type = 'delivered') AS delivered, bool_or(event_type = 'opened') AS opened,
    bool_or(event_type = 'clicked') AS clicked
  FROM send_events GROUP BY send_id
),
revenue AS (
  SELECT send_id, count(*) AS orders, sum(amount) AS revenue FROM attributed WHERE campaign_id = ${id} GROUP BY send_id
)
SELECT s.wave_id, coalesce(s.channel, '-') AS channel, coalesce(s.variant, '-') AS variant,
  count(*) AS audience,
  count(*) FILTER (WHERE s.reason = 'holdout') AS holdout,
  count(*) FILTER (WHERE s.status = 'sent') AS sent,
  count(*) FILTER (WHERE s.status = 'sent' AND (f.delivered OR s.channel = 'call-list')) AS delivered,
  count(*) FILTER (WHERE s.status = 'sent' AND f.opened) AS opened,
  count(*) FILTER (WHERE s.status = 'sent' AND f.clicked) AS clicked,
  count(DISTINCT CASE WHEN r.orders > 0 THEN s.customer_id END) AS converted,
  coalesce(sum(r.orders), 0) AS orders,
  coalesce(sum(r.revenue), 0) AS revenue,
  coalesce(sum(s.cost) FILTER (WHERE s.status = 'sent'), 0) AS cost
FROM one_send s LEFT JOIN flags f ON f.send_id = s.send_id LEFT JOIN revenue r ON r.send_id = s.send_id
WHERE s.campaign_id = ${id}
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
}

/** Every attributed order of the given campaigns, as rows of the attribution table. */
export function attributionRowsSql(
  campaigns: readonly Campaign[],
  model: 'last-touch' | 'first-touch',
  computedAt: Date,
): Sql {
  return sql`WITH ${attributionCtes(campaigns, model)}
SELECT order_id, campaign_id, wave_id, send_id, customer_id, channel, variant, touch,
  CAST(amount AS DECIMAL(12,2)) AS amount, ordered_at, ${sqlString(model)} AS model,
  ${sqlTimestamp(computedAt)} AS computed_at
FROM attributed`;
}

/** Attributed orders and revenue of one campaign by the buyer's province and the order's day. */
export function campaignRegionsSql(campaigns: readonly Campaign[], campaign: Campaign): Sql {
  return sql`WITH ${attributionCtes(campaigns, campaign.attribution.model)}
SELECT coalesce(c.province, 'unknown') AS province, CAST(CAST(a.ordered_at AS DATE) AS VARCHAR) AS day,
  count(*) AS orders, sum(a.amount) AS revenue
FROM attributed a LEFT JOIN customers c ON c.customer_id = a.customer_id
WHERE a.campaign_id = ${sqlString(campaign.id)}
GROUP BY 1, 2 ORDER BY 2, 1`;
}
