import { DatabaseSync } from 'node:sqlite';
import {
  type ClaimRequest,
  type ClaimResult,
  type CustomerContacts,
  decideClaim,
  EMPTY_CONTACTS,
} from '../claim.ts';
import type { ContactStore } from '../contact-store.ts';

/**
 * The embedded adapter: one SQLite file (or memory) with a row per customer. A claim is one
 * immediate transaction — read, decide, write — so SQLite's write lock makes it atomic, the local
 * counterpart of DynamoDB's conditional write.
 */
export class SqliteContactStore implements ContactStore {
  readonly #db: DatabaseSync;

  constructor(path = ':memory:') {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS customer_contacts (customer_id TEXT PRIMARY KEY, state TEXT NOT NULL)`);
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.#db
        .prepare('SELECT state FROM customer_contacts WHERE customer_id = ?')
        .get(req.customerId) as { state: string } | undefined;
      const state: CustomerContacts = row ? (JSON.parse(row.state) as CustomerContacts) : EMPTY_CONTACTS;
      const { result, next } = decideClaim(state, req);
      if (next) {
        this.#db
          .prepare(
            'INSERT INTO customer_contacts (customer_id, state) VALUES (?, ?) ON CONFLICT (customer_id) DO UPDATE SET state = excluded.state',
          )
          .run(req.customerId, JSON.stringify(next));
      }
      this.#db.exec('COMMIT');
      return result;
    } catch (e) {
      this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
