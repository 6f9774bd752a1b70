import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../local/api-server.ts';
import { loadShopPolicy, sampleShop } from './delivery-harness.ts';

/** A client for the campaign API over real HTTP, as a test calls it: JSON bodies, the key by default. */
export function apiClient(baseUrl: () => string, key: string) {
  return async function call(
    method: string,
    path: string,
    opts: { body?: string | object; headers?: Record<string, string>; key?: boolean } = {},
  ) {
    const body = typeof opts.body === 'object' ? JSON.stringify(opts.body) : opts.body;
    const res = await fetch(`${baseUrl()}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(opts.key === false ? {} : { 'x-api-key': key }),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
  };
}

/** `campaign serve` on a simulated clock over a copy of a generated shop's lake. */
export async function serveSampleShop(customers: number, apiKey: string) {
  const shop = await sampleShop(customers);
  const dataDir = await mkdtemp(join(tmpdir(), 'serve-'));
  await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
  const server = await startServer({
    dataDir,
    port: 0,
    apiKey,
    policy: await loadShopPolicy(),
    simulated: true,
    log: () => {},
  });
  return { server, dataDir };
}
