import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { WaveRun, WaveRunStore } from '../wave-run-store.ts';

/** The DynamoDB wave-run store: `pk` = campaign id, `sk` = wave id, the run as JSON in `run`. */
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
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :c',
          ExpressionAttributeValues: { ':c': { S: campaignId } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) if (item.run?.S) runs.push(JSON.parse(item.run.S) as WaveRun);
      start = out.LastEvaluatedKey;
    } while (start);
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

  async clear(campaignId: string): Promise<void> {
    const runs = await this.list(campaignId);
    for (let i = 0; i < runs.length; i += 25) {
      await this.#client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [this.#table]: runs.slice(i, i + 25).map((r) => ({
              DeleteRequest: { Key: { pk: { S: r.campaignId }, sk: { S: r.waveId } } },
            })),
          },
        }),
      );
    }
  }

  async close(): Promise<void> {}
}
