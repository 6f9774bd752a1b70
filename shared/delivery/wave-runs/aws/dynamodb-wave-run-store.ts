import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  decidePlanningClaim,
  type PlanningClaim,
  type PlanningClaimRecord,
  type WaveRun,
  type WaveRunStore,
} from '../wave-run-store.ts';

/** Planning claims sort apart from runs: wave ids are slugs and never start with `planning#`. */
const claimSk = (queryExecutionId: string) => `planning#${queryExecutionId}`;

/**
 * The DynamoDB wave-run store: `pk` = campaign id, `sk` = wave id, the run as JSON in `run`; planning
 * claims beside them, `sk` = `planning#<query execution id>`, with `state` and `leaseUntil`.
 */
export class DynamoDbWaveRunStore implements WaveRunStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async get(campaignId: string, waveId: string): Promise<WaveRun | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: { pk: { S: campaignId }, sk: { S: waveId } },
        ConsistentRead: true,
      }),
    );
    return Item?.run?.S ? (JSON.parse(Item.run.S) as WaveRun) : null;
  }

  async list(campaignId: string): Promise<WaveRun[]> {
    const runs: WaveRun[] = [];
    for await (const item of this.#campaignItems(campaignId))
      if (item.run?.S) runs.push(JSON.parse(item.run.S) as WaveRun);
    return runs;
  }

  async put(run: WaveRun): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: { pk: { S: run.campaignId }, sk: { S: run.waveId }, run: { S: JSON.stringify(run) } },
      }),
    );
  }

  async claimPlanning(
    campaignId: string,
    queryExecutionId: string,
    lease: { now: Date; until: Date },
  ): Promise<PlanningClaim> {
    const Key = { pk: { S: campaignId }, sk: { S: claimSk(queryExecutionId) } };
    try {
      // The first claim, or a claim whose holder's lease ran out unfinished: one conditional write.
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: { ...Key, state: { S: 'planning' }, leaseUntil: { N: String(lease.until.getTime()) } },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :planning AND leaseUntil <= :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':planning': { S: 'planning' },
            ':now': { N: String(lease.now.getTime()) },
          },
        }),
      );
      return 'claimed';
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key, ConsistentRead: true }),
    );
    const held: PlanningClaimRecord = {
      state: Item?.state?.S === 'done' ? 'done' : 'planning',
      leaseUntil: Number(Item?.leaseUntil?.N ?? 0),
    };
    // Refused a moment ago, so held: a lease that ran out in between is still reported held.
    return decidePlanningClaim(held, lease.now) ?? 'in-progress';
  }

  async finishPlanning(campaignId: string, queryExecutionId: string): Promise<void> {
    // A put, as the claim: plan-wave is granted GetItem and PutItem on the table, nothing more.
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: {
          pk: { S: campaignId },
          sk: { S: claimSk(queryExecutionId) },
          state: { S: 'done' },
          leaseUntil: { N: '0' },
        },
      }),
    );
  }

  async clear(campaignId: string): Promise<void> {
    const keys: Record<string, AttributeValue>[] = [];
    for await (const item of this.#campaignItems(campaignId, 'pk, sk'))
      if (item.pk && item.sk) keys.push({ pk: item.pk, sk: item.sk });
    for (let i = 0; i < keys.length; i += 25) {
      await this.#client.send(
        new BatchWriteItemCommand({
          RequestItems: { [this.#table]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
  }

  async close(): Promise<void> {}

  /** Every item of a campaign (its runs and planning claims), page by page, read consistently. */
  async *#campaignItems(
    campaignId: string,
    projection?: string,
  ): AsyncGenerator<Record<string, AttributeValue>> {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :c',
          ExpressionAttributeValues: { ':c': { S: campaignId } },
          ProjectionExpression: projection,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      yield* out.Items ?? [];
      start = out.LastEvaluatedKey;
    } while (start);
  }
}
