import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type ContactChange, recordExpiry } from '../claim.ts';
import { ClaimContentionError, type ContactStore, MAX_CLAIM_ATTEMPTS } from '../contact-store.ts';
import { parseContacts } from '../stored-contacts.ts';

export interface DynamoDbContactStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Pause before a retry after losing a race; jittered. */
  retryDelayMs?: number;
  /** Changes in flight at once within one `apply` call (each is its own conditional write). */
  concurrency?: number;
}

/**
 * The DynamoDB adapter. One item per customer (`pk = C#<customer id>`) holds the record as JSON, a
 * `version`, and a `ttl` (DynamoDB's TTL deletes a customer IDEMPOTENCY_DAYS after their latest contact,
 * `recordExpiry`). A change reads the item (strongly consistent), decides, and writes with one
 * conditional UpdateItem on the version it read — no transactions. A lost race fails the condition and the change is decided again.
 */
export class DynamoDbContactStore implements ContactStore {
  readonly #o: Required<DynamoDbContactStoreOptions>;

  constructor(options: DynamoDbContactStoreOptions) {
    this.#o = { retryDelayMs: 5, concurrency: 16, ...options };
  }

  /** Customers in parallel (up to `concurrency`); one customer's changes in the order given. */
  async apply<T>(changes: readonly ContactChange<T>[]): Promise<T[]> {
    const results = new Array<T>(changes.length);
    const byCustomer = new Map<string, number[]>();
    changes.forEach((c, i) => {
      byCustomer.set(c.customerId, [...(byCustomer.get(c.customerId) ?? []), i]);
    });
    const queues = [...byCustomer.values()];
    let next = 0;
    const worker = async () => {
      while (next < queues.length) {
        for (const i of queues[next++] ?? [])
          results[i] = await this.#applyOne(changes[i] as ContactChange<T>);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queues.length) }, worker));
    return results;
  }

  async #applyOne<T>(change: ContactChange<T>): Promise<T> {
    const { client, tableName } = this.#o;
    const key = { pk: { S: `C#${change.customerId}` } };
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      const version = Item?.version?.N ? Number(Item.version.N) : 0;
      const { result, next } = change.decide(parseContacts(Item?.state?.S));
      if (!next) return result;
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #state = :state, #version = :next, #ttl = :ttl',
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : '#version = :version',
            ExpressionAttributeNames: { '#state': 'state', '#version': 'version', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':state': { S: JSON.stringify(next) },
              ':next': { N: String(version + 1) },
              ':ttl': { N: String(Math.floor(recordExpiry(next, change.at).getTime() / 1000)) },
              ...(version === 0 ? {} : { ':version': { N: String(version) } }),
            },
          }),
        );
        return result;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * this.#o.retryDelayMs * attempt));
      }
    }
    throw new ClaimContentionError(
      `change for one customer lost ${MAX_CLAIM_ATTEMPTS} races to concurrent changes`,
    );
  }

  async close(): Promise<void> {}
}
