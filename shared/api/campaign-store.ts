import { UserError } from '../errors.ts';

/**
 * Campaigns created through the API, with where each stands in its lifecycle (see lifecycle.ts). The
 * config is kept as it was given (JSON) and validated by the same zod schema as campaign files. Updates
 * are optimistic: `put` names the version it read, and a concurrent change in between is a conflict.
 */
export type CampaignState = 'draft' | 'scheduled' | 'running' | 'paused' | 'done' | 'cancelled';
export type WaveState = 'pending' | 'scheduled' | 'running' | 'paused' | 'done' | 'cancelled';

export interface StoredCampaign {
  id: string;
  config: unknown;
  state: CampaignState;
  waves: Record<string, WaveState>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignPage {
  items: StoredCampaign[];
  /** Pass back to get the next page; null on the last. */
  cursor: string | null;
}

export interface CampaignStore {
  /** Stores a new campaign at version 1; AlreadyExistsError if the id is taken. */
  create(campaign: StoredCampaign): Promise<void>;
  get(id: string): Promise<StoredCampaign | null>;
  /** Campaigns `limit` at a time, each once across the pages (in the store's own order). */
  list(limit: number, cursor?: string): Promise<CampaignPage>;
  /** Replaces the campaign if it is still at `expectedVersion` (the stored one becomes version + 1). */
  put(campaign: StoredCampaign, expectedVersion: number): Promise<void>;
  close(): Promise<void>;
}

export class AlreadyExistsError extends UserError {
  override name = 'AlreadyExistsError';
}

/** Someone else changed the campaign since it was read: read it again and retry. */
export class VersionConflictError extends UserError {
  override name = 'VersionConflictError';
}

/** Cursors are opaque to clients: the last id of the page, base64url. */
export const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
export const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString();

/** Every campaign in the store, page after page. */
export async function listAll(store: CampaignStore): Promise<StoredCampaign[]> {
  const all: StoredCampaign[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(100, cursor);
    all.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return all;
}
