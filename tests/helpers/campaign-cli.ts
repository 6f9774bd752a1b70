import { spawnSync } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `campaign` command (bin/campaign.ts) in a child process, as a user would, and returns its exit. */
export function campaignCli(
  args: string[],
  opts: { env?: Record<string, string>; timeout?: number } = {},
): CliResult {
  const r = spawnSync(process.execPath, ['bin/campaign.ts', ...args], {
    encoding: 'utf8',
    ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
    ...(opts.env === undefined ? {} : { env: { ...process.env, ...opts.env } }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One wave run as `campaign status --json` prints it. */
export interface WaveStatus {
  waveId: string;
  state: string;
  audience: number;
  sent: Record<string, number>;
  suppressed: Record<string, number>;
  failed: Record<string, number>;
  reconciles: boolean;
}

/** A new data folder (`<tmp>/<prefix>-…`) holding a copy of a shop's lake, for a test to run campaigns on. */
export async function copyOfLake(shopDir: string, prefix: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  await cp(join(shopDir, 'lake'), join(dataDir, 'lake'), { recursive: true });
  return dataDir;
}
