import type { Campaign, Wave } from '../campaign/campaign-schema.ts';
import type { EffectivePolicy } from '../campaign/contact-policy.ts';
import type { Channel, FrequencyCap } from '../campaign/contact-policy-schema.ts';
import { waveGroups } from '../campaign/wave-groups.ts';
import { armSql, oneSendSql } from '../delivery/ledger/ledger.ts';
import { ident, joinSql, type Sql, sql } from '../lake/sql.ts';
import { sqlNumber, sqlString, sqlStringList, sqlTimestamp } from '../lake/sql-literals.ts';
import { parseDuration } from '../time/duration.ts';
import { type CompiledRule, compileRules, neededCtes, type SegmentContext } from './compile-segment.ts';
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
 * The audience query as its stages, each a CTE built by its own function below: the candidates (`seg`),
 * their suppressions (`supp`) and value ranks (`value_rank`, for tiers), what blocks each address
 * (`reach`), the channel chosen (`chosen`), the caps already used (`used`), earlier waves' assignments
 * (`assigned`), each customer's step (`capped`); then the steps alone, or with the recipients' details.
 * The segment's base CTEs and named segments go first (neededCtes).
 */
export function waveAudienceSql(input: AudienceInput): Sql {
  const ctx = segmentContext(input);
  const { seg, compiled } = candidatesSql(input, ctx);
  const caps = appliedCaps(input);
  const stages = [
    sql`seg AS (${seg})`,
    suppressionsSql(input),
    ...(input.wave.tiers.length ? [valueRankSql(input.wave)] : []),
    reachSql(input),
    channelChoiceSql(input.wave),
    capsUsedSql(input, caps),
    earlierAssignmentsSql(input),
    stepsSql(input, caps),
  ];
  const body = input.recipients
    ? sql`${joinSql([...stages, sql`steps AS (\n${STEPS}\n)`], sql`,\n`)}\n${recipientDetailsSql(input, input.recipients)}`
    : sql`${joinSql(stages, sql`,\n`)}\n${STEPS}`;
  return sql`WITH ${joinSql([...neededCtes(ctx, body, compiled), body], sql`,\n`)}`;
}

function segmentContext({ campaign, runAt, dialect, policy }: AudienceInput): SegmentContext {
  return {
    runAt,
    timeZone: campaign.timeZone,
    campaignId: campaign.id,
    segments: campaign.segments,
    dialect,
    calendar: policy.calendar,
  };
}

/** A service notice (shipped, delivered) goes to everyone it concerns: no consent asked, no holdout. */
const isNotice = (wave: Wave) => wave.category === 'notice';

/**
 * `seg`: the customers the wave's rule selects, less those a pilot's share, a rollout's pilot or a
 * trigger's window leaves out; for a grouped wave, with their group (groupedSeg).
 */
function candidatesSql(input: AudienceInput, ctx: SegmentContext): { seg: Sql; compiled: CompiledRule } {
  const { campaign, wave } = input;
  const groups = waveGroups(campaign, wave);
  const {
    wheres: [where, ...groupWheres],
    ...shared
  } = compileRules([waveRule(campaign, wave), ...(groups ?? []).map((segment) => ({ segment }))], ctx);
  const from = sql`FROM customers c WHERE ${where}${sampleFilter(input)}${triggerFilter(input)}`;
  const seg = groups
    ? groupedSeg(from, groupWheres, groups, input.groups ?? groups)
    : sql`SELECT c.* ${from}`;
  return { seg, compiled: { ...shared, where } };
}

/** `supp`: each customer's suppression per channel at the run (a notice ignores opt-outs). */
function suppressionsSql({ wave, runAt }: AudienceInput): Sql {
  const optOut = isNotice(wave) ? sql` AND reason <> 'opt-out'` : sql``;
  return sql`supp AS (SELECT customer_id, channel, min(reason) AS reason FROM suppressions WHERE created_at < ${sqlTimestamp(runAt)}${optOut} GROUP BY customer_id, channel)`;
}

/** `value_rank`: buyers' spend and orders, with only the percentile windows the tiers use (each a sort of every buyer). */
function valueRankSql(wave: Wave): Sql {
  const ranked = (by: 'spend' | 'orders') =>
    wave.tiers.some((t) => t.when.by === by && t.when.topPercent !== undefined);
  const rankColumns = [
    ranked('spend') ? sql`,\n    percent_rank() OVER (ORDER BY spend DESC) AS spend_rank` : sql``,
    ranked('orders') ? sql`,\n    percent_rank() OVER (ORDER BY order_count DESC) AS orders_rank` : sql``,
  ];
  return sql`value_rank AS (\n  SELECT customer_id, spend, order_count${joinSql(rankColumns, sql``)}\n  FROM stats\n)`;
}

