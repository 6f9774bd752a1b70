import { JournalMap, type JournalMode } from '../../local/journal-map.ts';
import type { WaveRun, WaveRunStore } from '../wave-run-store.ts';

const key = (campaignId: string, waveId: string) => JSON.stringify([campaignId, waveId]);

/** The embedded wave-run store: (campaign, wave) → run in a journaled map (`campaign status` reads it read-only). */
export class JournalWaveRunStore implements WaveRunStore {
  readonly #map: JournalMap;

  constructor(path: string, options: { mode?: JournalMode } = {}) {
    this.#map = new JournalMap(path, options);
  }

  async get(campaignId: string, waveId: string): Promise<WaveRun | null> {
    const json = this.#map.get(key(campaignId, waveId));
    return json ? (JSON.parse(json) as WaveRun) : null;
  }

  async list(campaignId: string): Promise<WaveRun[]> {
    const runs: WaveRun[] = [];
    for (const k of this.#map.keys()) {
      if ((JSON.parse(k) as string[])[0] !== campaignId) continue;
      runs.push(JSON.parse(this.#map.get(k) as string) as WaveRun);
    }
    return runs;
  }

  async put(run: WaveRun): Promise<void> {
    this.#map.set([[key(run.campaignId, run.waveId), JSON.stringify(run)]]);
  }

  async clear(campaignId: string): Promise<void> {
    const gone = [...this.#map.keys()].filter((k) => (JSON.parse(k) as string[])[0] === campaignId);
    this.#map.set(gone.map((k) => [k, null]));
  }

  async close(): Promise<void> {
    this.#map.close();
  }
}
