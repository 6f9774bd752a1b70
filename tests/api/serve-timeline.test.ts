import { readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningServer, startServer } from '../../local/api-server.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { loadShopPolicy, sampleShop } from '../helpers/delivery-harness.ts';

const KEY = 'test-api-key-0123456789';
let server: RunningServer;
let dataDir: string;
const load = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

async function call(method: string, path: string, body?: object) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface WaveStatus {
  waveId: string;
  state: string;
  audience: number;
  sent: Record<string, number>;
  failed: Record<string, number>;
  reconciles: boolean;
}

async function launchAndWait(file: string): Promise<WaveStatus[]> {
  const config = load(file);
  expect((await call('POST', '/campaigns', config)).status).toBe(201);
  expect((await call('POST', `/campaigns/${config.id}/launch`)).status).toBe(200);
  await server.scheduler.idle();
  return (await call('GET', `/campaigns/${config.id}/status`)).json.waves as WaveStatus[];
}

beforeAll(async () => {
  const shop = await sampleShop(2_000);
  dataDir = await mkdtemp(join(tmpdir(), 'serve-timeline-'));
  await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
  server = await startServer({
    dataDir,
    port: 0,
    apiKey: KEY,
    policy: await loadShopPolicy(),
    simulated: true,
    log: () => {},
  });
});
afterAll(async () => {
  await server.close();
});

describe('serve --simulated: each wave runs at its own start, whatever ran before it', () => {
  it('a campaign dated before one that already ran sends at its own dates, none failed past a deadline', async () => {
    const winback = await launchAndWait('campaigns/winback.yaml'); // 5 Dec 2026
    expect(winback[0]?.reconciles).toBe(true);
    const d11 = await launchAndWait('campaigns/double-11.yaml'); // 25 Oct – 14 Nov 2026
    for (const w of d11) {
      expect(w.state, w.waveId).toBe('drained');
      expect(w.reconciles, w.waveId).toBe(true);
      expect(w.failed, w.waveId).toEqual({});
    }
    const sent = d11.reduce((n, w) => n + Object.values(w.sent).reduce((a, b) => a + b, 0), 0);
    expect(sent).toBeGreaterThan(0);
    // Run out of date order, the caps still hold: nobody has the winback and a Double-11 message within
    // the winback's 30 days (it was sent under the shop's one a month).
    const wh = await DuckDbWarehouse.open(dataDir);
    const { rows } = await wh.query(sql`SELECT count(*) AS n FROM sends w JOIN sends d
      ON d.customer_id = w.customer_id AND w.campaign_id = 'winback-2026q4' AND d.campaign_id = 'double-11-2026'
      AND w.status = 'sent' AND d.status = 'sent' AND d.category = 'marketing'
      AND abs(date_diff('second', w.sent_at, d.sent_at)) < 30 * 86400`);
    await wh.close();
    expect(rows).toEqual([{ n: 0 }]);
  });
});
