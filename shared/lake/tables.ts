import { type Sql, sql } from './sql.ts';

/**
 * The data lake's tables: one definition used for the local DuckDB views, the docs and (on AWS) the Glue
 * tables, so the layout on one machine and in S3 cannot drift apart.
 *
 * Layout under a lake root (a local folder, or s3://bucket/lake):
 *   <table>/part-*.parquet                       unpartitioned tables (snapshots)
 *   <table>/dt=<partition>/part-*.parquet        partitioned tables, Hive style
 * All timestamps are UTC. Money is DECIMAL(12,2) in the shop's currency.
 */

export type ColumnType =
  | 'string'
  | 'int'
  | 'bigint'
  | 'double'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'decimal(12,2)'
  | 'decimal(12,4)';

export interface Column {
  name: string;
  type: ColumnType;
  description: string;
}

export interface TableDef {
  name: string;
  description: string;
  /** Hive partition column `dt` and what it holds, or null for an unpartitioned snapshot table. */
  partition: { format: 'yyyy-MM' | 'yyyy-MM-dd'; of: string } | null;
  /**
   * How the shop-data writers (generator, import) lay out each partition: one file, rows sorted by these
   * columns, in row groups of SORTED_ROW_GROUP_ROWS rows. Parquet keeps each row group's min and max, so
   * a filter on the first column lets DuckDB and Athena skip the row groups that cannot match.
   */
  sortedBy?: string[];
  columns: Column[];
}

/**
 * Rows per row group of a sorted table: small enough that a month of order lines (~400k at 10M orders)
 * has a few row groups per category, large enough to compress and scan well. Measured on 14M lines:
 * 16,384 in one file per month beat 4,096 in several files per month (row groups too small) and
 * DuckDB's default 122,880 (a row group spans every category). DuckDB cuts row groups at whole vectors
 * of 2,048 rows, so a file's last row group may hold up to 2,047 more (a month of 17,178 lines is one).
 */
export const SORTED_ROW_GROUP_ROWS = 16_384;

const c = (name: string, type: ColumnType, description: string): Column => ({ name, type, description });

export const CUSTOMERS: TableDef = {
  name: 'customers',
  description: 'One row per customer: profile, contact points and consent. A snapshot, rewritten on import.',
  partition: null,
  columns: [
    c(
      'customer_id',
      'string',
      'Stable id (generated: c + 8 digits; imported: platform buyer id or a hash of it).',
    ),
    c('name', 'string', 'Display name used in message templates.'),
    c(
      'nickname',
      'string',
      'Platform nickname (Taobao 买家会员名), for greetings ({{ customer.nickname }}); NULL when not known. Personal data: never logged.',
    ),
    c('province', 'string', 'Province (省), e.g. 浙江省; 海外 for customers abroad.'),
    c('city', 'string', 'City (市).'),
    c('city_tier', 'int', 'City tier 1–5 (1 = 一线, 2 = 新一线, 3 = 二线, 4 = 三线, 5 = 四线及以下).'),
    c('gender', 'string', 'F, M or U (unknown).'),
    c(
      'age_band',
      'string',
      "The shop's age bands (contact-policy.yaml ageBands; default <18, 18-25, 26-30, 31-35, 36-40, 41-50, 51+) or 'unknown'.",
    ),
    c(
      'member_tier',
      'string',
      "The shop's member tier by its memberTiers rules (contact-policy.yaml), from paid orders; default normal, silver, gold, diamond.",
    ),
    c(
      'acquisition_channel',
      'string',
      'Channel of the first order: organic, 聚划算, 淘抢购, 天天特价, 直播.',
    ),
    c('email', 'string', 'Email address or NULL. Personal data: never logged.'),
    c('email_consent', 'boolean', 'Agreed to marketing email.'),
    c('phone', 'string', 'Mobile number in E.164 (+86...) or NULL. Personal data: never logged.'),
    c('sms_consent', 'boolean', 'Agreed to marketing SMS (false once opted out).'),
    c('time_zone', 'string', "IANA zone when known to differ from the shop's, else NULL."),
    c('registered_at', 'timestamp', 'First seen (registration or first order), UTC.'),
    c(
      'birthday',
      'string',
      'Birthday as month-day MM-DD (a date given on import keeps its month and day), or NULL. Personal data.',
    ),
  ],
};

export const PRODUCTS: TableDef = {
  name: 'products',
  description: 'The catalogue: one row per sku, with its category, season and launch date.',
  partition: null,
  columns: [
    c('sku', 'string', 'Stock-keeping unit, e.g. tshirt-2025S-03.'),
    c('product_name', 'string', 'Title as listed.'),
    c('category', 'string', 'Category code, e.g. tshirt, trousers, detergent.'),
    c('season', 'string', 'spring, summer, autumn, winter, or all.'),
    c('launch_date', 'date', "Date the sku's line launched (for early-buyer segments)."),
    c('list_price', 'decimal(12,2)', 'List price.'),
    c(
      'use_cycle_days',
      'int',
      "Days one purchase lasts (使用周期), for replenishmentDue; NULL: the rule's own cycle applies.",
    ),
  ],
};

