import type { Campaign, Wave } from '../campaign/campaign-schema.ts';
import type { EffectivePolicy } from '../campaign/contact-policy.ts';
import type { Channel } from '../campaign/contact-policy-schema.ts';
import { waveGroups } from '../campaign/wave-groups.ts';
import { armSql } from '../delivery/ledger/ledger.ts';
import { ident, joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlNumber, sqlString, sqlStringList, sqlTimestamp } from '../lake/sql-literals.ts';
import { parseDuration } from '../time/duration.ts';
import { compileRules, neededCtes, type SegmentContext } from './compile-segment.ts';
import { bucketSql, type Dialect } from './dialect.ts';
import { allOf } from './id-set.ts';
import type { Rule } from './segment-schema.ts';
import { triggerEventsSql } from './trigger-sql.ts';

/**
 * A wave's audience, one row per customer the segment selects, with the step where they leave the send:
 *   segment → consent and suppression → frequency caps already used → holdout → eligible.
 * Columns: customer_id, tier (value tier or NULL), channel (the first reachable candidate, or NULL),
 * step ('suppressed' | 'capped' | 'holdout' | 'wave-holdout' | 'eligible') and reason (for suppressed:
 * opt-out, no-address, bounced, complained; for capped: the cap's id).
 *
 * Holdout: a customer no earlier wave of the campaign assigned is drawn into the campaign's holdout by a
 * stable hash of (campaign, customer), for good; one an earlier wave assigned keeps that assignment — the
 * campaign's holdout stays held out, and a treated customer is held out of this wave alone by a hash of
 * (campaign, wave, customer). So every holdout customer was drawn from the same customers, at the same
 * moment, as the treated customers they are compared with (docs/responses.md, comparable groups).
 */
export interface AudienceInput {
  campaign: Campaign;
  wave: Wave;
  policy: EffectivePolicy;
  runAt: Date;
  dialect: Dialect;
  /**
   * For planning the sends: each row also carries the recipient's details (name, nickname, province, city,
   * member_tier, time_zone, points balance at the run, and the address for the chosen channel), and with `byValue` their lifetime
   * paid spend as `value`, highest first (budget allocation serves the most valuable first); a grouped
   * wave's rows also carry the customer's group as `grp`.
   */
  recipients?: { byValue: boolean };
  /**
   * For a rollout that picks groups: the groups its decision picked (the audience is restricted to
   * customers whose group is one of them); absent: every group of its pilot (a preview, a forecast).
   */
  groups?: readonly string[];
}

export function waveRule(campaign: Campaign, wave: Wave): Rule {
  if (wave.audience.where) return wave.audience.where;
  const named = wave.audience.segment ? campaign.segments[wave.audience.segment] : undefined;
  if (!named) throw new RangeError(`wave ${wave.id}: unknown segment "${wave.audience.segment}"`);
  return named.where;
}

/**
 * What stops each channel. The call list dials the number SMS goes to, so it obeys the phone's consent
 * and suppressions: a customer who opted out of SMS (or of everything), or never agreed to marketing on
 * their phone, is not called either.
 */
const BLOCK_COLUMN: Record<Channel, Sql> = {
  email: ident('email_block'),
  sms: ident('phone_block'),
  'call-list': ident('phone_block'),
};

/** Candidate channels in order: the matching tier's channel first, then the wave's channel and fallbacks. */
function candidates(wave: Wave, tierChannel?: Channel): Channel[] {
  return [...new Set([...(tierChannel ? [tierChannel] : []), wave.channel, ...wave.fallback])];
}

function chooseChannel(list: Channel[]): { channel: Sql; reason: Sql } {
  const whens = list.map((ch) => sql`WHEN ${BLOCK_COLUMN[ch]} IS NULL THEN ${sqlString(ch)}`);
  const first = list[0] as Channel;
  return { channel: sql`CASE ${joinSql(whens, sql` `)} END`, reason: BLOCK_COLUMN[first] };
}

