import { readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningServer, startServer } from '../../local/api-server.ts';
import { ROUTES } from '../../shared/api/router.ts';
import { apiClient, serveSampleShop } from '../helpers/api-client.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';

const KEY = 'test-api-key-0123456789';
let server: RunningServer;
let dataDir: string;
const d11 = parse(readFileSync('campaigns/double-11.yaml', 'utf8')) as Record<string, unknown>;
// The same campaign a year later: every date moved to 2027, so its waves are still to come.
const later = { ...JSON.parse(JSON.stringify(d11).replaceAll('"2026-', '"2027-')), id: 'd11-2027' };

const call = apiClient(() => server.url, KEY);

beforeAll(async () => {
  ({ server, dataDir } = await serveSampleShop(2_000, KEY));
});
afterAll(async () => {
  await server.close();
});

describe('the campaign API over real HTTP (campaign serve)', () => {
  it('protects every route but the links: no key, 401; a wrong key, 401', async () => {
    for (const route of ROUTES) {
      const path = route.path.replace('{id}', 'nope').replace('{code}', 'AAAAAAAAAA');
      const anonymous = await call(route.method, path, { key: false });
      const wrong = await call(route.method, path, { key: false, headers: { 'x-api-key': 'guess' } });
      if (route.open) expect(anonymous.status, `${route.method} ${route.path}`).not.toBe(401);
      else {
        expect(anonymous.status, `${route.method} ${route.path}`).toBe(401);
        expect(wrong.status, `${route.method} ${route.path}`).toBe(401);
      }
    }
  });

  it('answers bad JSON, an invalid campaign, a huge body, unknown routes and wrong methods with what went wrong', async () => {
    const bad = await call('POST', '/campaigns', { body: '{"id": "x",' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([expect.objectContaining({ message: expect.any(String) })]);
    const invalid = await call('POST', '/campaigns', { body: { id: 'x', name: 'x' } });
    expect(invalid.status).toBe(400);
    expect((invalid.json.errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['waves']),
    );
    const huge = await call('POST', '/campaigns', { body: `"${'x'.repeat(300_000)}"` });
    expect(huge.status).toBe(413);
    expect((await call('GET', '/nowhere/at/all')).status).toBe(404);
    const wrongMethod = await call('DELETE', '/campaigns');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');
    expect((await call('GET', '/campaigns/nope')).status).toBe(404);
  });

  it('checks a valid campaign against the data on request: values that select nobody, at their line', async () => {
    const douyin = JSON.parse(
      JSON.stringify(d11).replace('"acquisitionChannel":["聚划算",', '"acquisitionChannel":["抖音",'),
    );
    const checked = await call('POST', '/campaigns/validate?data=true', { body: douyin });
    expect(checked.status).toBe(200);
    expect(checked.json).toMatchObject({ ok: true, errors: [] });
    expect(checked.json.warnings).toEqual([
      {
        path: 'segments.price-sensitive-d11-buyers.where.all[0].acquisitionChannel[0]',
        message: expect.stringMatching(/^"抖音" matches no customer/),
        line: expect.any(Number),
        column: expect.any(Number),
      },
    ]);
    // Without ?data=true nothing is queried: the same body is simply valid.
    expect((await call('POST', '/campaigns/validate', { body: douyin })).json.warnings).toEqual([]);
    expect((await call('POST', '/campaigns/validate?data=maybe', { body: douyin })).status).toBe(400);
  });

  it('validates without storing, creates once (idempotently), lists and serves the OpenAPI document', async () => {
    expect((await call('POST', '/campaigns/validate', { body: d11 })).json).toEqual({
      ok: true,
      errors: [],
      warnings: [],
    });
    expect((await call('GET', '/campaigns')).json).toEqual({ items: [], cursor: null });

    const headers = { 'idempotency-key': 'create-d11-1' };
    const first = await call('POST', '/campaigns', { body: d11, headers });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ id: 'double-11-2026', state: 'draft', version: 1 });
    const retried = await call('POST', '/campaigns', { body: d11, headers });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.json).toEqual(first.json);
    expect((await call('POST', '/campaigns', { body: later, headers })).status).toBe(422);
    expect((await call('POST', '/campaigns', { body: d11 })).status).toBe(409);
    expect((await call('POST', '/campaigns', { body: later })).status).toBe(201);

    const page1 = await call('GET', '/campaigns?limit=1');
    expect((page1.json.items as { id: string }[]).map((c) => c.id)).toEqual(['d11-2027']);
    const page2 = await call('GET', `/campaigns?limit=1&cursor=${page1.json.cursor}`);
    expect((page2.json.items as { id: string }[]).map((c) => c.id)).toEqual(['double-11-2026']);
    expect(page2.json.cursor).toBeNull();
    expect((await call('GET', '/campaigns?limit=0')).status).toBe(400);

    const doc = (await call('GET', '/openapi.json')).json as {
      openapi: string;
      paths: Record<string, object>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/campaigns', '/campaigns/{id}/launch', '/{code}']),
    );
  });

  it('previews, launches (waves run on the simulated clock), reports status and the report, and refuses illegal moves', async () => {
    const preview = await call('GET', '/campaigns/double-11-2026/preview');
    expect(preview.status).toBe(200);
    expect((preview.json.waves as unknown[]).length).toBe(5);

    const launched = await call('POST', '/campaigns/double-11-2026/launch', {
      headers: { 'idempotency-key': 'launch-d11' },
    });
    expect(launched.status).toBe(200);
    expect(launched.json.state).toBe('scheduled');
    // A retried launch is answered from the first; a new launch is an illegal move that changes nothing.
    const retried = await call('POST', '/campaigns/double-11-2026/launch', {
      headers: { 'idempotency-key': 'launch-d11' },
    });
    expect(retried.json).toEqual(launched.json);
    await server.scheduler.idle();
    const again = await call('POST', '/campaigns/double-11-2026/launch');
    expect(again.status).toBe(409);

    const status = await call('GET', '/campaigns/double-11-2026/status');
    expect(status.json.state).toBe('done');
    const waves = status.json.waves as {
      waveId: string;
      state: string;
      reconciles: boolean;
      lifecycle: string;
    }[];
    expect(waves).toHaveLength(5);
    for (const w of waves) {
      expect(w.state, w.waveId).toBe('drained');
      expect(w.reconciles, w.waveId).toBe(true);
      expect(w.lifecycle).toBe('done');
    }
    const report = await call('GET', '/campaigns/double-11-2026/report');
    expect(report.status).toBe(200);
    expect((report.json.totals as { sent: number }).sent).toBeGreaterThan(0);
    expect((await call('PUT', '/campaigns/double-11-2026', { body: d11 })).status).toBe(409);
    expect((await call('POST', '/campaigns/double-11-2026/pause')).status).toBe(409);
  });

  it('pauses, resumes and cancels a campaign or one wave as a state machine (real clock: 2027 waves wait)', async () => {
    const realDir = await mkdtemp(join(tmpdir(), 'serve-real-'));
    await cp(join(dataDir, 'lake'), join(realDir, 'lake'), { recursive: true });
    const simulatedServer = server;
    server = await startServer({
      dataDir: realDir,
      port: 0,
      apiKey: KEY,
      policy: await loadShopPolicy(),
      log: () => {},
    });
    try {
      await lifecycle();
    } finally {
      await server.close();
      server = simulatedServer;
    }
  });

  async function lifecycle() {
    expect((await call('POST', '/campaigns', { body: later })).status).toBe(201);
    const id = 'd11-2027';
    expect((await call('POST', `/campaigns/${id}/pause`)).status).toBe(409); // a draft is not running
    expect(
      (await call('PUT', `/campaigns/${id}`, { body: { ...later, name: 'renamed' } })).json,
    ).toMatchObject({
      version: 2,
      config: { name: 'renamed' },
    });
    expect((await call('POST', `/campaigns/${id}/launch?wave=d11-preheat`)).json).toMatchObject({
      state: 'scheduled',
      waves: { 'd11-preheat': 'scheduled', 'd11-cashback': 'pending' },
    });
    expect((await call('POST', `/campaigns/${id}/launch`)).json).toMatchObject({ state: 'scheduled' });
    expect((await call('POST', `/campaigns/${id}/pause`)).json).toMatchObject({ state: 'paused' });
    expect((await call('POST', `/campaigns/${id}/resume?wave=d11-unpaid`)).json).toMatchObject({
      waves: { 'd11-unpaid': 'scheduled', 'd11-preheat': 'paused' },
    });
    expect((await call('POST', `/campaigns/${id}/cancel`)).json).toMatchObject({ state: 'cancelled' });
    const stuck = await call('POST', `/campaigns/${id}/resume`);
    expect(stuck.status).toBe(409);
    expect((await call('GET', `/campaigns/${id}`)).json).toMatchObject({ state: 'cancelled' });
    expect((await call('POST', `/campaigns/${id}/launch?wave=nope`)).status).toBe(409);
  }

  it('redirects a tracked click and refuses a tampered code, without a key', async () => {
    const sms = readFileSync(join(dataDir, 'outbox', 'sms.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const text = (JSON.parse(sms[0] as string) as { text: string }).text;
    const code = /https:\/\/s\.example\.cn\/([0-9A-Za-z]{10})/.exec(text)?.[1] as string;
    const click = await call('GET', `/${code}`, { key: false });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toMatch(/^https:\/\/youpin\.example\.com\//);
    const tampered = await call('GET', `/${code.slice(0, 9)}${code.endsWith('A') ? 'B' : 'A'}`, {
      key: false,
    });
    expect(tampered.status).toBe(400);
    expect(tampered.text).not.toContain('double-11');
  });
});
