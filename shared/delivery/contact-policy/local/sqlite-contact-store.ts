import { DatabaseSync } from 'node:sqlite';
import { type ContactChange, parseContacts } from '../claim.ts';
import type { ContactStore } from '../contact-store.ts';

/**
 * The embedded adapter: a SQLite file (or memory) with a row per customer. Each `apply` call is one
 * immediate transaction — read, decide, write for every change in it — so SQLite's write lock makes each
 * change atomic, the local counterpart of DynamoDB's conditional write (and a batch costs one commit).
 */
export class SqliteContactStore implements ContactStore {
  readonly #db: DatabaseSync;
  readonly #get;
  readonly #put;

  constructor(path = ':memory:') {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;
      CREATE TABLE IF NOT EXISTS customer_contacts (customer_id TEXT PRIMARY KEY, state TEXT NOT NULL)`);
    this.#get = this.#db.prepare('SELECT state FROM customer_contacts WHERE customer_id = ?');
    this.#put = this.#db.prepare(
      'INSERT INTO customer_contacts (customer_id, state) VALUES (?, ?) ON CONFLICT (customer_id) DO UPDATE SET state = excluded.state',
    );
  }

  async apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]> {
    if (changes.length === 0) return [];
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const results = changes.map((change) => {
        const row = this.#get.get(change.customerId) as { state: string } | undefined;
        const { result, next } = change.decide(parseContacts(row?.state));
        if (next) this.#put.run(change.customerId, JSON.stringify(next));
        return result;
      });
      this.#db.exec('COMMIT');
      return results;
    } catch (e) {
      this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