export const ORDERS: TableDef = {
  name: 'orders',
  description: 'One row per order. Partitioned by the month the order was created (UTC).',
  partition: { format: 'yyyy-MM', of: 'created_at' },
  columns: [
    c('order_id', 'string', 'Platform order number (订单编号).'),
    c('customer_id', 'string', 'Buyer, see customers.'),
    c('created_at', 'timestamp', 'Order created (订单创建时间), UTC.'),
    c('paid_at', 'timestamp', 'Order paid (订单付款时间), UTC; NULL if never paid.'),
    c(
      'status',
      'string',
      'paid, unpaid (awaiting payment), closed (never paid) or refunded. A shipped or delivered order is paid.',
    ),
    c('amount', 'decimal(12,2)', 'Amount the buyer paid (买家实际支付金额), after discounts.'),
    c('discount', 'decimal(12,2)', 'Discounts applied (coupons, cashback, platform promotions).'),
    c(
      'channel',
      'string',
      'Sales channel of the order: organic, 聚划算, 淘抢购, 天天特价, 直播, or an import label.',
    ),
    c(
      'source',
      'string',
      'Where the row came from: generated, taobao, shopify, mapped, or order-events (a feed).',
    ),
    c('shipped_at', 'timestamp', 'Order shipped (发货时间), UTC; NULL if not shipped or not known.'),
    c(
      'delivered_at',
      'timestamp',
      'Order delivered (确认收货时间), UTC; NULL if not delivered or not known.',
    ),
  ],
};

export const ORDER_ITEMS: TableDef = {
  name: 'order_items',
  description:
    'One row per order line. Partitioned like orders, by the month the order was created; sorted by category.',
  partition: { format: 'yyyy-MM', of: 'orders.created_at' },
  sortedBy: ['category', 'customer_id'],
  columns: [
    c('order_id', 'string', 'Order, see orders.'),
    c('line_no', 'int', 'Line number within the order, from 1.'),
    c('customer_id', 'string', 'Buyer (repeated from orders so item queries need no join).'),
    c('created_at', 'timestamp', 'Order created, UTC (repeated from orders).'),
    c('order_status', 'string', "The order's status (repeated from orders; kept in step by imports)."),
    c('sku', 'string', 'Sku, see products.'),
    c('category', 'string', 'Category of the sku at the time of the order.'),
    c('season', 'string', 'Season of the sku.'),
    c('launch_date', 'date', 'Launch date of the sku.'),
    c('quantity', 'int', 'Units bought.'),
    c('unit_price', 'decimal(12,2)', 'Price per unit before order-level discounts.'),
  ],
};

export const SENDS: TableDef = {
  name: 'sends',
  description:
    'The ledger: one row per recipient of a wave, in exactly one state. Partitioned by day of the wave run.',
  partition: { format: 'yyyy-MM-dd', of: 'planned_at' },
  columns: [
    c('send_id', 'string', 'Idempotency key: campaign/wave/customer.'),
    c('campaign_id', 'string', 'Campaign.'),
    c('wave_id', 'string', 'Wave.'),
    c('customer_id', 'string', 'Recipient.'),
    c('segment', 'string', "The wave's named segment, or inline for a wave with its own rule."),
    c('category', 'string', 'marketing or transactional.'),
    c('channel', 'string', 'email, sms or call-list; NULL when suppressed before a channel was chosen.'),
    c('variant', 'string', 'A/B variant id, or NULL.'),
    c('status', 'string', 'sent, suppressed or failed.'),
    c(
      'reason',
      'string',
      'For suppressed: cap, reserved, opt-out, bounced, complained, quiet-hours, budget, holdout, no-address; for failed: the error.',
    ),
    c('sms_segments', 'int', 'Billed SMS segments, for SMS.'),
    c(
      'cost',
      'decimal(12,4)',
      'Cost of the message in the campaign currency (SMS segments are priced in fractions of a cent).',
    ),
    c('message_id', 'string', 'Provider message id (SES, SNS), for matching events.'),
    c('planned_at', 'timestamp', 'When the wave run planned this recipient.'),
    c('sent_at', 'timestamp', 'When the message was accepted by the provider; NULL unless sent.'),
    c(
      'arm',
      'string',
      "Assignment when planned: treatment (to be messaged, whatever then happened: intent to treat), holdout (the campaign's), wave-holdout (held out of this wave only), or NULL (left out before assignment).",
    ),
  ],
};

