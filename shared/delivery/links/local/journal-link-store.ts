import type { Channel } from '../../../campaign/contact-policy-schema.ts';
import { JournalMap, type JournalMode } from '../../local/journal-map.ts';
import type { LinkStore } from '../link-store.ts';
import type { LinkKind, TrackedLink } from '../short-links.ts';

/** The embedded link store: code → link in a journaled map (readers may open it read-only). */
export class JournalLinkStore implements LinkStore {
  readonly #map: JournalMap;

  constructor(path: string, options: { mode?: JournalMode } = {}) {
    this.#map = new JournalMap(path, options);
  }

  async put(links: readonly TrackedLink[]): Promise<void> {
    this.#map.set(
      links.map((l) => [
        l.code,
        JSON.stringify([l.kind, l.sendId, l.target, l.expiresAt.getTime(), l.channel, l.sku]),
      ]),
    );
  }

  async get(code: string): Promise<TrackedLink | null> {
    const json = this.#map.get(code);
    if (!json) return null;
    // Links stored before channels (or skus) were recorded lack the last entries.
    const [kind, sendId, target, expiresAt, channel, sku] = JSON.parse(json) as [
      LinkKind,
      string,
      string | null,
      number,
      Channel | undefined,
      string | null | undefined,
    ];
    return {
      code,
      kind,
      sendId,
      channel: channel ?? null,
      target,
      sku: sku ?? null,
      expiresAt: new Date(expiresAt),
    };
  }

  async close(): Promise<void> {
    this.#map.close();
  }
}
