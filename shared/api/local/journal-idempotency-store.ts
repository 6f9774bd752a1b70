import type { Clock } from '../../clock.ts';
import { JournalMap } from '../../delivery/local/journal-map.ts';
import { IDEMPOTENCY_TTL_MS, type IdempotencyStore, type IdempotentRecord } from '../idempotency.ts';

/** The embedded idempotency store: key → record and its expiry, in a journaled map. */
export class JournalIdempotencyStore implements IdempotencyStore {
  readonly #map: JournalMap;
  readonly #clock: Clock;

  constructor(path: string, clock: Clock) {
    this.#map = new JournalMap(path);
    this.#clock = clock;
  }

  async get(key: string): Promise<IdempotentRecord | null> {
    const json = this.#map.get(key);
    if (!json) return null;
    const { expiresAt, record } = JSON.parse(json) as { expiresAt: number; record: IdempotentRecord };
    return expiresAt > this.#clock.now().getTime() ? record : null;
  }

  async put(key: string, record: IdempotentRecord): Promise<void> {
    if (await this.get(key)) return;
    const expiresAt = this.#clock.now().getTime() + IDEMPOTENCY_TTL_MS;
    this.#map.set([[key, JSON.stringify({ expiresAt, record })]]);
  }

  async close(): Promise<void> {
    this.#map.close();
  }
}
