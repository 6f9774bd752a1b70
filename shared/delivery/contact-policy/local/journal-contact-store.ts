import { JournalMap } from '../../local/journal-map.ts';
import { type ContactChange, type CustomerContacts, parseContacts } from '../claim.ts';
import type { ContactStore } from '../contact-store.ts';

/** Parsed records kept at most (a few batches' worth); then the cache starts afresh. */
const PARSED_KEPT = 20_000;

/**
 * The embedded adapter: each customer's record as JSON in a journaled map. An `apply` call decides and
 * writes all its changes synchronously, with nothing else running in between, and returns only once
 * they are in the journal — the local counterpart of DynamoDB's conditional write, one process at a time.
 */
export class JournalContactStore implements ContactStore {
  readonly #map: JournalMap;
  /**
   * The records decided on most recently, parsed, by customer: a send's mark follows its claim within
   * the same batch, and parsing the record again was a measurable share of the send path. An entry is
   * used only while the stored JSON is the very string it was parsed from. Decisions never mutate a record.
   */
  #parsed = new Map<string, { json: string; state: CustomerContacts }>();

  constructor(path: string) {
    this.#map = new JournalMap(path);
  }

  async apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]> {
    const writes = new Map<string, string>();
    if (this.#parsed.size > PARSED_KEPT) this.#parsed = new Map();
    const results = changes.map((change) => {
      const id = change.customerId;
      const current = writes.get(id) ?? this.#map.get(id);
      const cached = this.#parsed.get(id);
      const state =
        cached && current !== undefined && cached.json === current ? cached.state : parseContacts(current);
      const { result, next } = change.decide(state);
      if (next) {
        const json = JSON.stringify(next);
        writes.set(id, json);
        this.#parsed.set(id, { json, state: next });
      }
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
