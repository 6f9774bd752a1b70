import { JournalMap } from '../../local/journal-map.ts';
import type { ContactChange, CustomerContacts } from '../claim.ts';
import type { ContactStore } from '../contact-store.ts';
import { parseContacts } from '../stored-contacts.ts';

/**
 * The embedded adapter: each customer's record as JSON in a journaled map. An `apply` call decides and
 * writes all its changes synchronously, with nothing else running in between, and returns only once
 * they are in the journal — the local counterpart of DynamoDB's conditional write, one process at a time.
 */
export class JournalContactStore implements ContactStore {
  readonly #map: JournalMap;
  /**
   * The records the previous `apply` wrote, parsed, by customer: a batch's marks are the call after its
   * claims, and reading and parsing those records again was a measurable share of the send path. Only
   * `apply` writes the map, so an entry is the stored record; decisions never mutate a record. Only one
   * call's records are kept, so they die young: keeping 20,000 had V8 copy each through the young
   * generation into the old one, which cost more time than the parsing it saved, and memory
   * (docs/benchmarks.md).
   */
  #previous = new Map<string, CustomerContacts>();

  constructor(path: string) {
    this.#map = new JournalMap(path);
  }

  async apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]> {
    const decided = new Map<string, CustomerContacts>();
    const results = changes.map((change) => {
      const id = change.customerId;
      const state = decided.get(id) ?? this.#previous.get(id) ?? parseContacts(this.#map.get(id));
      const { result, next } = change.decide(state);
      if (next) decided.set(id, next);
      return result;
    });
    this.#map.set([...decided].map(([id, next]) => [id, JSON.stringify(next)]));
    // Kept only once written: a failed write leaves the kept records as stored.
    this.#previous = decided;
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
