import { JournalMap, type JournalMode } from '../../local/journal-map.ts';
import {
  decidePlanningClaim,
  type PlanningClaim,
  type PlanningClaimRecord,
  type WaveRun,
  type WaveRunStore,
} from '../wave-run-store.ts';

const key = (campaignId: string, waveId: string) => JSON.stringify([campaignId, waveId]);
/** A planning claim's key: three parts, so it is never read as a run. */
const claimKey = (campaignId: string, queryExecutionId: string) =>
  JSON.stringify([campaignId, 'planning', queryExecutionId]);

/**
 * The embedded wave-run store: (campaign, wave) → run in a journaled map (`campaign status` reads it
 * read-only); planning claims beside them under (campaign, "planning", query execution id). One process
 * owns the map, so a claim's read and write cannot interleave with another's.
 */
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
      const parts = JSON.parse(k) as string[];
      if (parts[0] !== campaignId || parts.length !== 2) continue;
      runs.push(JSON.parse(this.#map.get(k) as string) as WaveRun);
    }
    return runs;
  }

  async put(run: WaveRun): Promise<void> {
    this.#map.set([[key(run.campaignId, run.waveId), JSON.stringify(run)]]);
  }

  async claimPlanning(
    campaignId: string,
    queryExecutionId: string,
    lease: { now: Date; until: Date },
  ): Promise<PlanningClaim> {
    const k = claimKey(campaignId, queryExecutionId);
    const json = this.#map.get(k);
    const held = decidePlanningClaim(json ? (JSON.parse(json) as PlanningClaimRecord) : null, lease.now);
    if (held) return held;
    const claim: PlanningClaimRecord = { state: 'planning', leaseUntil: lease.until.getTime() };
    this.#map.set([[k, JSON.stringify(claim)]]);
    return 'claimed';
  }

  async finishPlanning(campaignId: string, queryExecutionId: string): Promise<void> {
    const done: PlanningClaimRecord = { state: 'done', leaseUntil: 0 };
    this.#map.set([[claimKey(campaignId, queryExecutionId), JSON.stringify(done)]]);
  }

  async clear(campaignId: string): Promise<void> {
    const gone = [...this.#map.keys()].filter((k) => (JSON.parse(k) as string[])[0] === campaignId);
    this.#map.set(gone.map((k) => [k, null]));
  }

  async close(): Promise<void> {
    this.#map.close();
  }
}
