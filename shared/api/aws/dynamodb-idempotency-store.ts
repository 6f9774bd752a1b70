import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../clock.ts';
import { IDEMPOTENCY_TTL_MS, type IdempotencyStore, type IdempotentRecord } from '../idempotency.ts';

/**
 * Idempotency records in the campaigns table under `pk` = `idempotency#<key>` (campaign listings skip
 * them: they carry no campaign), expiring through DynamoDB's TTL; the first put of a key wins.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  readonly #o: { client: DynamoDBClient; tableName: string; clock: Clock };

  constructor(options: { client: DynamoDBClient; tableName: string; clock: Clock }) {
    this.#o = options;
  }

  async get(key: string): Promise<IdempotentRecord | null> {
    const { Item } = await this.#o.client.send(
      new GetItemCommand({
        TableName: this.#o.tableName,
        Key: { pk: { S: `idempotency#${key}` } },
        ConsistentRead: true,
      }),
    );
    if (!Item?.record?.S || Number(Item.expiresAt?.N ?? 0) <= this.#o.clock.now().getTime()) return null;
    return JSON.parse(Item.record.S) as IdempotentRecord;
  }

  async put(key: string, record: IdempotentRecord): Promise<void> {
    const expiresAt = this.#o.clock.now().getTime() + IDEMPOTENCY_TTL_MS;
    try {
      await this.#o.client.send(
        new PutItemCommand({
          TableName: this.#o.tableName,
          Item: {
            pk: { S: `idempotency#${key}` },
            record: { S: JSON.stringify(record) },
            expiresAt: { N: String(expiresAt) },
            ttl: { N: String(Math.floor(expiresAt / 1000)) },
          },
          // Expired exactly when `get` stops finding it (expiresAt <= now): a key get reports free takes the put.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(this.#o.clock.now().getTime()) } },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async close(): Promise<void> {}
}