/** A triggered wave's run reaches only the customers whose event its window holds (trigger-sql.ts). */
function triggerFilter({ campaign, wave, runAt }: AudienceInput): Sql {
  if (!wave.trigger) return sql``;
  const events = triggerEventsSql({ campaignId: campaign.id, waveId: wave.id, trigger: wave.trigger, runAt });
  return sql` AND c.customer_id IN (SELECT customer_id FROM (${events}) te)`;
}

/**
 * Who a pilot or a rollout leaves out of the segment: a pilot reaches its `share` of it, by a stable hash
 * of (campaign, wave, customer); a rollout leaves out the customers its pilot sent to (unless
 * `resendPilot`).
 */
function sampleFilter({ campaign, wave, dialect, runAt }: AudienceInput): Sql {
  if (wave.pilot) {
    const bucket = bucketSql(dialect, sql`${sqlString(`${campaign.id}:pilot:${wave.id}:`)} || c.customer_id`);
    return sql` AND ${bucket} < ${sqlNumber(Math.round(wave.pilot.share * 100))}`;
  }
  if (wave.rollout && !wave.rollout.resendPilot)
    return sql` AND c.customer_id NOT IN (SELECT customer_id FROM sends WHERE campaign_id = ${sqlString(campaign.id)}
    AND wave_id = ${sqlString(wave.rollout.from)} AND status = 'sent' AND planned_at < ${sqlTimestamp(runAt)})`;
  return sql``;
}

/**
 * A grouped wave's `seg` (a grouped pilot, or a rollout that picks groups): each customer's group is the
 * first of the wave's groups whose segment they match (column `grp`); customers in no group — or, for a
 * rollout, in a group its decision did not pick — are left out.
 */
function groupedSeg(
  from: Sql,
  groupWheres: readonly Sql[],
  groups: readonly string[],
  keep: readonly string[],
): Sql {
  const whens = groupWheres.map((w, k) => sql`WHEN ${w} THEN ${sqlString(groups[k] as string)}`);
  const kept = keep.length ? sql`grp IN ${sqlStringList(keep)}` : sql`false`;
  return sql`SELECT * FROM (SELECT c.*, CASE ${joinSql(whens, sql` `)} END AS grp ${from}) g WHERE ${kept}`;
}

