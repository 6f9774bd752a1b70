import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import type { Clock } from '../clock.ts';
import { type CampaignCatalog, InMemoryCatalog, type ScheduledWave } from '../delivery/campaign-catalog.ts';
import { configOf } from './campaign-api.ts';
import { type CampaignStore, listAll } from './campaign-store.ts';

/** How long an id the store does not have is taken for a deployed campaign before the store is asked again. */
const NOT_STORED_TTL_MS = 60_000;

/**
 * The catalog the Lambdas read on AWS: the campaigns deployed as code and those created through the API
 * (in the campaign store). send-batches asks for a wave on every batch, so a launched API campaign is
 * kept once read (its config can no longer change: only a draft's can), and an id the store does not
 * have is asked again after a minute.
 */
export class ApiCampaignCatalog implements CampaignCatalog {
  readonly #deployed: CampaignCatalog & { policy(): Promise<ContactPolicy> };
  readonly #store: CampaignStore;
  readonly #launchedCatalogs = new Map<string, InMemoryCatalog>();
  readonly #notStored = new Map<string, number>();
  readonly #clock: Clock;

  constructor(
    deployed: CampaignCatalog & { policy(): Promise<ContactPolicy> },
    store: CampaignStore,
    clock: Clock,
  ) {
    this.#deployed = deployed;
    this.#store = store;
    this.#clock = clock;
  }

  /** Waves of API campaigns that are launched (scheduled or running): drafts reserve nobody. */
  async #launched(from: Date, to: Date): Promise<ScheduledWave[]> {
    const stored = await listAll(this.#store);
    const catalog = new InMemoryCatalog(stored.map(configOf), await this.#deployed.policy());
    const state = new Map(
      stored.flatMap((c) => Object.entries(c.waves).map(([w, s]) => [`${c.id}/${w}`, s])),
    );
    return (await catalog.startingBetween(from, to)).filter((sw) =>
      ['scheduled', 'running'].includes(state.get(`${sw.campaign.id}/${sw.wave.id}`) ?? ''),
    );
  }

  async wave(campaignId: string, waveId: string): Promise<ScheduledWave> {
    const kept = this.#launchedCatalogs.get(campaignId);
    if (kept) return kept.wave(campaignId, waveId);
    const now = this.#clock.now().getTime();
    if ((this.#notStored.get(campaignId) ?? 0) > now) return this.#deployed.wave(campaignId, waveId);
    const stored = await this.#store.get(campaignId);
    if (!stored) {
      this.#notStored.set(campaignId, now + NOT_STORED_TTL_MS);
      return this.#deployed.wave(campaignId, waveId);
    }
    const catalog = new InMemoryCatalog([configOf(stored)], await this.#deployed.policy());
    if (stored.state !== 'draft') this.#launchedCatalogs.set(campaignId, catalog);
    return catalog.wave(campaignId, waveId);
  }

  async startingBetween(from: Date, to: Date): Promise<ScheduledWave[]> {
    const [deployed, stored] = await Promise.all([
      this.#deployed.startingBetween(from, to),
      this.#launched(from, to),
    ]);
    return [...deployed, ...stored];
  }
}
