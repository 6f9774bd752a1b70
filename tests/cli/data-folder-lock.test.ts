import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockFile } from '../../shared/data-folder-lock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sampleShop } from '../helpers/delivery-harness.ts';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process; resolves when it exits. */
function start(args: string[]): { pid: number; done: Promise<Exit> } {
  const child = spawn(process.execPath, ['bin/campaign.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid as number, done };
}

const RUN = ['run', 'campaigns/double-11.yaml', '--until', '2026-11-11T23:59'];
const BUSY =
  /another run holds the data folder .* since \d{4}-\d\d-\d\dT[\d:.]+Z, pid (\d+) \(campaign run double-11-2026\)/;

let shop: string;
async function freshDataDir(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lock-'));
  await cp(join(shop, 'lake'), join(dataDir, 'lake'), { recursive: true });
  return dataDir;
}

/** What must hold after any number of runs: one ledger row per send, and it reconciles. */
async function expectOneRowPerSend(dataDir: string): Promise<void> {
  const wh = await DuckDbWarehouse.open(dataDir);
  try {
    const { rows } = await wh.query(sql`SELECT count(*) AS n, count(DISTINCT send_id) AS ids FROM sends`);
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    expect(Number(rows[0]?.n), 'ledger rows doubled').toBe(Number(rows[0]?.ids));
  } finally {
    await wh.close();
  }
  const status = spawnSync(
    process.execPath,
    ['bin/campaign.ts', 'status', 'double-11-2026', '--data-dir', dataDir, '--json'],
    {
      encoding: 'utf8',
    },
  );
  const waves = JSON.parse(status.stdout) as { reconciles: boolean }[];
  expect(waves.every((w) => w.reconciles)).toBe(true);
}

beforeAll(async () => {
  shop = await sampleShop(3_000);
});

describe('one run at a time per data folder', { timeout: 120_000 }, () => {
  it('two runs started together: one runs, the other is refused (exit 1) naming the holder; nothing doubled', async () => {
    const dataDir = await freshDataDir();
    const a = start([...RUN, '--data-dir', dataDir]);
    const b = start([...RUN, '--data-dir', dataDir]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const [won, lost, winner] = ra.code === 0 ? [ra, rb, a] : [rb, ra, b];
    expect(won.code, won.stderr).toBe(0);
    expect(lost.code, lost.stderr).toBe(1);
    expect(lost.stderr).toMatch(BUSY);
    expect(Number(BUSY.exec(lost.stderr)?.[1])).toBe(winner.pid);
    expect(existsSync(lockFile(dataDir)), 'the lock is released at the end').toBe(false);
    await expectOneRowPerSend(dataDir);
  });

  it('a second run started mid-wave leaves the first alone: the first finishes, the second is refused', async () => {
    const dataDir = await freshDataDir();
    const first = start([...RUN, '--data-dir', dataDir]);
    // Wait until the first run has staged ledger rows: what the second used to convert under it.
    const staging = join(dataDir, 'staging', 'sends');
    const until = Date.now() + 30_000;
    while (!(existsSync(staging) && readdirSync(staging).length > 0) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(staging), 'the first run staged ledger rows').toBe(true);
    // Hold the first run mid-wave (SIGSTOP) so the second surely starts while it works, whatever the
    // machine's speed; the first continues once the second has exited.
    process.kill(first.pid, 'SIGSTOP');
    const r2 = await start([...RUN, '--data-dir', dataDir]).done;
    process.kill(first.pid, 'SIGCONT');
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stderr).toBe('');
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(BUSY);
    await expectOneRowPerSend(dataDir);
  });

  it('a lock left by a dead process is taken over, and said so', async () => {
    const dataDir = await freshDataDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' }).pid as number;
    writeFileSync(
      lockFile(dataDir),
      JSON.stringify({ pid: gone, since: '2026-01-01T00:00:00.000Z', command: 'campaign run crashed' }),
    );
    const r = await start([...RUN, '--data-dir', dataDir]).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`the data folder's lock was left by pid ${gone} (campaign run crashed`);
    expect(existsSync(lockFile(dataDir))).toBe(false);
    await expectOneRowPerSend(dataDir);
  });
});
