import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ClaimRequest,
  type ClaimResult,
  type CustomerContacts,
  decideClaim,
  EMPTY_CONTACTS,
  IDEMPOTENCY_DAYS,
} from '../claim.ts';
import { ClaimContentionError, type ContactStore, MAX_CLAIM_ATTEMPTS } from '../contact-store.ts';

export interface DynamoDbContactStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Pause before a retry after losing a race; jittered. */
  retryDelayMs?: number;
}

/**
 * The DynamoDB adapter. One item per customer (`pk = C#<customer id>`) holds the recent contacts and the
 * claimed send ids as JSON, a `version`, and a `ttl` (DynamoDB's TTL deletes customers not contacted for
 * IDEMPOTENCY_DAYS). A claim reads the item (strongly consistent), decides, and writes the whole item
 * with one conditional PutItem on the version it read — no transactions, which dynalite cannot run.
 * A lost race fails the condition and the claim is decided again on the new state.
 */
export class DynamoDbContactStore implements ContactStore {
  readonly #o: Required<DynamoDbContactStoreOptions>;

  constructor(options: DynamoDbContactStoreOptions) {
    this.#o = { retryDelayMs: 5, ...options };
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const pk = { S: `C#${req.customerId}` };
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const { Item } = await this.#o.client.send(
        new GetItemCommand({ TableName: this.#o.tableName, Key: { pk }, ConsistentRead: true }),
      );
      const version = Item?.version?.N ? Number(Item.version.N) : 0;
      const state: CustomerContacts = Item?.state?.S
        ? (JSON.parse(Item.state.S) as CustomerContacts)
        : EMPTY_CONTACTS;
      const { result, next } = decideClaim(state, req);
      if (!next) return result;
      try {
        await this.#o.client.send(
          new PutItemCommand({
            TableName: this.#o.tableName,
            Item: {
              pk,
              version: { N: String(version + 1) },
              state: { S: JSON.stringify(next) },
              ttl: { N: String(Math.floor(req.at.getTime() / 1000) + IDEMPOTENCY_DAYS * 86_400) },
            },
            ...(version === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#version = :version',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':version': { N: String(version) } },
                }),
          }),
        );
        return result;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * this.#o.retryDelayMs * attempt));
      }
    }
    throw new ClaimContentionError(
      `claim ${req.sendId}: lost ${MAX_CLAIM_ATTEMPTS} races for the same customer`,
    );
  }

  async close(): Promise<void> {}
}