export const EVENTS: TableDef = {
  name: 'events',
  description:
    'Responses: delivery, open, click, bounce, complaint, unsubscribe, reject. Partitioned by day of the event.',
  partition: { format: 'yyyy-MM-dd', of: 'occurred_at' },
  columns: [
    c(
      'event_id',
      'string',
      'Unique id (a hash of the provider message, type, time and link): readers take one row per id.',
    ),
    c(
      'event_type',
      'string',
      'accepted, delivered, opened, clicked, bounced, complained, unsubscribed, rejected, delayed, rendering-failed, sms-failed; for calls call-answered, call-unanswered, call-declined, call-converted, call-back (and unsubscribed).',
    ),
    c('campaign_id', 'string', 'Campaign of the send (NULL when only the provider message id is known).'),
    c('wave_id', 'string', 'Wave of the send.'),
    c('customer_id', 'string', 'Recipient.'),
    c('channel', 'string', 'email, sms or call-list (NULL when not known).'),
    c('send_id', 'string', 'The send it answers, when known.'),
    c('message_id', 'string', 'Provider message id (SES, SNS): joins to sends.message_id.'),
    c('occurred_at', 'timestamp', 'When it happened.'),
    c('detail', 'string', 'Bounce type, clicked link, and the like. Never an address.'),
    c(
      'source',
      'string',
      'ses, sms-receipt, link (our redirects), call-list (outcomes staff recorded) or simulation (a simulated run).',
    ),
    c(
      'sku',
      'string',
      'For a click on a product link, the product it showed; NULL for the landing page and every other event (and in files written before product links).',
    ),
  ],
};

export const SUPPRESSIONS: TableDef = {
  name: 'suppressions',
  description:
    'Who must not be messaged on a channel, whatever a segment says: unsubscribed, hard-bounced, complained.',
  partition: null,
  columns: [
    c('customer_id', 'string', 'Customer.'),
    c('channel', 'string', 'email, sms, or any.'),
    c('reason', 'string', 'opt-out (unsubscribed), bounced (hard bounce) or complained.'),
    c('created_at', 'timestamp', 'When it was recorded.'),
  ],
};

export const CONSENTS: TableDef = {
  name: 'consents',
  description:
    'Marketing consent as the shop recorded it (data import --format consent): given or withdrawn, per channel, with its source and time. The latest record per customer and channel sets customers.email_consent / sms_consent.',
  partition: null,
  columns: [
    c('customer_id', 'string', 'Customer.'),
    c('channel', 'string', 'email, sms, or any (both).'),
    c('consent', 'boolean', 'true: consent given; false: withdrawn (opt-out).'),
    c(
      'source',
      'string',
      'Where the shop got it: a form, the service desk, an SMS reply — as the file says.',
    ),
    c('given_at', 'timestamp', 'When the customer gave or withdrew it, UTC.'),
    c('recorded_at', 'timestamp', 'When it was imported, UTC.'),
  ],
};

export const POINTS_LEDGER: TableDef = {
  name: 'points_ledger',
  description:
    "Loyalty points, one row per movement: accrued on paid orders by the shop's points rule, redeemed or adjusted (data import --format points), expired. A customer's balance at a time is the sum of the rows before it. Rebuilt on every order and points import from the orders and the imported redemptions, so nothing accrues twice.",
  partition: null,
  columns: [
    c('entry_id', 'string', 'Stable id: accrue:<order>, redeem:/adjust:<reference or hash>, expire:<entry>.'),
    c('customer_id', 'string', 'Customer.'),
    c(
      'order_id',
      'string',
      'The order that earned the points (accrue), or the reference of a redemption; else NULL.',
    ),
    c(
      'points',
      'bigint',
      'Points: positive for accrue (and a positive adjust), negative for redeem, expire.',
    ),
    c('reason', 'string', 'accrue, redeem, expire or adjust.'),
    c(
      'occurred_at',
      'timestamp',
      'When: the order paid, the redemption, the expiry (may be after today), UTC.',
    ),
    c('source', 'string', 'orders, the imported file name, or rule (expiry).'),
  ],
};

export const ATTRIBUTION: TableDef = {
  name: 'attribution',
  description:
    'Each paid order attributed to at most one send (of any campaign), written by campaign report / the attribute job.',
  partition: null,
  columns: [
    c('order_id', 'string', 'The order.'),
    c('campaign_id', 'string', 'Campaign of the send it is attributed to.'),
    c('wave_id', 'string', 'Wave of that send.'),
    c('send_id', 'string', 'The send.'),
    c('customer_id', 'string', 'Buyer and recipient.'),
    c('channel', 'string', 'Channel of the send.'),
    c('variant', 'string', 'A/B variant of the send, or NULL.'),
    c('touch', 'string', 'The touch that won the order: clicked, opened, delivered (SMS) or called.'),
    c('amount', 'decimal(12,2)', 'Order revenue attributed (the whole order, at most once).'),
    c('ordered_at', 'timestamp', 'When the order was created.'),
    c('model', 'string', 'last-touch or first-touch.'),
    c('computed_at', 'timestamp', 'When this attribution was computed.'),
  ],
};

