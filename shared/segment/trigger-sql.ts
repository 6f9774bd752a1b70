import { baseWaveId, OCCURRENCE_MARK } from '../campaign/wave-repeat.ts';
import { type Trigger, triggerWindow } from '../campaign/wave-trigger.ts';
import { ident, type Sql, sql } from '../lake/sql.ts';
import { sqlInterval, sqlString, sqlTimestamp } from '../lake/sql-literals.ts';
import { parseDuration } from '../time/duration.ts';

/** The orders column holding the time of each order trigger's event. */
const ORDER_EVENT_TIME: Record<Exclude<Trigger['on'], 'click'>, string> = {
  'order-created': 'created_at',
  'order-unpaid': 'created_at',
  'order-shipped': 'shipped_at',
  'order-delivered': 'delivered_at',
};

/**
 * The events a triggered wave's run answers (wave-trigger.ts), as `SELECT customer_id, at`: in the run's
 * window (tick − every − after, tick − after], the event still holding at the run (an order still unpaid;
 * a shipped or delivered order not refunded; no order since a click on one of this campaign's links), and not already followed by a message of this wave (one reminder per event,
 * even if a changed `after` or `every` made two runs' windows overlap). One SQL text for DuckDB and Athena.
 */
export function triggerEventsSql(input: {
  campaignId: string;
  /** The wave's run id (`unpaid@2026-11-12T10:15`) or its id. */
  waveId: string;
  trigger: Trigger;
  runAt: Date;
}): Sql {
  const { trigger, runAt } = input;
  const { after, to } = triggerWindow(trigger, runAt);
  const run = sqlTimestamp(runAt);
  const inWindow = (column: Sql) =>
    sql`${column} > ${sqlTimestamp(after)} AND ${column} <= ${sqlTimestamp(to)}`;
  let events: Sql;
  if (trigger.on === 'click') {
    events = sql`SELECT e.customer_id, e.occurred_at AS at FROM events e
    WHERE e.event_type = 'clicked' AND e.campaign_id = ${sqlString(input.campaignId)} AND ${inWindow(sql`e.occurred_at`)}
      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = e.customer_id AND o.created_at > e.occurred_at AND o.created_at <= ${run})`;
  } else {
    const column = sql`o.${ident(ORDER_EVENT_TIME[trigger.on])}`;
    const holds =
      trigger.on === 'order-unpaid'
        ? sql` AND (o.status = 'unpaid' OR o.paid_at > ${run})`
        : trigger.on === 'order-created'
          ? sql``
          : sql` AND o.status = 'paid'`; // shipped or delivered, and not refunded by the run
    events = sql`SELECT o.customer_id, ${column} AS at FROM orders o
    WHERE ${inWindow(column)}${holds}`;
  }
  const runs = `${baseWaveId(input.waveId)}${OCCURRENCE_MARK}%`;
  return sql`SELECT t.customer_id, t.at FROM (
    ${events}
  ) t
  WHERE NOT EXISTS (SELECT 1 FROM sends s WHERE s.campaign_id = ${sqlString(input.campaignId)}
    AND s.wave_id LIKE ${sqlString(runs)} AND s.customer_id = t.customer_id AND s.planned_at >= t.at AND s.planned_at < ${run})`;
}

/**
 * The earliest event in (since, to] that could make a run of the triggered wave due, as `at` (NULL when
 * none): the local runner fires only the ticks whose windows hold an event, since any other tick's
 * audience is empty. Looser than triggerEventsSql (an order unpaid at its tick must still be unpaid
 * `after` its creation; a click counts whatever was ordered since), never stricter.
 */
export function nextTriggerEventSql(campaignId: string, trigger: Trigger, since: Date, to: Date): Sql {
  const window = (column: Sql) =>
    sql`${column} > ${sqlTimestamp(since)} AND ${column} <= ${sqlTimestamp(to)}`;
  if (trigger.on === 'click')
    return sql`SELECT min(occurred_at) AS at FROM events WHERE event_type = 'clicked' AND campaign_id = ${sqlString(campaignId)} AND ${window(sql`occurred_at`)}`;
  const unpaid =
    trigger.on === 'order-unpaid'
      ? sql` AND (status = 'unpaid' OR paid_at > created_at + ${sqlInterval(parseDuration(trigger.after))})`
      : sql``;
  const column = ident(ORDER_EVENT_TIME[trigger.on]);
  return sql`SELECT min(${column}) AS at FROM orders WHERE ${window(column)}${unpaid}`;
}
