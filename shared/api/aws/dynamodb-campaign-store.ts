import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AlreadyExistsError,
  type CampaignPage,
  type CampaignStore,
  decodeCursor,
  encodeCursor,
  type StoredCampaign,
  VersionConflictError,
} from '../campaign-store.ts';

/**
 * The DynamoDB campaign store: one item per campaign (`pk` = id) holding the campaign as JSON and its
 * `version`; create is a put on `attribute_not_exists(pk)`, an update a put conditioned on the version
 * read (optimistic locking). A shop has tens of campaigns, so listing is a paginated Scan; pages are
 * sorted by id within themselves.
 */
export class DynamoDbCampaignStore implements CampaignStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async create(campaign: StoredCampaign): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item({ ...campaign, version: 1 }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException)
        throw new AlreadyExistsError(`campaign ${campaign.id} already exists`);
      throw e;
    }
  }

  async get(id: string): Promise<StoredCampaign | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: { S: id } }, ConsistentRead: true }),
    );
    return Item?.campaign?.S ? (JSON.parse(Item.campaign.S) as StoredCampaign) : null;
  }

  async list(limit: number, cursor?: string): Promise<CampaignPage> {
    const out = await this.#client.send(
      new ScanCommand({
        TableName: this.#table,
        Limit: limit,
        ConsistentRead: true,
        ...(cursor ? { ExclusiveStartKey: { pk: { S: decodeCursor(cursor) } } } : {}),
      }),
    );
    const items = (out.Items ?? [])
      .flatMap((i) => (i.campaign?.S ? [JSON.parse(i.campaign.S) as StoredCampaign] : []))
      .sort((a, b) => a.id.localeCompare(b.id));
    const last = out.LastEvaluatedKey?.pk?.S;
    return { items, cursor: last ? encodeCursor(last) : null };
  }

  async put(campaign: StoredCampaign, expectedVersion: number): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item({ ...campaign, version: expectedVersion + 1 }),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException)
        throw new VersionConflictError(
          `campaign ${campaign.id} changed since version ${expectedVersion} was read`,
        );
      throw e;
    }
  }

  async close(): Promise<void> {}
}

function item(c: StoredCampaign): Record<string, AttributeValue> {
  return {
    pk: { S: c.id },
    version: { N: String(c.version) },
    campaign: { S: JSON.stringify(c) },
  };
}