export const LIFT: TableDef = {
  name: 'lift',
  description:
    'Per campaign, scope (a wave, or * for the campaign), stratum and group: the figures its lift is read from, written with the attribution table. The view campaign_lift turns them into incremental conversions, revenue and ROI with 95% intervals.',
  partition: null,
  columns: [
    c('campaign_id', 'string', 'Campaign.'),
    c('scope', 'string', 'A wave id, or * for the campaign as a whole.'),
    c(
      'stratum',
      'string',
      "new (no earlier wave assigned them: compared with the campaign's holdout), returning (compared with the wave's own holdout), or all (the campaign).",
    ),
    c('grp', 'string', 'treated (assigned to treatment, sent or not) or control (holdout).'),
    c('customers', 'bigint', 'Customers in the group.'),
    c('converted', 'bigint', 'Customers with a paid order in the window.'),
    c('revenue_mean', 'double', 'Mean revenue per customer in the window.'),
    c('revenue_var', 'double', 'Sample variance of revenue per customer.'),
    c('computed_at', 'timestamp', 'When these figures were computed.'),
  ],
};

export const ROLLOUT_DECISIONS: TableDef = {
  name: 'rollout_decisions',
  description:
    "What each rollout wave decided at its start from its pilot's measured responses: one row per candidate variant (or group, for pick group), with the decision's rule, outcome, pick and reason on each (docs/responses.md, rollout). Written by the wave's launch.",
  partition: null,
  columns: [
    c('campaign_id', 'string', 'Campaign.'),
    c('wave_id', 'string', 'The rollout wave.'),
    c('pilot_wave_id', 'string', 'The pilot wave it read.'),
    c('decided_at', 'timestamp', "When it was decided: the rollout wave's start; orders up to then count."),
    c('pick', 'string', 'What was picked: variant or group.'),
    c('metric', 'string', 'conversion-rate or revenue-per-recipient.'),
    c('rule', 'string', 'The rule, in words.'),
    c(
      'outcome',
      'string',
      'winner (for groups: at least one group picked), no-clear-winner (no group picked) or too-small (the pilot could not be read).',
    ),
    c('picked', 'string', 'The variants the rollout sends (or the groups it sends to), comma-separated.'),
    c('reason', 'string', 'Why, in words, with the figures.'),
    c(
      'needed',
      'bigint',
      'For too-small: recipients each variant would need (for groups: customers the smaller part of a group would need); else NULL.',
    ),
    c('candidate', 'string', 'The variant (or group) this row measures.'),
    c('recipients', 'bigint', 'Customers the pilot queued with it (for a group: assigned to treatment).'),
    c('converted', 'bigint', 'Of them, customers with a paid order after the pilot and before the decision.'),
    c(
      'estimate',
      'double',
      "The metric: a rate (0–1) or revenue per recipient; for a group, its lift: treated minus the group's holdout.",
    ),
    c('low', 'double', 'Lower bound of its 95% interval.'),
    c('high', 'double', 'Upper bound of its 95% interval.'),
    c('chosen', 'boolean', 'Whether the rollout sends it.'),
    c(
      'holdout_recipients',
      'bigint',
      "For a group (pick group): the group's held-out customers it was compared with; NULL for a variant.",
    ),
    c(
      'holdout_converted',
      'bigint',
      'Of them, customers with a paid order in the same time; NULL for a variant.',
    ),
  ],
};

export const LAKE_TABLES: readonly TableDef[] = [
  CUSTOMERS,
  PRODUCTS,
  ORDERS,
  ORDER_ITEMS,
  SENDS,
  EVENTS,
  SUPPRESSIONS,
  CONSENTS,
  POINTS_LEDGER,
  ATTRIBUTION,
  LIFT,
  ROLLOUT_DECISIONS,
];

/** DuckDB's name for each column type (Athena/Glue use the ColumnType names as they are). */
export const DUCKDB_TYPE: Record<ColumnType, Sql> = {
  string: sql`VARCHAR`,
  int: sql`INTEGER`,
  bigint: sql`BIGINT`,
  double: sql`DOUBLE`,
  boolean: sql`BOOLEAN`,
  date: sql`DATE`,
  timestamp: sql`TIMESTAMP`,
  'decimal(12,2)': sql`DECIMAL(12,2)`,
  'decimal(12,4)': sql`DECIMAL(12,4)`,
};
