import { mkdirSync } from 'node:fs';

/**
 * Runs a write into `dir`, creating the folder only when the write finds it missing: a mkdir before
 * every append was a measurable share of the send path (the outbox and the ledger write per batch).
 */
export function writeInFolder<T>(dir: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dir, { recursive: true });
    return write();
  }
}
