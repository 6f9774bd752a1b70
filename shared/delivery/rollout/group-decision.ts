import type { Campaign, Wave } from '../../campaign/campaign-schema.ts';
import { col, rowDecoder } from '../../lake/row-decoder.ts';
import type { Row } from '../../lake/warehouse.ts';
import { MIN_EXPECTED_CONVERSIONS, Z95 } from '../../responses/lift-sql.ts';
import { normalQuantile } from '../../responses/normal-quantile.ts';
import { decisionFacts, type RolloutCandidate, type RolloutDecision } from './rollout-decision.ts';

/** One row of group-response-sql.ts: a group's treated or holdout customers in one stratum. */
export interface GroupResponse {
  segment: string;
  stratum: string;
  part: 'treated' | 'holdout';
  customers: number;
  converted: number;
  revenueMean: number;
  revenueVar: number;
}

const groupRow = rowDecoder('the group responses', {
  segment: col.text,
  stratum: col.text,
  part: col.oneOf(['treated', 'holdout']),
  customers: col.number,
  converted: col.number,
  revenue_mean: col.number,
  revenue_var: col.number,
});

export function groupResponses(rows: readonly Row[]): GroupResponse[] {
  return rows.map(groupRow).map((r) => ({
    segment: r.segment,
    stratum: r.stratum,
    part: r.part,
    customers: r.customers,
    converted: r.converted,
    revenueMean: r.revenue_mean,
    revenueVar: r.revenue_var,
  }));
}

export const GROUP_ROLLOUT_RULE =
  `pick every group whose lift — its treated customers' response minus its own held-out customers' — is ` +
  `above zero by a one-sided test at 2.5% shared by the groups (z above the normal quantile of 1 − 0.025/k for ` +
  `k groups, the variance pooled as if the message did nothing); groups are not randomized and differ in how ` +
  `much they buy anyway, so their raw rates are not compared; a group is read only when its treated and its ` +
  `holdout each expect at least ${MIN_EXPECTED_CONVERSIONS} conversions and ${MIN_EXPECTED_CONVERSIONS} ` +
  `non-conversions at the group's pooled rate`;

interface Part {
  n: number;
  x: number;
  mean: number;
  variance: number;
}
const EMPTY: Part = { n: 0, x: 0, mean: 0, variance: 0 };

/** A group's lift, the strata that could be read pooled by their treated customers (as lift-sql.ts does). */
interface GroupLift {
  candidate: RolloutCandidate;
  /** Treated customers in strata too small to read (left out of the estimate). */
  notCompared: number;
  /** Why it cannot be read and the size it would take; null when it was read. */
  unread: { reason: string; needed: number | null } | null;
  /** The lift over its standard error with the variance pooled as if the message did nothing. */
  z: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pts = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(1)}`;
const money = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)}`;

function groupLift(
  group: string,
  responses: readonly GroupResponse[],
  metric: NonNullable<Wave['rollout']>['metric'],
): GroupLift {
  const mine = responses.filter((r) => r.segment === group);
  const strata = [...new Set(mine.map((r) => r.stratum))].sort();
  const part = (stratum: string, p: GroupResponse['part']): Part => {
    const r = mine.find((x) => x.stratum === stratum && x.part === p);
    return r ? { n: r.customers, x: r.converted, mean: r.revenueMean, variance: r.revenueVar } : EMPTY;
  };
  const pairs = strata.map((s) => ({ t: part(s, 'treated'), c: part(s, 'holdout') }));
  const sum = (f: (p: (typeof pairs)[number]) => number) => pairs.reduce((a, p) => a + f(p), 0);
  const [nT, xT, nC, xC] = [sum((p) => p.t.n), sum((p) => p.t.x), sum((p) => p.c.n), sum((p) => p.c.x)];
  const readable = pairs.filter(({ t, c }) => {
    const pooled = (t.x + c.x) / (t.n + c.n || 1);
    return Math.min(t.n, c.n) * Math.min(pooled, 1 - pooled) >= MIN_EXPECTED_CONVERSIONS;
  });
  const weight = readable.reduce((a, p) => a + p.t.n, 0);
  let estimate = 0;
  let variance = 0;
  // Under no effect both parts share one rate (one variance): the test's standard error pools them, so
  // a part with a lucky low rate does not shrink its own variance (the interval's, unpooled, would).
  let nullVariance = 0;
  for (const { t, c } of readable) {
    const w = t.n / weight;
    const [pt, pc] = [t.x / t.n, c.x / c.n];
    const sizes = 1 / t.n + 1 / c.n;
    const pooledRate = (t.x + c.x) / (t.n + c.n);
    const pooledVariance = ((t.n - 1) * t.variance + (c.n - 1) * c.variance) / Math.max(1, t.n + c.n - 2);
    const [diff, v, v0] =
      metric === 'conversion-rate'
        ? [pt - pc, (pt * (1 - pt)) / t.n + (pc * (1 - pc)) / c.n, pooledRate * (1 - pooledRate) * sizes]
        : [t.mean - c.mean, t.variance / t.n + c.variance / c.n, pooledVariance * sizes];
    estimate += w * diff;
    variance += w * w * v;
    nullVariance += w * w * v0;
  }
  const se = Math.sqrt(variance);
  const z = nullVariance > 0 ? estimate / Math.sqrt(nullVariance) : 0;
  const candidate: RolloutCandidate = {
    id: group,
    recipients: nT,
    converted: xT,
    estimate,
    low: estimate - Z95 * se,
    high: estimate + Z95 * se,
    holdout: { customers: nC, converted: xC },
  };
  return {
    candidate,
    notCompared: nT - weight,
    unread: readable.length ? null : unreadGroup(group, nT, xT, nC, xC),
    z,
  };
}

