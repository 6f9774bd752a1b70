import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { CliResult } from './campaign-cli.ts';

/**
 * The `campaign` command kept loaded in a worker thread for campaignCli: each request runs cli/main.ts's
 * main — what bin/campaign.ts runs — with its own arguments and environment, stdout and stderr captured,
 * and answers on the reply port, then wakes the caller blocked on the shared flag.
 */
const { replies, flag } = workerData as { replies: MessagePort; flag: SharedArrayBuffer };
const done = new Int32Array(flag);
// Loaded once, awaited per request: the listener is attached at once, so no request arrives before it.
const loaded = import('../../cli/main.ts');

type Write = typeof process.stdout.write;

parentPort?.on('message', async (req: { args: string[]; env?: Record<string, string> }) => {
  const out: string[] = [];
  const err: string[] = [];
  const writes = [process.stdout.write, process.stderr.write] as const;
  const capture =
    (into: string[]): Write =>
    (chunk: unknown, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  const savedEnv = { ...process.env };
  Object.assign(process.env, req.env ?? {});
  process.exitCode = undefined;
  let code: number;
  try {
    const { main } = await loaded;
    code = await main(req.args);
  } catch (e) {
    err.push(`uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    code = 2;
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    process.exitCode = undefined;
  }
  const result: CliResult = { code, stdout: out.join(''), stderr: err.join('') };
  replies.postMessage(result);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
