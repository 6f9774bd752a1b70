import { JournalMap } from '../../local/journal-map.ts';
import { type ContactChange, parseContacts } from '../claim.ts';
import type { ContactStore } from '../contact-store.ts';

/**
 * The embedded adapter: each customer's record as JSON in a journaled map. An `apply` call decides and
 * writes all its changes synchronously, with nothing else running in between, and returns only once
 * they are in the journal — the local counterpart of DynamoDB's conditional write, one process at a time.
 */
export class JournalContactStore implements ContactStore {
  readonly #map: JournalMap;

  constructor(path: string) {
    this.#map = new JournalMap(path);
  }

  async apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]> {
    const writes = new Map<string, string>();
    const results = changes.map((change) => {
      const current = writes.get(change.customerId) ?? this.#map.get(change.customerId);
      const { result, next } = change.decide(parseContacts(current));
      if (next) writes.set(change.customerId, JSON.stringify(next));
      return result;
    });
    this.#map.set([...writes]);
    return results;
  }

  /** Every customer with a record (for local maintenance such as a fresh run; not part of the port). */
  customerIds(): string[] {
    return [...this.#map.keys()];
  }

  async close(): Promise<void> {
    this.#map.close();
  }
}
