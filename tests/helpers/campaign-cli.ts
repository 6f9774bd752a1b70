import { spawnSync } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `campaign` command as bin/campaign.ts does — cli/main.ts's main with these arguments — and
 * returns its exit code and output. The command stays loaded in a worker thread between calls (one per
 * test file), so a call costs what the command does, not a Node start and the CLI's module graph
 * (1.5–2 s each on the 2-core machine). It blocks like spawnSync. For what only a separate process
 * shows (signals, a kill, a lock held by another process, memory limits) use campaignProcess.
 */
export function campaignCli(
  args: string[],
  opts: { env?: Record<string, string>; timeout?: number } = {},
): CliResult {
  const w = cliWorker();
  Atomics.store(w.flag, 0, 0);
  w.worker.postMessage({ args, env: opts.env });
  if (Atomics.wait(w.flag, 0, 0, opts.timeout ?? 600_000) === 'timed-out') {
    void w.worker.terminate();
    worker = null;
    return { code: null, stdout: '', stderr: `campaign ${args.join(' ')}: timed out` };
  }
  const reply = receiveMessageOnPort(w.replies);
  if (!reply) throw new Error('the CLI worker woke the caller without a reply');
  return reply.message as CliResult;
}

let worker: { worker: Worker; replies: MessagePort; flag: Int32Array } | null = null;

function cliWorker(): NonNullable<typeof worker> {
  if (worker) return worker;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(new URL('./cli-worker.ts', import.meta.url), {
    workerData: { replies: port2, flag: flag.buffer },
    transferList: [port2],
  });
  w.unref();
  worker = { worker: w, replies: port1, flag };
  return worker;
}

/** Runs the `campaign` command (bin/campaign.ts) in a child process, as a user would, and returns its exit. */
export function campaignProcess(
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
