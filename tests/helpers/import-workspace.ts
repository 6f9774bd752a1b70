import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { raw } from '../../shared/lake/sql.ts';
import type { Row } from '../../shared/lake/warehouse.ts';
import {
  type ImportFormat,
  type ImportOptions,
  type ImportResult,
  importOrders,
} from '../../shared/shop/local/import/import-orders.ts';

/** What a test gives `importOrders`; the workspace fills in the data folder, the clock and a rejects file. */
export type WorkspaceImport = Omit<ImportOptions, 'dataDir' | 'rejectsFile' | 'clock'> &
  Partial<Pick<ImportOptions, 'dataDir' | 'rejectsFile' | 'clock'>>;

export interface ImportFileOptions {
  /** The mapping's YAML, written beside the file as `<name>.yaml`. */
  mapping?: string;
  /** A mapping file already written. */
  mappingFile?: string | undefined;
  /** Write the content GBK-encoded, as Taobao's exports are. */
  gbk?: boolean;
}

export interface ImportWorkspace {
  /** A path inside the test's own temporary folder (a new folder for each test). */
  path(...parts: string[]): string;
  /** The data folder the imports write their lake to: `<dir>/data`. */
  dataDir(): string;
  /** "Now" for every import: 2026-12-01T00:00:00Z unless the workspace was given another time. */
  readonly clock: ManualClock;
  /** The rows of one query on the lake (by default the workspace's own data folder). */
  query(sql: string, dataDir?: string): Promise<Row[]>;
  /** Writes a file into the test's folder (GBK-encoded if asked) and returns its path. */
  write(name: string, content: string | Buffer, opts?: { gbk?: boolean }): Promise<string>;
  /** `importOrders` on the workspace's data folder and clock; the rejects go to `<file name>.rejects.csv`. */
  importOrders(opts: WorkspaceImport): Promise<ImportResult>;
  /**
   * Writes `content` as `name` and imports it. Checks what every import promises: each row read is either
   * imported or rejected.
   */
  importFile(
    name: string,
    content: string | Buffer,
    format: ImportFormat,
    opts?: ImportFileOptions,
  ): Promise<ImportResult>;
}

export interface WorkspaceOptions {
  /** "Now" for the imports; 2026-12-01T00:00:00Z unless given. */
  now?: Date;
  /** One folder for all the tests of the file (or describe block), for tests that build on each other's lake. */
  shared?: boolean;
}

/**
 * A temporary folder per test (or, `shared`, per file) for the importer tests: registers the hooks that make
 * and remove it, and gives the lake query and the write-then-import every import test needs. Call it once at
 * the top of a test file (or a describe block).
 */
export function importWorkspace(prefix: string, opts: WorkspaceOptions = {}): ImportWorkspace {
  let current: string | undefined;
  (opts.shared ? beforeAll : beforeEach)(async () => {
    current = await mkdtemp(join(tmpdir(), `${prefix}-`));
  });
  (opts.shared ? afterAll : afterEach)(async () => {
    if (current) await rm(current, { recursive: true, force: true });
    current = undefined;
  });
  const dir = (): string => {
    if (!current) throw new Error(`importWorkspace(${prefix}): the folder exists only while a test runs`);
    return current;
  };
  const clock = new ManualClock(opts.now ?? new Date('2026-12-01T00:00:00Z'));
  const ws: ImportWorkspace = {
    path: (...parts) => join(dir(), ...parts),
    dataDir: () => join(dir(), 'data'),
    clock,
    async query(sql, dataDir = ws.dataDir()) {
      const wh = await DuckDbWarehouse.open(dataDir);
      try {
        return (await wh.query(raw(sql))).rows; // a test's own SQL text
      } finally {
        await wh.close();
      }
    },
    async write(name, content, opts = {}) {
      const file = ws.path(name);
      await writeFile(file, opts.gbk && typeof content === 'string' ? iconv.encode(content, 'gbk') : content);
      return file;
    },
    importOrders: (opts) =>
      importOrders({
        dataDir: ws.dataDir(),
        rejectsFile: ws.path(`${basename(opts.file)}.rejects.csv`),
        clock,
        ...opts,
      }),
    async importFile(name, content, format, opts = {}) {
      const file = await ws.write(name, content, { gbk: opts.gbk ?? false });
      const mappingFile =
        opts.mapping === undefined ? opts.mappingFile : await ws.write(`${name}.yaml`, opts.mapping);
      const result = await ws.importOrders({ file, format, mappingFile });
      expect(result.read, 'every row read is imported or rejected').toBe(result.imported + result.rejected);
      return result;
    },
  };
  return ws;
}

/**
 * One line of an order feed (`--format order-events`): event `event` at `at` for an order of 50 (one item,
 * sku s) by customer c-1; `order` sets or overrides any field of the order (createdAt, paidAt, amount …).
 */
export function orderEvent(orderId: string, event: string, at: string, order: Record<string, unknown> = {}) {
  return JSON.stringify({
    event,
    at,
    order: {
      orderId,
      customerId: 'c-1',
      amount: 50,
      items: [{ sku: 's', quantity: 1, unitPrice: 50 }],
      ...order,
    },
  });
}