/** The value tier of a `reach` row (the first whose condition holds), or NULL. */
function tierSql(wave: Wave): Sql {
  if (!wave.tiers.length) return sql`CAST(NULL AS VARCHAR)`;
  const whens = wave.tiers.map((t) => {
    const value = t.when.by === 'spend' ? sql`v.spend` : sql`v.order_count`;
    const rank = t.when.by === 'spend' ? sql`v.spend_rank` : sql`v.orders_rank`;
    const conds = allOf([
      t.when.atLeast !== undefined ? sql`${value} >= ${sqlNumber(t.when.atLeast)}` : null,
      t.when.topPercent !== undefined ? sql`${rank} < ${sqlNumber(t.when.topPercent / 100)}` : null,
    ]);
    return sql`WHEN ${conds} THEN ${sqlString(t.name)}`;
  });
  return sql`CASE ${joinSql(whens, sql` `)} END`;
}

/**
 * `reach`: consent and suppression — what blocks each customer's email and phone (a suppression of any
 * channel or of that one, no address, no consent; a notice asks no consent), and their value tier.
 */
function reachSql({ wave }: AudienceInput): Sql {
  const notice = isNotice(wave);
  const consent = (column: Sql) =>
    notice ? sql`` : sql` WHEN NOT coalesce(s.${column}, false) THEN 'opt-out'`;
  return sql`reach AS (
  SELECT s.customer_id, ${tierSql(wave)} AS tier,
    CASE WHEN sa.reason IS NOT NULL THEN sa.reason WHEN se.reason IS NOT NULL THEN se.reason
      WHEN s.email IS NULL THEN 'no-address'${consent(sql`email_consent`)} END AS email_block,
    CASE WHEN sa.reason IS NOT NULL THEN sa.reason WHEN ss.reason IS NOT NULL THEN ss.reason
      WHEN s.phone IS NULL THEN 'no-address'${consent(sql`sms_consent`)} END AS phone_block
  FROM seg s${wave.tiers.length ? sql`\n  LEFT JOIN value_rank v ON v.customer_id = s.customer_id` : sql``}
  LEFT JOIN supp se ON se.customer_id = s.customer_id AND se.channel = 'email'
  LEFT JOIN supp ss ON ss.customer_id = s.customer_id AND ss.channel = 'sms'
  LEFT JOIN supp sa ON sa.customer_id = s.customer_id AND sa.channel = 'any'
)`;
}

/**
 * `chosen`: each customer's channel, the first reachable candidate of their tier (else of the wave), and
 * `block`, what blocks the first candidate (the reason when none is reachable).
 */
function channelChoiceSql(wave: Wave): Sql {
  const byTier = wave.tiers.map((t) => ({
    name: t.name,
    pick: chooseChannel(candidateChannels(wave, t.channel)),
  }));
  const base = chooseChannel(candidateChannels(wave));
  const pick = (field: 'channel' | 'reason') =>
    byTier.length
      ? sql`CASE ${joinSql(
          byTier.map((t) => sql`WHEN tier = ${sqlString(t.name)} THEN ${t.pick[field]}`),
          sql` `,
        )} ELSE ${base[field]} END`
      : base[field];
  return sql`chosen AS (SELECT customer_id, tier, ${pick('channel')} AS channel, ${pick('reason')} AS block FROM reach)`;
}

/** The policy's caps this wave counts against: all of them for marketing, else those that apply to all. */
function appliedCaps({ policy, wave }: AudienceInput): FrequencyCap[] {
  return policy.caps.filter((cap) => cap.appliesTo === 'all' || wave.category === 'marketing');
}

/** `used`: per customer, the messages sent within each cap's window (`cap_0`, `cap_1`, …). */
function capsUsedSql({ runAt }: AudienceInput, caps: readonly FrequencyCap[]): Sql {
  const run = sqlTimestamp(runAt);
  const capCounts = caps.map((cap, i) => {
    const conds = allOf([
      sql`sent_at >= ${sqlTimestamp(new Date(runAt.getTime() - parseDuration(cap.window)))}`,
      cap.channels === 'any' ? null : sql`channel IN ${sqlStringList(cap.channels)}`,
      cap.appliesTo === 'marketing' ? sql`category = 'marketing'` : null,
    ]);
    return sql`count(*) FILTER (WHERE ${conds}) AS cap_${i}`;
  });
  const maxWindow = Math.max(0, ...caps.map((c) => parseDuration(c.window)));
  // The sent rows in the widest window, one per send: the ledger is written at least once.
  const sent = oneSendSql(
    ['customer_id', 'channel', 'category', 'sent_at'],
    sql`status = 'sent' AND sent_at < ${run} AND sent_at >= ${sqlTimestamp(new Date(runAt.getTime() - maxWindow))}`,
  );
  return sql`used AS (
  SELECT customer_id${capCounts.length ? sql`, ${joinSql(capCounts)}` : sql``}
  FROM (${sent}) sent
  GROUP BY customer_id
)`;
}

/**
 * `assigned`: who an earlier wave of this campaign assigned, and whether to its holdout (`held`). Every
 * row is read, not one per send (oneSendSql): `max` is not changed by a repeated row, and a holdout row
 * counts even beside a later row of the same precedence, which oneSendSql would pick between at random.
 */
