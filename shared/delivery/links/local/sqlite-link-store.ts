import { DatabaseSync } from 'node:sqlite';
import type { LinkKind, LinkStore, TrackedLink } from '../short-links.ts';

/** The embedded link store: one SQLite table keyed by code; a batch is one transaction. */
export class SqliteLinkStore implements LinkStore {
  readonly #db: DatabaseSync;
  readonly #put;
  readonly #get;

  constructor(path = ':memory:') {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;
      CREATE TABLE IF NOT EXISTS links (code TEXT PRIMARY KEY, kind TEXT NOT NULL, send_id TEXT NOT NULL,
        target TEXT, expires_at INTEGER NOT NULL)`);
    this.#put = this.#db.prepare('INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?)');
    this.#get = this.#db.prepare('SELECT * FROM links WHERE code = ?');
  }

  async put(links: readonly TrackedLink[]): Promise<void> {
    if (links.length === 0) return;
    this.#db.exec('BEGIN');
    try {
      for (const l of links) this.#put.run(l.code, l.kind, l.sendId, l.target, l.expiresAt.getTime());
      this.#db.exec('COMMIT');
    } catch (e) {
      this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  async get(code: string): Promise<TrackedLink | null> {
    const row = this.#get.get(code) as
      | { code: string; kind: LinkKind; send_id: string; target: string | null; expires_at: number }
      | undefined;
    if (!row) return null;
    return {
      code: row.code,
      kind: row.kind,
      sendId: row.send_id,
      target: row.target,
      expiresAt: new Date(row.expires_at),
    };
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
