import { JournalMap } from '../../delivery/local/journal-map.ts';
import {
  AlreadyExistsError,
  type CampaignPage,
  type CampaignStore,
  decodeCursor,
  encodeCursor,
  type StoredCampaign,
  VersionConflictError,
} from '../campaign-store.ts';

/** The embedded campaign store: id → campaign in a journaled map (one process at a time). */
export class JournalCampaignStore implements CampaignStore {
  readonly #map: JournalMap;

  constructor(path: string) {
    this.#map = new JournalMap(path);
  }

  async create(campaign: StoredCampaign): Promise<void> {
    if (this.#map.get(campaign.id) !== undefined)
      throw new AlreadyExistsError(`campaign ${campaign.id} already exists`);
    this.#map.set([[campaign.id, JSON.stringify({ ...campaign, version: 1 })]]);
  }

  async get(id: string): Promise<StoredCampaign | null> {
    const json = this.#map.get(id);
    return json ? (JSON.parse(json) as StoredCampaign) : null;
  }

  async list(limit: number, cursor?: string): Promise<CampaignPage> {
    const after = cursor ? decodeCursor(cursor) : '';
    const ids = [...this.#map.keys()].filter((id) => id > after).sort();
    const page = ids.slice(0, limit);
    const items = page.map((id) => JSON.parse(this.#map.get(id) as string) as StoredCampaign);
    const last = page.at(-1);
    return { items, cursor: ids.length > limit && last ? encodeCursor(last) : null };
  }

  async put(campaign: StoredCampaign, expectedVersion: number): Promise<void> {
    // Check and set with no await between them: one write wins, as DynamoDB's condition makes it.
    const json = this.#map.get(campaign.id);
    const current = json ? (JSON.parse(json) as StoredCampaign) : null;
    if (!current || current.version !== expectedVersion)
      throw new VersionConflictError(
        `campaign ${campaign.id} changed since version ${expectedVersion} was read (now ${current?.version ?? 'gone'})`,
      );
    this.#map.set([[campaign.id, JSON.stringify({ ...campaign, version: expectedVersion + 1 })]]);
  }

  async close(): Promise<void> {
    this.#map.close();
  }
}
