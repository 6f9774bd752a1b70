import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** One request the endpoint received: its action (`dynamodb:PutItem`) and the table it named. */
export interface DynamoCall {
  action: string;
  table: string;
}

/**
 * A real DynamoDB protocol endpoint on a free loopback port, with one table keyed by `pk` (and `sk`).
 * `calls()` lists the requests it received since it started, so a test can compare them with the grants.
 */
export async function startDynalite(
  tableName: string,
  options: { sortKey?: boolean; moreTables?: (string | { name: string; sortKey: boolean })[] } = {},
): Promise<{
  client: DynamoDBClient;
  endpoint: string;
  calls: () => DynamoCall[];
  stop: () => Promise<void>;
}> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const calls: DynamoCall[] = [];
  server.on('request', (req) => {
    const action = `dynamodb:${String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? ''}`;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
        TableName?: string;
        RequestItems?: Record<string, unknown>;
      };
      for (const table of body.TableName ? [body.TableName] : Object.keys(body.RequestItems ?? {}))
        calls.push({ action, table });
    });
  });
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
    calls: () => [...calls],
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
