import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A real DynamoDB protocol endpoint on a free loopback port, with one table keyed by `pk` (and `sk`). */
export async function startDynalite(
  tableName: string,
  options: { sortKey?: boolean; moreTables?: string[] } = {},
): Promise<{ client: DynamoDBClient; endpoint: string; stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const name of [tableName, ...(options.moreTables ?? [])]) {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          ...(options.sortKey ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : []),
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          ...(options.sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
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