function earlierAssignmentsSql({ campaign, runAt }: AudienceInput): Sql {
  return sql`-- Who an earlier wave of this campaign assigned, and whether to its holdout.
assigned AS (
  SELECT customer_id, max(CASE WHEN arm = 'holdout' THEN 1 ELSE 0 END) AS held FROM (
    SELECT customer_id, ${armSql()} AS arm FROM sends
    WHERE campaign_id = ${sqlString(campaign.id)} AND planned_at < ${sqlTimestamp(runAt)}
  ) a WHERE arm IS NOT NULL GROUP BY customer_id
)`;
}

/** The first cap the customer's chosen channel has used up, by its id, or NULL. */
function capHitSql(caps: readonly FrequencyCap[]): Sql {
  const whens = caps.map((cap, i) => {
    const applies = cap.channels === 'any' ? sql`true` : sql`channel IN ${sqlStringList(cap.channels)}`;
    return sql`WHEN ${applies} AND coalesce(cap_${i}, 0) >= ${sqlNumber(cap.max)} THEN ${sqlString(cap.id)}`;
  });
  return whens.length ? sql`CASE ${joinSql(whens, sql` `)} END` : sql`CAST(NULL AS VARCHAR)`;
}

/**
 * Whether a `chosen` row's customer falls in the campaign's holdout and in this wave's, by stable hashes of
 * (campaign, customer) and (campaign, wave, customer); a notice holds no one out.
 */
function holdoutSql({ campaign, wave, dialect }: AudienceInput): { campaign: Sql; wave: Sql } {
  const share = sqlNumber(isNotice(wave) ? 0 : Math.round(campaign.holdoutPercent * 100));
  const drawn = (key: string) =>
    sql`${bucketSql(dialect, sql`${sqlString(key)} || ch.customer_id`)} < ${share}`;
  return { campaign: drawn(`${campaign.id}:`), wave: drawn(`${campaign.id}:${wave.id}:`) };
}

/**
 * `capped`: the step where each customer leaves the send — suppressed (no reachable channel), capped,
 * holdout (kept from an earlier wave, or drawn now), wave-holdout — or eligible.
 */
function stepsSql(input: AudienceInput, caps: readonly FrequencyCap[]): Sql {
  const holdout = holdoutSql(input);
  return sql`capped AS (
  SELECT customer_id, tier, channel, block, cap,
    CASE WHEN channel IS NULL THEN 'suppressed' WHEN cap IS NOT NULL THEN 'capped'
      WHEN held = 1${isNotice(input.wave) ? sql` AND false` : sql``} THEN 'holdout' WHEN held = 0 AND wave_holdout THEN 'wave-holdout'
      WHEN held IS NULL AND campaign_holdout THEN 'holdout' ELSE 'eligible' END AS step
  FROM (
    SELECT ch.customer_id, ch.tier, ch.channel, ch.block,
      ${capHitSql(caps)} AS cap,
      a.held, ${holdout.campaign} AS campaign_holdout, ${holdout.wave} AS wave_holdout
    FROM chosen ch LEFT JOIN used u ON u.customer_id = ch.customer_id
    LEFT JOIN assigned a ON a.customer_id = ch.customer_id
  ) x
)`;
}

/** The audience's rows without details: each customer's step and its reason (block or cap). */
const STEPS = sql`SELECT customer_id, tier, channel, step,
  CASE WHEN step = 'suppressed' THEN block WHEN step = 'capped' THEN cap END AS reason
FROM capped`;

/**
 * The steps with each recipient's details for planning the sends (see AudienceInput.recipients): profile,
 * points balance at the run, the address for the channel, the group of a grouped wave and, by value,
 * their lifetime paid spend, highest first.
 */
function recipientDetailsSql(input: AudienceInput, { byValue }: { byValue: boolean }): Sql {
  const grouped = waveGroups(input.campaign, input.wave) !== null;
  return sql`SELECT st.customer_id, st.tier, st.channel, st.step, st.reason,
  s.name, s.nickname, s.province, s.city, s.member_tier, s.time_zone, coalesce(pt.points, 0) AS points,${grouped ? sql` s.grp,` : sql``}
  CASE st.channel WHEN 'email' THEN s.email WHEN 'sms' THEN s.phone WHEN 'call-list' THEN s.phone END AS address${
    byValue ? sql`,\n  coalesce(v.spend, 0) AS value` : sql``
  }
FROM steps st JOIN seg s ON s.customer_id = st.customer_id
LEFT JOIN (SELECT customer_id, sum(points) AS points FROM points_ledger WHERE occurred_at < ${sqlTimestamp(input.runAt)} GROUP BY customer_id) pt
  ON pt.customer_id = st.customer_id${
    byValue
      ? sql`\nLEFT JOIN stats v ON v.customer_id = st.customer_id\nORDER BY value DESC, st.customer_id`
      : sql``
  }`;
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
function candidateChannels(wave: Wave, tierChannel?: Channel): Channel[] {
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
