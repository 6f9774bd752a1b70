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
   * The records decided on most recently, parsed, by customer: a send's mark follows its claim a moment
   * later, and reading and parsing the record again was a measurable share of the send path. Only
   * `apply` writes the map, and it updates an entry whenever it writes its record, so an entry is the
   * stored record. Decisions never mutate a record.
   */
  #parsed = new Map<string, CustomerContacts>();

  constructor(path: string) {
    this.#map = new JournalMap(path);
  }

  async apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]> {
    const decided = new Map<string, CustomerContacts>();
    const results = changes.map((change) => {
      const id = change.customerId;
      const state = decided.get(id) ?? this.#parsed.get(id) ?? parseContacts(this.#map.get(id));
      const { result, next } = change.decide(state);
      if (next) decided.set(id, next);
      return result;
    });
    this.#map.set([...decided].map(([id, next]) => [id, JSON.stringify(next)]));
    // Kept only once written: a failed write leaves the kept records as stored.
    if (this.#parsed.size > PARSED_KEPT) this.#parsed = new Map();
    for (const [id, next] of decided) this.#parsed.set(id, next);
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
