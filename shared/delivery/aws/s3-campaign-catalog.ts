import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { Campaign } from '../../campaign/campaign-schema.ts';
import { ContactPolicy } from '../../campaign/contact-policy-schema.ts';
import { type CampaignCatalog, InMemoryCatalog, type ScheduledWave } from '../campaign-catalog.ts';

/** What the CDK app deploys next to the lake: the shop policy and every campaign of `campaigns/`. */
export const DeployedCampaigns = z.strictObject({ policy: ContactPolicy, campaigns: z.array(Campaign) });
export type DeployedCampaigns = z.infer<typeof DeployedCampaigns>;

/**
 * The campaign catalog on AWS: the deployed campaigns JSON (validated again on read), loaded once per
 * cold start. Campaigns created through the API are in the campaign store (see api-campaign-catalog.ts).
 */
export class S3CampaignCatalog implements CampaignCatalog {
  readonly #o: { client: S3Client; bucket: string; key: string };
  #loaded: Promise<{ catalog: InMemoryCatalog } & DeployedCampaigns> | null = null;

  constructor(options: { client: S3Client; bucket: string; key: string }) {
    this.#o = options;
  }

  /** Loaded on first use; a failed load is tried again on the next call rather than kept. */
  #load(): Promise<{ catalog: InMemoryCatalog } & DeployedCampaigns> {
    this.#loaded ??= (async () => {
      const { client, bucket, key } = this.#o;
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await out.Body?.transformToString('utf-8')) ?? '';
      const deployed = DeployedCampaigns.parse(JSON.parse(text));
      return { catalog: new InMemoryCatalog(deployed.campaigns, deployed.policy), ...deployed };
    })().catch((e: unknown) => {
      this.#loaded = null;
      throw e;
    });
    return this.#loaded;
  }

  async wave(campaignId: string, waveId: string): Promise<ScheduledWave> {
    return (await this.#load()).catalog.wave(campaignId, waveId);
  }

  async startingBetween(from: Date, to: Date): Promise<ScheduledWave[]> {
    return (await this.#load()).catalog.startingBetween(from, to);
  }

  /** The campaigns deployed as code. */
  async campaigns(): Promise<Campaign[]> {
    return (await this.#load()).campaigns;
  }

  /** The shop-wide contact policy deployed with the campaigns. */
  async policy(): Promise<ContactPolicy> {
    return (await this.#load()).policy;
  }
}
