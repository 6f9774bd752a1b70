import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock } from './clock.ts';
import { UserError } from './errors.ts';

/** Who holds a data folder: written into the lock file, shown to whoever finds it taken. */
export interface LockHolder {
  pid: number;
  /** When the holder took the lock (ISO 8601, wall clock). */
  since: string;
  /** What the holder is doing, e.g. `campaign run winback-2026q4`. */
  command: string;
}

/** Another live process holds the data folder: the CLI exits 1 with this message. */
export class DataFolderBusyError extends UserError {
  override name = 'DataFolderBusyError';
  readonly holder: LockHolder;

  constructor(dataDir: string, file: string, holder: LockHolder) {
    super(
      `another run holds the data folder ${dataDir} since ${holder.since}, pid ${holder.pid} (${holder.command}); ` +
        `wait for it to end, or stop it (if no such process is running, delete ${file})`,
    );
    this.holder = holder;
  }
}

export interface DataFolderLock {
  /** The lock a dead process left, which this one took over; null if the folder was free. */
  readonly tookOverFrom: LockHolder | null;
  release(): void;
}

/** The lock file of a data folder. */
export const lockFile = (dataDir: string) => join(resolve(dataDir), 'data-folder.lock');

/** Locks this process holds, by file, with how many callers hold each (the lock is re-entrant). */
const held = new Map<string, { count: number }>();

/**
 * Takes the data folder for this process, before anything in it is read for writing or written: the
 * lake's tables and staging files, the state stores, the outbox. One process at a time: a second one is
 * refused at once with who holds the folder and since when (`DataFolderBusyError`, exit 1), never left to
 * interleave its writes with the first's. A lock whose process is gone (killed, crashed) is taken over.
 * Re-entrant within one process (`npm start` holds it around `runCampaign`, which takes it too).
 *
 * The lock file appears whole or not at all: the holder is written to a file of our own, then hard-linked
 * to the lock's name, which fails if the name exists (link(2) is atomic). A dead holder's file is renamed
 * aside (only one contender's rename succeeds) before the link is tried again.
 */
export function lockDataFolder(dataDir: string, command: string): DataFolderLock {
  const file = lockFile(dataDir);
  const mine = held.get(file);
  if (mine) {
    mine.count += 1;
    return { tookOverFrom: null, release: once(() => release(file)) };
  }
  mkdirSync(resolve(dataDir), { recursive: true });
  const me: LockHolder = { pid: process.pid, since: systemClock.now().toISOString(), command };
  const tmp = `${file}.${process.pid}.${randomUUID()}`;
  writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  let tookOverFrom: LockHolder | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw e;
      }
      const holder = readHolder(file);
      if (holder && holder.pid !== process.pid && alive(holder.pid))
        throw new DataFolderBusyError(dataDir, file, holder);
      // Left by a process that is gone (or never written whole): move it aside, then check that what was
      // moved is that lock and not one a live contender took meanwhile.
      const aside = `${file}.stale.${process.pid}.${randomUUID()}`;
      try {
        renameSync(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another contender moved it
        throw e;
      }
      const moved = readHolder(aside);
      if (moved && moved.pid !== process.pid && alive(moved.pid)) {
        try {
          linkSync(aside, file);
        } catch {
          // a third process took the name meanwhile: it holds the folder now
        }
        rmSync(aside, { force: true });
        throw new DataFolderBusyError(dataDir, file, moved);
      }
      rmSync(aside, { force: true });
      tookOverFrom = moved ?? holder ?? tookOverFrom;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  held.set(file, { count: 1 });
  return { tookOverFrom, release: once(() => release(file)) };
}

/** Runs `fn` holding the data folder; `onTakeOver` hears of a lock taken over from a dead process. */
export async function withDataFolder<T>(
  dataDir: string,
  command: string,
  fn: () => Promise<T>,
  onTakeOver?: (from: LockHolder) => void,
): Promise<T> {
  const lock = lockDataFolder(dataDir, command);
  if (lock.tookOverFrom) onTakeOver?.(lock.tookOverFrom);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** A line for the log about a lock taken over (the CLI prints it). */
export function tookOverLine(from: LockHolder): string {
  return `· the data folder's lock was left by pid ${from.pid} (${from.command}, since ${from.since}), which is gone: taken over`;
}

function release(file: string): void {
  const mine = held.get(file);
  if (!mine) return;
  mine.count -= 1;
  if (mine.count > 0) return;
  held.delete(file);
  if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

function readHolder(file: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0
      ? { pid: v.pid, since: String(v.since ?? '?'), command: String(v.command ?? '?') }
      : null;
  } catch {
    return null;
  }
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
