import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A real DynamoDB protocol endpoint on a free loopback port, with one table keyed by `pk` (and `sk`). */
export async function startDynalite(
  tableName: string,
  options: { sortKey?: boolean; moreTables?: (string | { name: string; sortKey: boolean })[] } = {},
): Promise<{ client: DynamoDBClient; endpoint: string; stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const tables = [{ name: tableName, sortKey: options.sortKey ?? false }].concat(
    (options.moreTables ?? []).map((t) => (typeof t === 'string' ? { name: t, sortKey: false } : t)),
  );
  for (const { name, sortKey } of tables) {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          ...(sortKey ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : []),
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          ...(sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  return {
    client,
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
