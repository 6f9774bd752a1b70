import type { Campaign, Rollout, Wave } from '../../campaign/campaign-schema.ts';
import { col, rowDecoder } from '../../lake/row-decoder.ts';
import { type TableRecord, tableTimestamp } from '../../lake/table-writer.ts';
import type { Row } from '../../lake/warehouse.ts';
import { MIN_EXPECTED_CONVERSIONS, Z95 } from '../../responses/lift-sql.ts';

/**
 * One variant of the pilot as the rollout measured it: its metric with a 95% interval. For a group
 * (pick: group): its treated customers (recipients, converted), its holdout, and the metric's lift —
 * treated minus holdout — with a 95% interval.
 */
export interface RolloutCandidate {
  id: string;
  recipients: number;
  converted: number;
  /** The metric: a conversion rate (0–1), or revenue per recipient in the campaign's currency. */
  estimate: number;
  low: number;
  high: number;
  /** For a group: its held-out customers, and how many of them converted. */
  holdout?: { customers: number; converted: number };
}

export type RolloutOutcome = 'winner' | 'no-clear-winner' | 'too-small';

/** What a rollout wave decided at its start, and why (recorded on its run and in `rollout_decisions`). */
export interface RolloutDecision {
  campaignId: string;
  waveId: string;
  pilotWaveId: string;
  pick: Rollout['pick'];
  metric: Rollout['metric'];
  /** The rule, in words. */
  rule: string;
  /** When it was decided: the rollout wave's start (what the pilot had measured by then). */
  decidedAt: string;
  outcome: RolloutOutcome;
  /** The variants the rollout sends (the groups it sends to, for pick: group). */
  picked: string[];
  /** Why, in words (English), with the figures. */
  reason: string;
  /**
   * Recipients each variant would need for the pilot to be read (for groups: customers the smaller part,
   * treated or holdout, of a group would need); null when it was read.
   */
  needed: number | null;
  candidates: RolloutCandidate[];
}

export const ROLLOUT_RULE =
  `pick the variant whose 95% interval lies wholly above every other variant's; read only when every variant ` +
  `expects at least ${MIN_EXPECTED_CONVERSIONS} conversions and ${MIN_EXPECTED_CONVERSIONS} non-conversions at the pooled rate`;

/** A pilot's per-variant row (pilot-response-sql.ts). */
export interface PilotResponse {
  variant: string;
  recipients: number;
  converted: number;
  revenueMean: number;
  revenueVar: number;
}

const pilotRow = rowDecoder('the pilot responses', {
  variant: col.text,
  recipients: col.number,
  converted: col.number,
  revenue_mean: col.number,
  revenue_var: col.number,
});

