import type { TrackedLink } from './short-links.ts';

/** The tracked-links store port: DynamoDB (aws/) and a journal in the data folder (local/). */
export interface LinkStore {
  put(links: readonly TrackedLink[]): Promise<void>;
  get(code: string): Promise<TrackedLink | null>;
  close(): Promise<void>;
}
