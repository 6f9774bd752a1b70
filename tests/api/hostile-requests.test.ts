import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunningServer } from '../../local/api-server.ts';
import { apiClient, serveSampleShop } from '../helpers/api-client.ts';

/**
 * Requests a client gets wrong or an attacker sends on purpose, over real HTTP to `campaign serve`
 * (simulated clock: a launched wave runs at once): each is answered with a 4xx that says what is wrong,
 * and changes nothing it should not.
 */
const KEY = 'test-api-key-hostile';
let server: RunningServer;
const call = apiClient(() => server.url, KEY);
const d11Text = readFileSync('campaigns/double-11.yaml', 'utf8');
const d11 = parse(d11Text) as Record<string, unknown>;
const copy = (id: string, over: Record<string, unknown> = {}) => ({ ...structuredClone(d11), id, ...over });
const errorsOf = (r: { json: Record<string, unknown> }) =>
  r.json.errors as { path: string; message: string; line?: number; column?: number }[];

beforeAll(async () => {
  ({ server } = await serveSampleShop(1_000, KEY));
});
afterAll(async () => {
  await server.close();
});

describe('hostile requests to the campaign API', () => {
  it('answers malformed percent-encoding in the path with 400, not 500', async () => {
    for (const path of ['/campaigns/%ZZ', '/campaigns/%E0%A4%A/status', '/%ZZ']) {
      const r = await call('GET', path, { key: !path.startsWith('/%') });
      expect(r.status, path).toBe(400);
      expect(errorsOf(r)[0]?.message, path).toMatch(/malformed percent-encoding/);
    }
  });

  it('takes bodies as JSON or YAML only (415 otherwise), and YAML as the docs say', async () => {
    const form = await call('POST', '/campaigns/validate', {
      body: 'id=x&name=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(errorsOf(form)[0]).toMatchObject({ path: 'Content-Type' });
    const text = await call('POST', '/campaigns', {
      body: JSON.stringify(copy('as-text')),
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const latin1 = await call('POST', '/campaigns/validate', {
      body: JSON.stringify(d11),
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    });
    expect(latin1.status).toBe(415);
    expect((await call('GET', '/campaigns/as-text')).status).toBe(404);

    const yaml = await call('POST', '/campaigns/validate', {
      body: d11Text,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(yaml.json).toEqual({ ok: true, errors: [], warnings: [] });
    const json = await call('POST', '/campaigns/validate', {
      body: JSON.stringify(d11),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(json.status).toBe(200);

    // The OpenAPI document says so.
    const doc = (await call('GET', '/openapi.json')).json as {
      paths: Record<string, { post: { requestBody: { content: object }; responses: object } }>;
    };
    const create = doc.paths['/campaigns']?.post;
    expect(Object.keys(create?.requestBody.content ?? {})).toEqual(['application/json', 'application/yaml']);
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(['415', '422']));
  });

  const yaml = { 'content-type': 'application/yaml' };
  /** POST /campaigns/validate with the example Double-11 file, `from` replaced by `to`. */
  const validateD11With = (from: string, to: string) =>
    call('POST', '/campaigns/validate', { body: d11Text.replace(from, to), headers: yaml });

  it('answers an alias bomb with 400, line and column', async () => {
    const lol = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [i, name] of [...'bcdefghi'].entries())
      lol.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`);
    const bomb = await call('POST', '/campaigns', { body: `x:\n  ${lol.join('\n  ')}\n`, headers: yaml });
    expect(bomb.status).toBe(400);
    expect(errorsOf(bomb)[0]).toMatchObject({ path: 'x.f[0]', line: 7, column: 10 });
  });

  it('answers a bad duration with 400, line and column', async () => {
    const cap = { caps: [{ id: 'c', max: 1, window: '1 day' }] };
    const badCap = await call('POST', '/campaigns', { body: copy('bad-cap', { contactPolicy: cap }) });
    expect(badCap.status).toBe(400);
    expect(errorsOf(badCap)).toEqual([
      expect.objectContaining({
        path: 'contactPolicy.caps[0].window',
        message: 'expected a duration like 30m, 14h, 5d or 2w',
        line: expect.any(Number),
        column: expect.any(Number),
      }),
    ]);
  });

  it('answers a NUL with 400 and the path', async () => {
    const nul = await validateD11With('acquisitionChannel: [聚划算,', 'acquisitionChannel: ["聚划算\\0",');
    expect(nul.status).toBe(400);
    expect(errorsOf(nul)[0]).toMatchObject({
      path: 'segments.price-sensitive-d11-buyers.where.all[0].acquisitionChannel[0]',
      message: 'control character U+0000 not allowed',
    });
  });

  it('answers a huge offset with 400, line and column', async () => {
    const far = await validateD11With('offset: 14h', 'offset: 99999999999999999999d');
    expect(far.status).toBe(400);
    expect(errorsOf(far)[0]).toMatchObject({
      path: 'waves[2].start.offset',
      message: 'expected at most 3650d',
      // Where the offset stands in the example file (1-based line and column of its value).
      line: d11Text.split('\n').findIndex((l) => l.includes('offset: 14h')) + 1,
      column: (d11Text.split('\n').find((l) => l.includes('offset: 14h')) ?? '').indexOf('14h') + 1,
    });
  });

  it('answers a promotion the shop calendar does not know with 400, line, column and the known names', async () => {
    const body = d11Text.replace('promotion: double-11,', 'promotion: double-10,');
    for (const path of ['/campaigns/validate', '/campaigns']) {
      const r = await call('POST', path, { body, headers: { 'content-type': 'application/yaml' } });
      expect(r.status, path).toBe(400);
      expect(errorsOf(r), path).toEqual([
        {
          path: 'segments.price-sensitive-d11-buyers.where.all[1].bought.promotion',
          message: expect.stringContaining(
            'unknown promotion "double-10"; the calendar knows double-11, double-12, 618, nian-huo-jie',
          ),
          line: d11Text.split('\n').findIndex((l) => l.includes('promotion: double-11')) + 1,
          column:
            (d11Text.split('\n').find((l) => l.includes('promotion: double-11')) ?? '').indexOf('double-11') +
            1,
        },
      ]);
    }
  });

  it('fingerprints an Idempotency-Key with the query string: ?wave=a then ?wave=b with one key is 422', async () => {
    expect((await call('POST', '/campaigns', { body: copy('idem') })).status).toBe(201);
    const headers = { 'idempotency-key': 'launch-idem-1' };
    const first = await call('POST', '/campaigns/idem/launch?wave=d11-preheat', { headers });
    expect(first.status).toBe(200);
    const again = await call('POST', '/campaigns/idem/launch?wave=d11-preheat', { headers });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call('POST', '/campaigns/idem/launch?wave=d11-cashback', { headers });
    expect(other.status).toBe(422);
    await server.scheduler.idle();
    const now = await call('GET', '/campaigns/idem');
    expect(now.json.waves).toMatchObject({ 'd11-preheat': 'done', 'd11-cashback': 'pending' });
  });

  it('freezes a launched campaign’s config (409), and a cancelled wave stays cancelled and never runs', async () => {
    expect((await call('POST', '/campaigns', { body: copy('frozen') })).status).toBe(201);
    expect((await call('POST', '/campaigns/frozen/launch?wave=d11-preheat')).status).toBe(200);
    await server.scheduler.idle();
    const cancelled = await call('POST', '/campaigns/frozen/cancel?wave=d11-cashback');
    expect(cancelled.json).toMatchObject({
      state: 'running',
      waves: { 'd11-preheat': 'done', 'd11-cashback': 'cancelled', 'd11-afternoon': 'pending' },
    });

    const put = await call('PUT', '/campaigns/frozen', { body: copy('frozen', { holdoutPercent: 20 }) });
    expect(put.status).toBe(409);
    expect(errorsOf(put)[0]?.message).toMatch(/frozen/);
    const kept = await call('GET', '/campaigns/frozen');
    expect((kept.json.config as { holdoutPercent: number }).holdoutPercent).toBe(10);
    expect(kept.json.version).toBe(cancelled.json.version);

    // Launching the rest schedules only the pending waves; the cancelled one stays cancelled.
    const rest = await call('POST', '/campaigns/frozen/launch');
    expect(rest.json.waves).toMatchObject({ 'd11-cashback': 'cancelled', 'd11-afternoon': 'scheduled' });
    await server.scheduler.idle();
    const status = await call('GET', '/campaigns/frozen/status');
    const waves = status.json.waves as {
      waveId: string;
      state: string;
      lifecycle: string;
      audience: number;
    }[];
    expect(waves.find((w) => w.waveId === 'd11-cashback')).toMatchObject({
      lifecycle: 'cancelled',
      state: 'not-run',
    });
    expect(waves.filter((w) => w.lifecycle === 'done').map((w) => w.waveId)).toEqual([
      'd11-preheat',
      'd11-afternoon',
      'd11-unpaid',
      'd11-follow-up',
    ]);
    expect(status.json.state).toBe('done');
  });
});
