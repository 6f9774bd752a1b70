import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { Channel } from '../../../campaign/contact-policy-schema.ts';
import type { LinkStore } from '../link-store.ts';
import type { LinkKind, TrackedLink } from '../short-links.ts';

/**
 * The DynamoDB link store: `pk` = code; `ttl` (DynamoDB's TTL) removes a link some time after it
 * expires. Writes go in BatchWriteItem requests of 25, unprocessed items resent with backoff.
 */
export class DynamoDbLinkStore implements LinkStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async put(links: readonly TrackedLink[]): Promise<void> {
    for (let i = 0; i < links.length; i += 25) {
      let requests: WriteRequest[] = links.slice(i, i + 25).map((l) => ({ PutRequest: { Item: item(l) } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`link store: ${requests.length} links not written after 8 attempts`);
        const out = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } }),
        );
        requests = out.UnprocessedItems?.[this.#table] ?? [];
        if (requests.length) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
      }
    }
  }

  async get(code: string): Promise<TrackedLink | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: { S: code } } }),
    );
    if (!Item?.sendId?.S || !Item.kind?.S || !Item.expiresAt?.N) return null;
    return {
      code,
      kind: Item.kind.S as LinkKind,
      sendId: Item.sendId.S,
      channel: (Item.channel?.S as Channel | undefined) ?? null,
      target: Item.target?.S ?? null,
      sku: Item.sku?.S ?? null,
      expiresAt: new Date(Number(Item.expiresAt.N)),
    };
  }

  async close(): Promise<void> {}
}

/** A week past expiry, DynamoDB's TTL may delete the link; until then the redirect says "expired". */
const TTL_GRACE_SECONDS = 7 * 86_400;

function item(l: TrackedLink): Record<string, AttributeValue> {
  return {
    pk: { S: l.code },
    kind: { S: l.kind },
    sendId: { S: l.sendId },
    ...(l.channel ? { channel: { S: l.channel } } : {}),
    ...(l.target ? { target: { S: l.target } } : {}),
    ...(l.sku !== null ? { sku: { S: l.sku } } : {}),
    expiresAt: { N: String(l.expiresAt.getTime()) },
    ttl: { N: String(Math.floor(l.expiresAt.getTime() / 1000) + TTL_GRACE_SECONDS) },
  };
}
