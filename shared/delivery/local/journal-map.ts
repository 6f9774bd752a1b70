import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { alive } from '../../data-folder-lock.ts';
import { UserError } from '../../errors.ts';

/** Another process (or this one) has the store open for writing. */
export class StoreInUseError extends UserError {
  override name = 'StoreInUseError';
}

/**
 * The embedded state engine: a string map in memory, made durable by an append-only journal (one JSON
 * line per change, written before `set` returns) and compacted into a snapshot on close. Appends are
 * sequential writes, which is why this beats a B-tree for the send path's random keys. A writer holds a
 * lock file (one process at a time; a lock left by a dead process is taken over); a `read-only` reader
 * loads the state without the lock; an `append-only` writer (one that never reads, like the sender of
 * links) keeps nothing in memory and leaves compaction to the next read-write open. A line cut short by
 * a crash (the text after the last newline) is ignored on load.
 */
export type JournalMode = 'read-write' | 'read-only' | 'append-only';

export class JournalMap {
  readonly #path: string;
  readonly #map = new Map<string, string>();
  readonly #mode: JournalMode;
  #journal: number | null = null;
  #journalLines = 0;

  constructor(path: string, options: { mode?: JournalMode } = {}) {
    this.#path = path;
    this.#mode = options.mode ?? 'read-write';
    if (this.#mode !== 'read-only') lock(`${path}.lock`);
    if (this.#mode !== 'append-only')
      for (const file of [`${path}.snapshot`, `${path}.journal`]) this.#load(file);
    if (this.#mode !== 'read-only') {
      dropPartialLine(`${path}.journal`);
      this.#journal = openSync(`${path}.journal`, 'a');
    }
  }

  #load(file: string): void {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    // Every write ends with a newline: text after the last one is a line cut short by a crash.
    lines.pop();
    for (const line of lines) {
      const entry = parseLine(line);
      if (!entry) continue;
      if (entry[1] === null) this.#map.delete(entry[0]);
      else this.#map.set(entry[0], entry[1]);
      if (file.endsWith('.journal')) this.#journalLines += 1;
    }
  }

  get(key: string): string | undefined {
    if (this.#mode === 'append-only') throw new Error(`${this.#path} is open append-only`);
    return this.#map.get(key);
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  get size(): number {
    return this.#map.size;
  }

  /** Applies the changes (null deletes) and writes them to the journal in one append. */
  set(entries: readonly [string, string | null][]): void {
    if (this.#journal === null) throw new Error(`${this.#path} is open read-only`);
    if (entries.length === 0) return;
    writeSync(this.#journal, `${entries.map(formatLine).join('\n')}\n`);
    if (this.#mode === 'append-only') return;
    for (const [k, v] of entries) {
      if (v === null) this.#map.delete(k);
      else this.#map.set(k, v);
    }
    this.#journalLines += entries.length;
    if (this.#journalLines > 4 * Math.max(this.#map.size, 250_000)) this.compact();
  }

  /** Writes the whole map as the snapshot (atomically: a temporary file renamed) and empties the journal. */
  compact(): void {
    if (this.#journal === null || this.#mode !== 'read-write') return;
    const tmp = `${this.#path}.snapshot.tmp`;
    const fd = openSync(tmp, 'w');
    let chunk: string[] = [];
    for (const entry of this.#map) {
      chunk.push(formatLine(entry));
      if (chunk.length === 10_000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
    closeSync(fd);
    renameSync(tmp, `${this.#path}.snapshot`);
    closeSync(this.#journal);
    writeFileSync(`${this.#path}.journal`, '');
    this.#journal = openSync(`${this.#path}.journal`, 'a');
    this.#journalLines = 0;
  }

  close(): void {
    if (this.#journal === null) return;
    if (this.#mode === 'read-write') this.compact();
    closeSync(this.#journal);
    this.#journal = null;
    rmSync(`${this.#path}.lock`, { force: true });
  }
}

/**
 * One entry as a line: the key as a JSON string, a tab and the value as it is (values are mostly JSON
 * already: encoding them again escaped every quote, a measurable share of the send path), or the key
 * alone for a deletion. A value with a line break is written as a JSON array [key, value], as every line
 * was before; both forms are read.
 */
function formatLine([key, value]: readonly [string, string | null]): string {
  if (value === null) return JSON.stringify(key);
  if (value.includes('\n') || value.includes('\r')) return JSON.stringify([key, value]);
  return `${JSON.stringify(key)}\t${value}`;
}

function parseLine(line: string): [string, string | null] | null {
  if (!line) return null;
  try {
    if (line.startsWith('[')) return JSON.parse(line) as [string, string | null];
    const tab = line.indexOf('\t');
    if (tab < 0) return [JSON.parse(line) as string, null];
    return [JSON.parse(line.slice(0, tab)) as string, line.slice(tab + 1)];
  } catch {
    return null; // not a line this map wrote
  }
}

/**
 * Cuts a line left unfinished by a crash off the end of a journal (or any file of lines) before appending
 * to it: glued to the next line it would read as a wrong value.
 */
export function dropPartialLine(file: string): void {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (nl >= 0) {
        if (start + nl + 1 < size) ftruncateSync(fd, start + nl + 1);
        return;
      }
      end = start;
    }
    if (size > 0) ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}

function lock(file: string): void {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const pid = Number(readFileSync(file, 'utf8'));
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
    throw new StoreInUseError(`${file.replace(/\.lock$/, '')} is in use by process ${pid}`);
  if (pid === process.pid)
    throw new StoreInUseError(`${file.replace(/\.lock$/, '')} is already open in this process`);
  writeFileSync(file, String(process.pid)); // left by a process that is gone
}
