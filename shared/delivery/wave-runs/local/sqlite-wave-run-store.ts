import { DatabaseSync } from 'node:sqlite';
import type { WaveRun, WaveRunStore } from '../wave-run-store.ts';

/** The embedded wave-run store: a SQLite table keyed by (campaign, wave), the run as JSON. */
export class SqliteWaveRunStore implements WaveRunStore {
  readonly #db: DatabaseSync;

  constructor(path = ':memory:') {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000;
      CREATE TABLE IF NOT EXISTS wave_runs (campaign_id TEXT NOT NULL, wave_id TEXT NOT NULL, run TEXT NOT NULL,
        PRIMARY KEY (campaign_id, wave_id))`);
  }

  async get(campaignId: string, waveId: string): Promise<WaveRun | null> {
    const row = this.#db
      .prepare('SELECT run FROM wave_runs WHERE campaign_id = ? AND wave_id = ?')
      .get(campaignId, waveId) as { run: string } | undefined;
    return row ? (JSON.parse(row.run) as WaveRun) : null;
  }

  async list(campaignId: string): Promise<WaveRun[]> {
    const rows = this.#db.prepare('SELECT run FROM wave_runs WHERE campaign_id = ?').all(campaignId) as {
      run: string;
    }[];
    return rows.map((r) => JSON.parse(r.run) as WaveRun);
  }

  async put(run: WaveRun): Promise<void> {
    this.#db
      .prepare('INSERT OR REPLACE INTO wave_runs VALUES (?, ?, ?)')
      .run(run.campaignId, run.waveId, JSON.stringify(run));
  }

  async clear(campaignId: string): Promise<void> {
    this.#db.prepare('DELETE FROM wave_runs WHERE campaign_id = ?').run(campaignId);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