export function waveAudienceSql(input: AudienceInput): Sql {
  const { campaign, wave, policy, runAt, dialect, recipients } = input;
  const groups = waveGroups(campaign, wave);
  const ctx: SegmentContext = {
    runAt,
    timeZone: campaign.timeZone,
    campaignId: campaign.id,
    segments: campaign.segments,
    dialect,
    calendar: policy.calendar,
  };
  const run = sqlTimestamp(runAt);

  const tierCase = wave.tiers.length
    ? sql`CASE ${joinSql(
        wave.tiers.map((t) => {
          const value = t.when.by === 'spend' ? sql`v.spend` : sql`v.order_count`;
          const rank = t.when.by === 'spend' ? sql`v.spend_rank` : sql`v.orders_rank`;
          const conds = allOf([
            t.when.atLeast !== undefined ? sql`${value} >= ${sqlNumber(t.when.atLeast)}` : null,
            t.when.topPercent !== undefined ? sql`${rank} < ${sqlNumber(t.when.topPercent / 100)}` : null,
          ]);
          return sql`WHEN ${conds} THEN ${sqlString(t.name)}`;
        }),
        sql` `,
      )} END`
    : sql`CAST(NULL AS VARCHAR)`;

  const byTier = wave.tiers.map((t) => ({ name: t.name, pick: chooseChannel(candidates(wave, t.channel)) }));
  const base = chooseChannel(candidates(wave));
  const pick = (field: 'channel' | 'reason') =>
    byTier.length
      ? sql`CASE ${joinSql(
          byTier.map((t) => sql`WHEN tier = ${sqlString(t.name)} THEN ${t.pick[field]}`),
          sql` `,
        )} ELSE ${base[field]} END`
      : base[field];

  const caps = policy.caps.filter((cap) => cap.appliesTo === 'all' || wave.category === 'marketing');
  const capCounts = caps.map((cap, i) => {
    const conds = allOf([
      sql`sent_at >= ${sqlTimestamp(new Date(runAt.getTime() - parseDuration(cap.window)))}`,
      cap.channels === 'any' ? null : sql`channel IN ${sqlStringList(cap.channels)}`,
      cap.appliesTo === 'marketing' ? sql`category = 'marketing'` : null,
    ]);
    return sql`count(*) FILTER (WHERE ${conds}) AS cap_${i}`;
  });
  const capHit = caps.map((cap, i) => {
    const applies = cap.channels === 'any' ? sql`true` : sql`channel IN ${sqlStringList(cap.channels)}`;
    return sql`WHEN ${applies} AND coalesce(cap_${i}, 0) >= ${sqlNumber(cap.max)} THEN ${sqlString(cap.id)}`;
  });
  const maxWindow = Math.max(0, ...caps.map((c) => parseDuration(c.window)));
  // A service notice (shipped, delivered) goes to everyone it concerns: no consent asked, no holdout.
  const notice = wave.category === 'notice';
  const share = sqlNumber(notice ? 0 : Math.round(campaign.holdoutPercent * 100));
  const campaignHoldout = sql`${bucketSql(dialect, sql`${sqlString(`${campaign.id}:`)} || ch.customer_id`)} < ${share}`;
  const waveHoldout = sql`${bucketSql(dialect, sql`${sqlString(`${campaign.id}:${wave.id}:`)} || ch.customer_id`)} < ${share}`;

  const {
    wheres: [where, ...groupWheres],
    ...shared
  } = compileRules([waveRule(campaign, wave), ...(groups ?? []).map((segment) => ({ segment }))], ctx);
  const compiled = { ...shared, where };
  const from = sql`FROM customers c WHERE ${compiled.where}${sampleFilter(input)}${triggerFilter(input)}`;
  const seg = groups
    ? groupedSeg(from, groupWheres, groups, input.groups ?? groups)
    : sql`SELECT c.* ${from}`;
  // Only the percentile windows the tiers use: each is a sort of every buyer.
  const ranked = (by: 'spend' | 'orders') =>
    wave.tiers.some((t) => t.when.by === by && t.when.topPercent !== undefined);
  const rankColumns = [
    ranked('spend') ? sql`,\n    percent_rank() OVER (ORDER BY spend DESC) AS spend_rank` : sql``,
    ranked('orders') ? sql`,\n    percent_rank() OVER (ORDER BY order_count DESC) AS orders_rank` : sql``,
  ];
  const valueRank = wave.tiers.length
    ? sql`value_rank AS (\n  SELECT customer_id, spend, order_count${joinSql(rankColumns, sql``)}\n  FROM stats\n),\n`
    : sql``;
  const stepsSelect = sql`SELECT customer_id, tier, channel, step,
  CASE WHEN step = 'suppressed' THEN block WHEN step = 'capped' THEN cap END AS reason
FROM capped`;
  const steps = recipients
    ? sql`,\nsteps AS (\n${stepsSelect}\n)
SELECT st.customer_id, st.tier, st.channel, st.step, st.reason,
  s.name, s.nickname, s.province, s.city, s.member_tier, s.time_zone, coalesce(pt.points, 0) AS points,${groups ? sql` s.grp,` : sql``}
  CASE st.channel WHEN 'email' THEN s.email WHEN 'sms' THEN s.phone WHEN 'call-list' THEN s.phone END AS address${
    recipients.byValue ? sql`,\n  coalesce(v.spend, 0) AS value` : sql``
  }
FROM steps st JOIN seg s ON s.customer_id = st.customer_id
LEFT JOIN (SELECT customer_id, sum(points) AS points FROM points_ledger WHERE occurred_at < ${run} GROUP BY customer_id) pt
  ON pt.customer_id = st.customer_id${
    recipients.byValue
      ? sql`\nLEFT JOIN stats v ON v.customer_id = st.customer_id\nORDER BY value DESC, st.customer_id`
      : sql``
  }`
    : sql`\n${stepsSelect}`;
  const body = sql`seg AS (${seg}),
supp AS (SELECT customer_id, channel, min(reason) AS reason FROM suppressions WHERE created_at < ${run}${notice ? sql` AND reason <> 'opt-out'` : sql``} GROUP BY customer_id, channel),
${valueRank}reach AS (
  SELECT s.customer_id, ${tierCase} AS tier,
    CASE WHEN sa.reason IS NOT NULL THEN sa.reason WHEN se.reason IS NOT NULL THEN se.reason
      WHEN s.email IS NULL THEN 'no-address'${notice ? sql`` : sql` WHEN NOT coalesce(s.email_consent, false) THEN 'opt-out'`} END AS email_block,
    CASE WHEN sa.reason IS NOT NULL THEN sa.reason WHEN ss.reason IS NOT NULL THEN ss.reason
      WHEN s.phone IS NULL THEN 'no-address'${notice ? sql`` : sql` WHEN NOT coalesce(s.sms_consent, false) THEN 'opt-out'`} END AS phone_block
  FROM seg s${wave.tiers.length ? sql`\n  LEFT JOIN value_rank v ON v.customer_id = s.customer_id` : sql``}
  LEFT JOIN supp se ON se.customer_id = s.customer_id AND se.channel = 'email'
  LEFT JOIN supp ss ON ss.customer_id = s.customer_id AND ss.channel = 'sms'
  LEFT JOIN supp sa ON sa.customer_id = s.customer_id AND sa.channel = 'any'
),
chosen AS (SELECT customer_id, tier, ${pick('channel')} AS channel, ${pick('reason')} AS block FROM reach),
used AS (
  SELECT customer_id${capCounts.length ? sql`, ${joinSql(capCounts)}` : sql``}
  -- DISTINCT: the ledger is written at least once (a redelivered batch may repeat a row).
  FROM (
    SELECT DISTINCT send_id, customer_id, channel, category, sent_at FROM sends
    WHERE status = 'sent' AND sent_at < ${run} AND sent_at >= ${sqlTimestamp(new Date(runAt.getTime() - maxWindow))}
  ) sent
  GROUP BY customer_id
),
-- Who an earlier wave of this campaign assigned, and whether to its holdout.
assigned AS (
  SELECT customer_id, max(CASE WHEN arm = 'holdout' THEN 1 ELSE 0 END) AS held FROM (
    SELECT customer_id, ${armSql()} AS arm FROM sends
    WHERE campaign_id = ${sqlString(campaign.id)} AND planned_at < ${run}
  ) a WHERE arm IS NOT NULL GROUP BY customer_id
),
capped AS (
  SELECT customer_id, tier, channel, block, cap,
    CASE WHEN channel IS NULL THEN 'suppressed' WHEN cap IS NOT NULL THEN 'capped'
      WHEN held = 1${notice ? sql` AND false` : sql``} THEN 'holdout' WHEN held = 0 AND wave_holdout THEN 'wave-holdout'
      WHEN held IS NULL AND campaign_holdout THEN 'holdout' ELSE 'eligible' END AS step
  FROM (
    SELECT ch.customer_id, ch.tier, ch.channel, ch.block,
      ${capHit.length ? sql`CASE ${joinSql(capHit, sql` `)} END` : sql`CAST(NULL AS VARCHAR)`} AS cap,
      a.held, ${campaignHoldout} AS campaign_holdout, ${waveHoldout} AS wave_holdout
    FROM chosen ch LEFT JOIN used u ON u.customer_id = ch.customer_id
    LEFT JOIN assigned a ON a.customer_id = ch.customer_id
  ) x
)${steps}`;
  // The base CTEs go first, then the named segments, then this query's own steps.
  return sql`WITH ${joinSql([...neededCtes(ctx, body, compiled), body], sql`,\n`)}`;
}
