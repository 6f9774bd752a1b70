import type { ContactPolicy } from '../campaign/contact-policy-schema.ts';
import { type CampaignCatalog, InMemoryCatalog, type ScheduledWave } from '../delivery/campaign-catalog.ts';
import { configOf } from './campaign-api.ts';
import { type CampaignStore, listAll } from './campaign-store.ts';

/**
 * The catalog the Lambdas read on AWS: the campaigns deployed as code and those created through the API
 * (in the campaign store). The store is read on every call, so a wave sees its campaign as it is now.
 */
export class ApiCampaignCatalog implements CampaignCatalog {
  readonly #deployed: CampaignCatalog & { policy(): Promise<ContactPolicy> };
  readonly #store: CampaignStore;

  constructor(deployed: CampaignCatalog & { policy(): Promise<ContactPolicy> }, store: CampaignStore) {
    this.#deployed = deployed;
    this.#store = store;
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
    const stored = await this.#store.get(campaignId);
    if (!stored) return this.#deployed.wave(campaignId, waveId);
    return new InMemoryCatalog([configOf(stored)], await this.#deployed.policy()).wave(campaignId, waveId);
  }

  async startingBetween(from: Date, to: Date): Promise<ScheduledWave[]> {
    const [deployed, stored] = await Promise.all([
      this.#deployed.startingBetween(from, to),
      this.#launched(from, to),
    ]);
    return [...deployed, ...stored];
  }
}
