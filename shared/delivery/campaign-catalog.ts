import type { Campaign, Wave } from '../campaign/campaign-schema.ts';
import { type EffectivePolicy, effectivePolicy } from '../campaign/contact-policy.ts';
import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import { resolveWaveSchedule } from '../campaign/wave-schedule.ts';

/** A wave with what delivery needs around it: its campaign, the policy in force and its times. */
export interface ScheduledWave {
  campaign: Campaign;
  wave: Wave;
  policy: EffectivePolicy;
  start: Date;
  /** The send-by deadline; a wave without one has a day. */
  sendBy: Date;
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

/** The waves of a campaign with their resolved times (a validated campaign has no schedule problems). */
export function scheduleCampaign(campaign: Campaign, shopPolicy: ContactPolicy): ScheduledWave[] {
  const policy = effectivePolicy(shopPolicy, campaign);
  const { times } = resolveWaveSchedule(campaign.waves, campaign.timeZone);
  return campaign.waves.map((wave, i) => {
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

/** A catalog over campaigns held in memory (loaded from files). */
export class InMemoryCatalog implements CampaignCatalog {
  readonly #waves: ScheduledWave[];

  constructor(campaigns: readonly Campaign[], shopPolicy: ContactPolicy) {
    this.#waves = campaigns.flatMap((c) => scheduleCampaign(c, shopPolicy));
  }

  async wave(campaignId: string, waveId: string): Promise<ScheduledWave> {
    const found = this.#waves.find((w) => w.campaign.id === campaignId && w.wave.id === waveId);
    if (!found) throw new UnknownWaveError(`no wave ${waveId} in campaign ${campaignId}`);
    return found;
  }

  async startingBetween(from: Date, to: Date): Promise<ScheduledWave[]> {
    return this.#waves.filter((w) => w.start > from && w.start <= to);
  }
}
