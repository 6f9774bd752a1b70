import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { swapStep } from './swap-steps.ts';

/**
 * Crash-safe replacement of lake folders (whole tables, or some `dt=` partitions of them), all or none.
 *
 * The new folders are written beside the lake first (`stagingFolder`). `swapFolders` then
 *  1. syncs every new file to disk,
 *  2. writes a journal listing each move (target, its replacement, where the old folder goes) and
 *     renames it into place: from that rename on the swap is decided, a crash completes it,
 *  3. for each target: renames the old folder aside (out of the lake), renames the new one in,
 *  4. syncs the folders, deletes the journal, then deletes the old folders.
 * A crash before step 2's rename leaves the lake as it was (the staged folders are cleaned up later); a
 * crash after it is rolled forward by `recoverLakeSwap`, which every reader and writer of the local lake
 * runs before it reads a table folder, so nothing ever reads a half-swapped lake. The old folders are
 * deleted only once the journal is gone, i.e. once the new ones are durably in place.
 *
 * Old and staged folders live in `<data-dir>/.lake-swap`, outside the table folders, so the lake's globs
 * see one version of each table. One swap at a time per data folder (a lock file holds the writer's pid;
 * a lock left by a dead process is taken over).
 */

export interface FolderSwap {
  /** The lake folder to replace. */
  target: string;
  /** Its complete replacement (moved, not copied), or null to remove the target. */
  next: string | null;
}

interface Move {
  target: string;
  next: string | null;
  old: string;
}

interface Journal {
  id: string;
  /** Paths relative to the data folder, so a data folder moved after a crash still recovers. */
  moves: Move[];
}

const swapRoot = (dataDir: string) => resolve(dataDir, '.lake-swap');
const journalFile = (dataDir: string) => join(swapRoot(dataDir), 'journal.json');
const lockFile = (dataDir: string) => join(swapRoot(dataDir), 'lock');
/** How long a swap or a recovery waits for another process's swap (a swap's renames take milliseconds). */
const LOCK_WAIT_MS = 60_000;

