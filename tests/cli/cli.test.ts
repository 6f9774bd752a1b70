import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

let dir: string;

/** Runs the real CLI in a child process, as a user would. */
function campaign(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/campaign.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('campaign CLI', () => {
  it.each([
    [[]],
    [['validate']],
    [['schema']],
    [['data']],
    [['data', 'generate']],
    [['data', 'import']],
    [['data', 'profile']],
    [['sql']],
    [['preview']],
    [['run']],
    [['status']],
    [['report']],
    [['calls']],
    [['calls', 'export']],
    [['calls', 'record']],
  ])('prints help for %j with exit code 0', async (args) => {
    // In-process (a spawned CLI costs about a second to start): main() is what bin/campaign.ts runs.
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await main([...args, '--help'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(out.join('')).toMatch(new RegExp(`^Usage: campaign${args.map((a) => ` ${a}`).join('')}`));
  });

  it('prints help as a user sees it, from the command itself', () => {
    const r = campaign(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: campaign/);
  });

  it('exits 1 on an unknown command or option', () => {
    expect(campaign(['launch-rockets']).code).toBe(1);
    expect(campaign(['validate', '--frobnicate', 'x.yaml']).code).toBe(1);
  });

  it('validates: exit 0 for the examples, exit 1 with positioned problems for a broken file, JSON on request', async () => {
    expect(campaign(['validate', 'campaigns/double-11.yaml', 'campaigns/contact-policy.yaml']).code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'id: x\nname: X\nchannels: {}\nwaves:\n  - id: a\n    start: "2026-11-11T10:00"\n    audience: { segment: s }\n    channel: fax\n',
    );
    const r = campaign(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:8:14 waves[0].channel: expected one of email, sms, call-list`);
    expect(r.stderr).toContain(`${bad}:7:26 waves[0].audience.segment: unknown segment "s"; defined: none`);
    const json = JSON.parse(campaign(['validate', bad, '--json']).stdout);
    expect(json.ok).toBe(false);
    expect(json.files[0].problems).toContainEqual({
      file: bad,
      line: 8,
      column: 14,
      path: 'waves[0].channel',
      message: 'expected one of email, sms, call-list',
    });
  });

  it('prints the JSON Schema', () => {
    const schema = JSON.parse(campaign(['schema']).stdout);
    expect(schema.title).toBe('Campaign');
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'name', 'channels', 'waves']));
  });

  it('generates a shop into --data-dir, refuses to overwrite it without --force, and queries it with sql', () => {
    const dataDir = join(dir, 'data');
    const gen = campaign([
      'data',
      'generate',
      '--customers',
      '2000',
      '--as-of',
      '2026-10-20',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(gen.code).toBe(0);
    expect(JSON.parse(gen.stdout)).toMatchObject({ customers: 2000, to: '2026-10-20' });
    const again = campaign(['data', 'generate', '--customers', '2000', '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('pass --force');

    const sql = campaign(['sql', 'SELECT count(*) AS n FROM customers', '--json'], {
      CAMPAIGN_DATA_DIR: dataDir,
    });
    expect(sql.code).toBe(0);
    expect(JSON.parse(sql.stdout)).toEqual([{ n: 2000 }]);
    const table = campaign([
      'sql',
      'SELECT status, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1',
      '--data-dir',
      dataDir,
    ]);
    expect(table.stdout).toMatch(/^status\s+n\n/);
    expect(table.stdout).toMatch(/paid\s+\d+/);

    const bad = campaign(['sql', 'SELEC nonsense', '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: query failed: Parser Error/);

    const profile = JSON.parse(campaign(['data', 'profile', '--data-dir', dataDir, '--json']).stdout);
    expect(profile.customers).toBe(2000);

    // Preview: every wave's funnel only narrows, and the eligible customers add up across channels.
    const preview = campaign(['preview', 'campaigns/double-11.yaml', '--data-dir', dataDir, '--json']);
    expect(preview.code).toBe(0);
    const waves = JSON.parse(preview.stdout).waves as {
      waveId: string;
      funnel: { segment: number; reachable: number; underCaps: number; eligible: number };
      holdout: number;
      channels: Record<string, number>;
    }[];
    expect(waves.map((w) => w.waveId)).toEqual([
      'd11-preheat',
      'd11-cashback',
      'd11-afternoon',
      'd11-unpaid',
      'd11-follow-up',
    ]);
    for (const w of waves) {
      expect(w.funnel.segment).toBeGreaterThanOrEqual(w.funnel.reachable);
      expect(w.funnel.reachable).toBeGreaterThanOrEqual(w.funnel.underCaps);
      expect(w.funnel.underCaps).toBe(w.funnel.eligible + w.holdout);
      expect(Object.values(w.channels).reduce((a, b) => a + b, 0)).toBe(w.funnel.eligible);
    }
    expect(waves[1]?.funnel.eligible).toBeGreaterThan(0);
    const text = campaign([
      'preview',
      'campaigns/double-11.yaml',
      '--wave',
      'd11-cashback',
      '--data-dir',
      dataDir,
    ]);
    expect(text.stdout).toContain('frequency caps already used');
    const unknownWave = campaign([
      'preview',
      'campaigns/double-11.yaml',
      '--wave',
      'nope',
      '--data-dir',
      dataDir,
    ]);
    expect(unknownWave.code).toBe(1);
    expect(unknownWave.stderr).toContain('no wave nope');
  });

  it("imports an order export, prints the counts and never prints the customers' phone numbers", async () => {
    const file = join(dir, 'taobao.csv');
    await writeFile(
      file,
      [
        '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,联系手机',
        '3801000000000001,buyer1,99.00,交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,13812345678',
        '3801000000000002,buyer2,oops,交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,13912345678',
      ].join('\n'),
    );
    const importDir = join(dir, 'import-data');
    const r = campaign(['data', 'import', file, '--format', 'taobao', '--data-dir', importDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('read 2 rows (utf-8): 1 imported, 1 rejected');
    expect(r.stdout).toContain(`rejects: ${file}.rejects.csv`);
    expect(r.stdout + r.stderr).not.toMatch(/138\d{8}|139\d{8}/);
  });

  it('rejects bad arguments as user errors', () => {
    expect(campaign(['data', 'generate', '--customers', 'many', '--data-dir', join(dir, 'x')]).code).toBe(1);
    expect(campaign(['data', 'generate', '--as-of', '20261020', '--data-dir', join(dir, 'y')]).code).toBe(1);
    expect(campaign(['data', 'import', 'x.csv', '--format', 'excel']).code).toBe(1);
  });

  it('exits 2 on an internal failure', () => {
    const r = campaign(['data', 'generate', '--customers', '10', '--data-dir', '/dev/null/nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^internal error:/);
  });
});