/** Why a group cannot be read, and the customers its smaller part would need. */
function unreadGroup(group: string, nT: number, xT: number, nC: number, xC: number) {
  if (nT === 0) return { reason: `group ${group} has no treated customers in the pilot`, needed: null };
  if (nC === 0) return { reason: `group ${group} has no held-out customers in the pilot`, needed: null };
  const pooled = (xT + xC) / (nT + nC);
  if (pooled === 0)
    return { reason: `group ${group} too small to read: no conversions in it yet`, needed: null };
  const rare = Math.min(pooled, 1 - pooled);
  const needed = Math.ceil(MIN_EXPECTED_CONVERSIONS / rare);
  const [which, n] = nC <= nT ? ['holdout', nC] : ['treated part', nT];
  const what = pooled <= 0.5 ? 'conversions' : 'customers who did not convert';
  return {
    reason: `group ${group} too small to read: its ${which} has ${n} customers at a ${pct(pooled)} pooled conversion rate, expecting ${(n * rare).toFixed(1)} ${what} (at least ${MIN_EXPECTED_CONVERSIONS} needed); reading it takes about ${needed} customers in its ${which}`,
    needed,
  };
}

/**
 * The rule for a rollout that picks groups (docs/responses.md, groups), a pure function of the pilot's
 * figures per group: every group of the pilot is a candidate, measured by its lift — its treated
 * customers' response minus its own held-out customers', with a 95% interval — never by its raw rate,
 * since groups are not randomized and differ in how much they buy whether messaged or not. Every group
 * whose lift is shown above zero (a one-sided test at 2.5% shared by the groups, the variance pooled as if the message did nothing) is picked; none → `otherwise`; a group too small to read →
 * nothing is picked (`otherwise`), with the size it would take.
 */
export function decideGroupRollout(
  campaign: Pick<Campaign, 'id'>,
  wave: Pick<Wave, 'id' | 'rollout'>,
  pilotGroups: readonly string[],
  responses: readonly GroupResponse[],
  at: Date,
): RolloutDecision {
  const rollout = wave.rollout;
  if (rollout?.pick !== 'group') throw new RangeError(`wave ${wave.id} is not a rollout that picks groups`);
  const lifts = pilotGroups.map((g) => groupLift(g, responses, rollout.metric));
  const candidates = lifts.map((l) => l.candidate);
  const fallback = rollout.otherwise === 'all' ? [...pilotGroups] : [rollout.otherwise];
  const sending = rollout.otherwise === 'all' ? 'sending to every group' : `sending to ${rollout.otherwise}`;
  const base = decisionFacts(campaign.id, wave.id, rollout, GROUP_ROLLOUT_RULE, at, candidates);
  const unread = lifts.filter((l) => l.unread !== null);
  if (candidates.length === 0 || unread.length > 0) {
    const needs = unread.map((l) => l.unread?.needed).filter((n): n is number => typeof n === 'number');
    const why = unread.length ? unread.map((l) => l.unread?.reason).join('; ') : 'the pilot has no groups';
    return {
      ...base,
      outcome: 'too-small',
      picked: fallback,
      needed: needs.length ? Math.max(...needs) : null,
      reason: `${why}; ${sending}`,
    };
  }
  const described = (l: GroupLift) => {
    const c = l.candidate;
    const show = rollout.metric === 'conversion-rate' ? pts : money;
    const unit = rollout.metric === 'conversion-rate' ? ' pts' : ' per recipient';
    const h = c.holdout ?? { customers: 0, converted: 0 };
    const rates = `treated ${pct(c.converted / c.recipients)} of ${c.recipients}, holdout ${pct(h.converted / h.customers)} of ${h.customers}`;
    const left = l.notCompared ? `, ${l.notCompared} treated not compared: their stratum too small` : '';
    return `${c.id} ${show(c.estimate)}${unit} [${show(c.low)}, ${show(c.high)}], z ${l.z.toFixed(2)} (${rates}${left})`;
  };
  // One-sided 2.5% shared by the groups (Bonferroni): with no effect anywhere, at most about 2.5% of
  // pilots pick any group, however many groups there are.
  const threshold = normalQuantile(1 - 0.025 / lifts.length);
  const above = lifts.filter((l) => l.z > threshold);
  const rest = lifts.filter((l) => l.z <= threshold);
  if (above.length)
    return {
      ...base,
      outcome: 'winner',
      picked: above.map((l) => l.candidate.id),
      needed: null,
      reason: `lift above zero (z above ${threshold.toFixed(2)}) in ${above.map(described).join('; ')}${
        rest.length ? `; not shown in ${rest.map(described).join('; ')}` : ''
      }: sending to ${above.map((l) => l.candidate.id).join(', ')}`,
    };
  return {
    ...base,
    outcome: 'no-clear-winner',
    picked: fallback,
    needed: null,
    reason: `no group's lift is shown above zero (z above ${threshold.toFixed(2)}: ${lifts.map(described).join('; ')}); ${sending}`,
  };
}