/** A new, empty folder beside the lake for a swap's replacement folders; the caller removes it when done. */
export async function stagingFolder(dataDir: string): Promise<string> {
  const dir = join(swapRoot(dataDir), `stage-${process.pid}-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Replaces the targets by their replacements, all or none across a crash (see the module comment). */
export async function swapFolders(dataDir: string, swaps: readonly FolderSwap[]): Promise<void> {
  if (swaps.length === 0) return;
  const targets = new Set(swaps.map((s) => resolve(s.target)));
  if (targets.size !== swaps.length) throw new Error('a lake swap names the same folder twice');
  for (const s of swaps)
    if (s.next !== null && !existsSync(s.next)) throw new Error(`lake swap: ${s.next} does not exist`);
  await withSwapLock(dataDir, async () => {
    await rollForward(dataDir);
    swapStep('sync new folders');
    for (const s of swaps) if (s.next !== null) await syncTree(s.next);
    const id = randomUUID();
    const rel = (p: string) => relative(resolve(dataDir), resolve(p));
    const journal: Journal = {
      id,
      moves: swaps.map((s, i) => ({
        target: rel(s.target),
        next: s.next === null ? null : rel(s.next),
        old: rel(join(swapRoot(dataDir), `old-${id}`, String(i))),
      })),
    };
    const file = journalFile(dataDir);
    swapStep('write journal');
    await writeDurably(`${file}.tmp`, JSON.stringify(journal));
    swapStep('commit journal');
    await rename(`${file}.tmp`, file);
    await syncPath(swapRoot(dataDir));
    await apply(dataDir, journal);
  });
}

/**
 * Completes a swap a crashed process left behind and removes its leftovers. Cheap when there is
 * nothing to do (one existence check): call it before reading or writing table folders.
 */
export async function recoverLakeSwap(dataDir: string): Promise<void> {
  if (!existsSync(journalFile(dataDir))) return;
  await withSwapLock(dataDir, () => rollForward(dataDir));
}

async function rollForward(dataDir: string): Promise<void> {
  const file = journalFile(dataDir);
  if (existsSync(file)) await apply(dataDir, JSON.parse(await readFile(file, 'utf8')) as Journal);
  // Leftovers of crashed swaps: an uncommitted journal, old folders, staging folders of dead processes.
  await rm(`${file}.tmp`, { force: true });
  for (const name of existsSync(swapRoot(dataDir)) ? await readdir(swapRoot(dataDir)) : []) {
    const owner = /^(?:stage-|lock\.)(\d+)/.exec(name)?.[1];
    if (name.startsWith('old-') || (owner !== undefined && !alive(Number(owner))))
      await rm(join(swapRoot(dataDir), name), { recursive: true, force: true });
  }
}

/** Carries out a committed journal; safe to run again after a crash at any point inside it. */
async function apply(dataDir: string, journal: Journal): Promise<void> {
  const abs = (p: string) => resolve(dataDir, p);
  for (const m of journal.moves) {
    const target = abs(m.target);
    const next = m.next === null ? null : abs(m.next);
    const old = abs(m.old);
    // A replacement that is gone was moved in already (it exists when the journal is committed).
    if (next !== null && !existsSync(next)) continue;
    if (existsSync(target)) {
      if (existsSync(old)) throw new Error(`lake swap ${journal.id}: both ${target} and ${old} exist`);
      await mkdir(dirname(old), { recursive: true });
      swapStep(`move aside ${m.target}`);
      await rename(target, old);
    }
    if (next !== null) {
      await mkdir(dirname(target), { recursive: true });
      swapStep(`move in ${m.target}`);
      await rename(next, target);
    }
  }
  swapStep('sync lake folders');
  for (const dir of new Set(journal.moves.map((m) => dirname(abs(m.target)))))
    if (existsSync(dir)) await syncPath(dir); // missing: a removal of a folder that never was
  swapStep('drop journal');
  await unlink(journalFile(dataDir));
  await syncPath(swapRoot(dataDir));
  swapStep('remove old folders');
  await rm(join(swapRoot(dataDir), `old-${journal.id}`), { recursive: true, force: true });
}

async function writeDurably(file: string, text: string): Promise<void> {
  await writeFile(file, text);
  await syncPath(file);
}

/** fsync of a file or a folder (a folder's fsync makes the renames inside it durable). */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else await syncPath(path);
  }
  await syncPath(dir);
}

/** One swap at a time: in this process (a promise chain) and across processes (a lock file). */
const queues = new Map<string, Promise<unknown>>();

async function withSwapLock<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const key = swapRoot(dataDir);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      await takeLock(dataDir);
      try {
        return await work();
      } finally {
        await rm(lockFile(dataDir), { force: true });
      }
    });
  queues.set(key, run);
  try {
    return await run;
  } finally {
    if (queues.get(key) === run) queues.delete(key);
  }
}

async function takeLock(dataDir: string): Promise<void> {
  const file = lockFile(dataDir);
  await mkdir(swapRoot(dataDir), { recursive: true });
  // The lock appears with its content in one step (a link of a file already written), so a reader
  // never sees an empty lock.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  // A timeout, not a time of day: measured on the monotonic timer, which a wall-clock change cannot move.
  const deadline = performance.now() + LOCK_WAIT_MS;
  try {
    for (;;) {
      try {
        linkSync(mine, file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let seen: { ino: number; pid: number };
      try {
        seen = { ino: statSync(file).ino, pid: Number(readFileSync(file, 'utf8')) };
      } catch {
        continue; // released meanwhile
      }
      // Our own pid here is a lock left by a crashed process that had it (this process's swaps queue
      // above and never meet their own lock).
      if (seen.pid === process.pid || !alive(seen.pid)) {
        if (statSync(file, { throwIfNoEntry: false })?.ino === seen.ino) rmSync(file, { force: true });
        continue;
      }
      if (performance.now() > deadline)
        throw new Error(
          `the lake in ${dataDir} is being changed by process ${seen.pid}; try again when it is done`,
        );
      await sleep(20);
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
