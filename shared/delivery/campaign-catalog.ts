import type { Campaign, Wave } from '../campaign/campaign-schema.ts';
import { type EffectivePolicy, effectivePolicy } from '../campaign/contact-policy.ts';
import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import { type Occurrence, occurrenceAt, occurrencesBetween, parseRunId } from '../campaign/wave-repeat.ts';
import { resolveWaveSchedule } from '../campaign/wave-schedule.ts';
import { tickAt } from '../campaign/wave-trigger.ts';
import { parseDuration } from '../time/duration.ts';

/** A wave with what delivery needs around it: its campaign, the policy in force and its times. */
export interface ScheduledWave {
  campaign: Campaign;
  wave: Wave;
  policy: EffectivePolicy;
  start: Date;
  /** The send-by deadline; a wave without one has a day. */
  sendBy: Date;
  /**
   * For one occurrence of a recurring wave: which wave, at which local time. `wave` is then the recurring
   * wave as a one-off at that time, its id the run id (`member-day@2027-01-15T10:00`).
   */
  occurrence?: { waveId: string; local: string };
}

/** Where delivery finds campaigns: files locally, the campaign store behind the API on AWS. */
export interface CampaignCatalog {
  wave(campaignId: string, waveId: string): Promise<ScheduledWave>;
  /** Every scheduled wave of every campaign starting in (from, to]. */
  startingBetween(from: Date, to: Date): Promise<ScheduledWave[]>;
}

export const DEFAULT_SEND_WINDOW_MS = 86_400_000;

export class UnknownWaveError extends Error {
  override name = 'UnknownWaveError';
}

/**
 * The one-off waves of a campaign with their resolved times (a validated campaign has no schedule
 * problems). Recurring waves run as occurrences: see scheduleOccurrences.
 */
export function scheduleCampaign(campaign: Campaign, shopPolicy: ContactPolicy): ScheduledWave[] {
  const policy = effectivePolicy(shopPolicy, campaign);
  const { times } = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  return campaign.waves.flatMap((wave, i) => {
    if (wave.start === undefined) return [];
    const t = times[i];
    if (!t) throw new RangeError(`wave ${wave.id} of ${campaign.id} has no resolvable start`);
    return {
      campaign,
      wave,
      policy,
      start: t.start,
      sendBy: t.sendBy ?? new Date(t.start.getTime() + DEFAULT_SEND_WINDOW_MS),
    };
  });
}

/** The recurring waves of a campaign (those with `repeat`). */
export function recurringWaves(campaign: Campaign): (Wave & { repeat: NonNullable<Wave['repeat']> })[] {
  return campaign.waves.filter((w): w is Wave & { repeat: NonNullable<Wave['repeat']> } => !!w.repeat);
}

/** The triggered waves of a campaign (those with `trigger`). */
export function triggeredWaves(campaign: Campaign): (Wave & { trigger: NonNullable<Wave['trigger']> })[] {
  return campaign.waves.filter((w): w is Wave & { trigger: NonNullable<Wave['trigger']> } => !!w.trigger);
}

/**
 * One occurrence of a recurring wave, or one tick of a triggered wave, as a wave run (a triggered wave
 * keeps its `trigger`: its audience is the events its tick's window holds): the wave as a one-off at that time, named by its run id. */
export function occurrenceWave(
  campaign: Campaign,
  policy: EffectivePolicy,
  wave: Wave,
  o: Occurrence,
): ScheduledWave {
  const { repeat: _repeat, ...rest } = wave;
  return {
    campaign,
    wave: { ...rest, id: o.runId, start: o.local },
    policy,
    start: o.start,
    sendBy: new Date(o.start.getTime() + (wave.sendBy ? parseDuration(wave.sendBy) : DEFAULT_SEND_WINDOW_MS)),
    occurrence: { waveId: wave.id, local: o.local },
  };
}

/** Every occurrence of the campaign's recurring waves starting in (after, to], in order of start. */
export function scheduleOccurrences(
  campaign: Campaign,
  shopPolicy: ContactPolicy,
  after: Date,
  to: Date,
): ScheduledWave[] {
  const policy = effectivePolicy(shopPolicy, campaign);
  return recurringWaves(campaign)
    .flatMap((w) =>
      occurrencesBetween(w.id, w.repeat, campaign.timeZone, after, to).map((o) =>
        occurrenceWave(campaign, policy, w, o),
      ),
    )
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * The run a run id names (`member-day@2027-01-15T10:00`, a recurring wave's occurrence, or
 * `unpaid@2026-11-12T10:15`, a triggered wave's tick), or null if it names none.
 */
export function scheduleOccurrence(
  campaign: Campaign,
  shopPolicy: ContactPolicy,
  runId: string,
): ScheduledWave | null {
  const parsed = parseRunId(runId);
  const wave = parsed && campaign.waves.find((w) => w.id === parsed.waveId);
  if (!parsed || !wave) return null;
  const o = wave.repeat
    ? occurrenceAt(wave.id, wave.repeat, campaign.timeZone, parsed.local)
    : wave.trigger
      ? tickAt(wave.id, wave.trigger, campaign.timeZone, parsed.local)
      : null;
  return o ? occurrenceWave(campaign, effectivePolicy(shopPolicy, campaign), wave, o) : null;
}

/** A catalog over campaigns held in memory (loaded from files). */
export class InMemoryCatalog implements CampaignCatalog {
  readonly #waves: ScheduledWave[];
  readonly #campaigns: readonly Campaign[];
  readonly #shopPolicy: ContactPolicy;

  constructor(campaigns: readonly Campaign[], shopPolicy: ContactPolicy) {
    this.#waves = campaigns.flatMap((c) => scheduleCampaign(c, shopPolicy));
    this.#campaigns = campaigns;
    this.#shopPolicy = shopPolicy;
  }

  async wave(campaignId: string, waveId: string): Promise<ScheduledWave> {
    const found = this.#waves.find((w) => w.campaign.id === campaignId && w.wave.id === waveId);
    if (found) return found;
    const campaign = this.#campaigns.find((c) => c.id === campaignId);
    const occurrence = campaign && scheduleOccurrence(campaign, this.#shopPolicy, waveId);
    if (!occurrence) throw new UnknownWaveError(`no wave ${waveId} in campaign ${campaignId}`);
    return occurrence;
  }

  /**
   * One-off waves and recurring occurrences. Not a triggered wave's ticks: who they reach depends on
   * events yet to come, so no reservation can be made for them (see plan-wave.ts, reserveAhead).
   */
  async startingBetween(from: Date, to: Date): Promise<ScheduledWave[]> {
    return [
      ...this.#waves.filter((w) => w.start > from && w.start <= to),
      ...this.#campaigns.flatMap((c) => scheduleOccurrences(c, this.#shopPolicy, from, to)),
    ];
  }
}