export function pilotResponses(rows: readonly Row[]): PilotResponse[] {
  return rows.map(pilotRow).map((r) => ({
    variant: r.variant,
    recipients: r.recipients,
    converted: r.converted,
    revenueMean: r.revenue_mean,
    revenueVar: r.revenue_var,
  }));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const amount = (x: number) => x.toFixed(2);

/**
 * The rule (docs/responses.md, rollout), a pure function of the pilot's figures. Every variant of the
 * pilot is a candidate (one the pilot queued nobody with has 0 recipients). The pilot is read only when
 * each candidate expects MIN_EXPECTED_CONVERSIONS conversions and as many non-conversions at the pooled
 * conversion rate — the readability rule of the lift — else it picks nothing and says the size needed.
 * A candidate wins only when its interval's lower bound is above every other's upper bound; with no
 * such candidate there is no clear winner. Either way without a winner, `otherwise` is sent.
 */
export function decideRollout(
  campaign: Pick<Campaign, 'id'>,
  wave: Pick<Wave, 'id' | 'rollout' | 'variants'>,
  pilotVariants: readonly string[],
  responses: readonly PilotResponse[],
  at: Date,
): RolloutDecision {
  const rollout = wave.rollout;
  if (!rollout) throw new RangeError(`wave ${wave.id} is not a rollout`);
  const byId = new Map(responses.map((r) => [r.variant, r]));
  const figures = pilotVariants.map(
    (id) => byId.get(id) ?? { variant: id, recipients: 0, converted: 0, revenueMean: 0, revenueVar: 0 },
  );
  const candidates: RolloutCandidate[] = figures.map((f) => {
    const n = f.recipients;
    const [estimate, se] =
      rollout.metric === 'conversion-rate'
        ? [n ? f.converted / n : 0, n ? Math.sqrt(((f.converted / n) * (1 - f.converted / n)) / n) : 0]
        : [f.revenueMean, n ? Math.sqrt(f.revenueVar / n) : 0];
    return {
      id: f.variant,
      recipients: n,
      converted: f.converted,
      estimate,
      low: estimate - Z95 * se,
      high: estimate + Z95 * se,
    };
  });
  const show = rollout.metric === 'conversion-rate' ? pct : amount;
  const fallback = rollout.otherwise === 'all' ? (wave.variants ?? []).map((v) => v.id) : [rollout.otherwise];
  const sending = rollout.otherwise === 'all' ? 'sending every variant' : `sending ${rollout.otherwise}`;
  const base = decisionFacts(campaign.id, wave.id, rollout, ROLLOUT_RULE, at, candidates);
  const unread = unreadPilot(candidates);
  if (unread)
    return {
      ...base,
      outcome: 'too-small',
      picked: fallback,
      needed: unread.needed,
      reason: `${unread.reason}; ${sending}`,
    };
  const [best, ...rest] = [...candidates].sort((a, b) => b.estimate - a.estimate);
  const described = (c: RolloutCandidate) => `${c.id} ${show(c.estimate)} [${show(c.low)}, ${show(c.high)}]`;
  if (best && rest.length > 0 && rest.every((c) => best.low > c.high))
    return {
      ...base,
      outcome: 'winner',
      picked: [best.id],
      needed: null,
      reason: `${described(best)} is above every other variant's interval (${rest.map(described).join('; ')}): sending ${best.id}`,
    };
  return {
    ...base,
    outcome: 'no-clear-winner',
    picked: fallback,
    needed: null,
    reason: `no clear winner: the intervals overlap (${[best, ...rest]
      .filter((c) => c !== undefined)
      .map(described)
      .join('; ')}); ${sending}`,
  };
}

/** What a decision records whatever its outcome: whose it is, its rule, when, and the candidates' figures. */
export function decisionFacts(
  campaignId: string,
  waveId: string,
  rollout: Rollout,
  rule: string,
  at: Date,
  candidates: RolloutCandidate[],
): Omit<RolloutDecision, 'outcome' | 'picked' | 'needed' | 'reason'> {
  return {
    campaignId,
    waveId,
    pilotWaveId: rollout.from,
    pick: rollout.pick,
    metric: rollout.metric,
    rule,
    decidedAt: at.toISOString(),
    candidates,
  };
}

/** Why the pilot cannot be read, with the recipients each variant would need; null when it can. */
function unreadPilot(
  candidates: readonly RolloutCandidate[],
): { reason: string; needed: number | null } | null {
  const n = candidates.reduce((s, c) => s + c.recipients, 0);
  const x = candidates.reduce((s, c) => s + c.converted, 0);
  if (candidates.length < 2)
    return { reason: 'the pilot has fewer than two variants to compare', needed: null };
  if (n === 0) return { reason: 'the pilot has no recipients', needed: null };
  const pooled = x / n;
  if (pooled === 0)
    return { reason: 'pilot too small to read: no conversions in any variant yet', needed: null };
  const rare = Math.min(pooled, 1 - pooled);
  const smallest = [...candidates].sort((a, b) => a.recipients - b.recipients)[0];
  if (!smallest || smallest.recipients * rare >= MIN_EXPECTED_CONVERSIONS) return null;
  const needed = Math.ceil(MIN_EXPECTED_CONVERSIONS / rare);
  const what = pooled <= 0.5 ? 'conversions' : 'customers who did not convert';
  return {
    reason: `pilot too small to read: variant ${smallest.id} has ${smallest.recipients} recipients at a ${pct(pooled)} pooled conversion rate, expecting ${(smallest.recipients * rare).toFixed(1)} ${what} (at least ${MIN_EXPECTED_CONVERSIONS} needed); reading it takes about ${needed} recipients per variant`,
    needed,
  };
}

/** The decision as `rollout_decisions` rows: one per candidate, the decision's fields on each. */
export function decisionRecords(d: RolloutDecision): TableRecord[] {
  return d.candidates.map((c) => ({
    campaign_id: d.campaignId,
    wave_id: d.waveId,
    pilot_wave_id: d.pilotWaveId,
    decided_at: tableTimestamp(new Date(d.decidedAt)),
    pick: d.pick,
    metric: d.metric,
    rule: d.rule,
    outcome: d.outcome,
    picked: d.picked.join(','),
    reason: d.reason,
    needed: d.needed,
    candidate: c.id,
    recipients: c.recipients,
    converted: c.converted,
    estimate: c.estimate,
    low: c.low,
    high: c.high,
    chosen: d.picked.includes(c.id),
    holdout_recipients: c.holdout?.customers ?? null,
    holdout_converted: c.holdout?.converted ?? null,
  }));
}

/** The variants a decision limits sending to; undefined (every variant) for a decision on groups. */
export function pickedVariants(d: RolloutDecision | undefined): readonly string[] | undefined {
  return d && d.pick !== 'group' ? d.picked : undefined;
}

/** The groups a decision on groups sends to; undefined for any other wave. */
export function pickedGroups(d: RolloutDecision | undefined): readonly string[] | undefined {
  return d?.pick === 'group' ? d.picked : undefined;
}
