import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { onSwapStep } from '../../shared/lake/local/swap-steps.ts';
import { sql } from '../../shared/lake/sql.ts';
import { importOrders } from '../../shared/shop/local/import/import-orders.ts';

const execFileAsync = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-crash-'));
});
afterAll(async () => {
  onSwapStep(null);
  await wh?.close();
  await rm(dir, { recursive: true, force: true });
});

const event = (id: string, customer: string, createdAt: string, amount: number) =>
  JSON.stringify({
    event: 'paid',
    at: createdAt,
    order: {
      orderId: id,
      customerId: customer,
      createdAt,
      amount,
      customer: { name: `name of ${customer}` },
      items: [{ sku: `sku-${id}`, category: 'tshirt', quantity: 1, unitPrice: amount }],
    },
  });

/** An order feed of `events`, written to `name` in the test folder: its path. */
async function feedFile(name: string, events: string[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, events.join('\n'));
  return file;
}

const importFeed = (file: string, dataDir: string) =>
  importOrders({ file, format: 'order-events', rejectsFile: join(dir, 'r.csv'), dataDir });

let wh: DuckDbWarehouse;
/** Every row of the tables an import rewrites, in a stable order (the views' refresh recovers a swap). */
async function lakeRows(dataDir: string): Promise<string> {
  wh ??= await DuckDbWarehouse.open(dataDir);
  await wh.refreshViews(dataDir);
  return JSON.stringify({
    orders: (await wh.query(sql`SELECT order_id, customer_id, amount, dt FROM orders ORDER BY order_id`))
      .rows,
    items: (await wh.query(sql`SELECT order_id, sku, unit_price, dt FROM order_items ORDER BY order_id`))
      .rows,
    customers: (await wh.query(sql`SELECT customer_id, name FROM customers ORDER BY customer_id`)).rows,
  });
}

/** Runs a child that is killed at step k; true when it was killed. */
async function killedAt(
  script: string,
  args: string[],
  k: number,
): Promise<{ killed: boolean; steps: number }> {
  return execFileAsync(process.execPath, [script, ...args, String(k)]).then(
    (r) => ({ killed: false, steps: (JSON.parse(r.stdout) as { steps: number }).steps }),
    (e: { signal?: string }) => {
      if (e.signal !== 'SIGKILL') throw e;
      return { killed: true, steps: k };
    },
  );
}

describe('a crash while an import swaps lake folders', () => {
  it('leaves, after recovery, every row of the old lake or every row of the new, at every step', async () => {
    // Old lake: orders in September, October and November. The import moves T-1 to November (its month
    // changes), changes T-2's amount, adds T-9 with a new customer and moves T-5, September's only order,
    // to November: October and November are rewritten, September removed, with their lines, and the
    // customers rewritten.
    // Before the swap was crash-safe, a kill between removing October and renaming its rewrite lost T-1 and T-2.
    const oldDir = join(dir, 'old');
    const before = await feedFile('before.jsonl', [
      event('T-1', 'c-1', '2026-10-05T10:00:00+08:00', 10),
      event('T-2', 'c-2', '2026-10-06T10:00:00+08:00', 20),
      event('T-3', 'c-1', '2026-11-07T10:00:00+08:00', 30),
      event('T-4', 'c-3', '2026-11-08T10:00:00+08:00', 40),
      event('T-5', 'c-3', '2026-09-08T10:00:00+08:00', 50),
    ]);
    await importFeed(before, oldDir);
    const update = await feedFile('update.jsonl', [
      event('T-1', 'c-1', '2026-11-01T10:00:00+08:00', 11),
      event('T-2', 'c-2', '2026-10-06T10:00:00+08:00', 22),
      event('T-9', 'c-9', '2026-11-09T10:00:00+08:00', 90),
      event('T-5', 'c-3', '2026-11-10T10:00:00+08:00', 50),
    ]);

    // The import itself, watched: when its swap starts, the data folder (lake and staged rewrites) is kept
    // as a template, and the swap's moves are read from its journal.
    const newDir = join(dir, 'new');
    const template = join(dir, 'template');
    const swapsFile = join(dir, 'swaps.json');
    await cp(oldDir, newDir, { recursive: true });
    const steps: string[] = [];
    onSwapStep((step) => {
      steps.push(step);
      if (step === 'sync new folders')
        cpSync(newDir, template, { recursive: true, filter: (f) => !f.endsWith('.lake-swap/lock') }); // our own lock
      if (step === 'commit journal') {
        const journal = JSON.parse(readFileSync(join(newDir, '.lake-swap', 'journal.json.tmp'), 'utf8')) as {
          moves: { target: string; next: string | null }[];
        };
        writeFileSync(swapsFile, JSON.stringify(journal.moves.map(({ target, next }) => ({ target, next }))));
      }
    });
    await importFeed(update, newDir);
    onSwapStep(null);
    const oldRows = await lakeRows(oldDir);
    const newRows = await lakeRows(newDir);
    expect(newRows).not.toEqual(oldRows);
    expect(steps.filter((s) => s.startsWith('move'))).toEqual([
      'move aside lake/orders/dt=2026-09',
      'move aside lake/orders/dt=2026-10',
      'move in lake/orders/dt=2026-10',
      'move aside lake/orders/dt=2026-11',
      'move in lake/orders/dt=2026-11',
      'move aside lake/order_items/dt=2026-09',
      'move aside lake/order_items/dt=2026-10',
      'move in lake/order_items/dt=2026-10',
      'move aside lake/order_items/dt=2026-11',
      'move in lake/order_items/dt=2026-11',
      'move aside lake/customers',
      'move in lake/customers',
    ]);

    // The same swap on a copy of the template, killed at each of its steps in turn.
    const ks = steps.map((_, i) => i + 1);
    const children = ks.map(async (k) => {
      const dataDir = join(dir, `swap-${k}`);
      await cp(template, dataDir, { recursive: true });
      return {
        k,
        dataDir,
        ...(await killedAt('tests/helpers/swap-crashing-at.ts', [dataDir, swapsFile], k)),
      };
    });
    const all = await Promise.all(children);
    const outcomes: string[] = [];
    for (const child of all) {
      const { k, dataDir } = child;
      expect(child.killed, `swap killed at step ${k} (${steps[k - 1]})`).toBe(true);
      const rows = await lakeRows(dataDir);
      outcomes.push(rows === newRows ? 'new' : rows === oldRows ? 'old' : `mixed: ${rows}`);
      expect(await readdir(join(dataDir, '.lake-swap'))).not.toContain('journal.json');
    }
    // Killed before the journal is committed: the old lake; after: the new one, whole.
    const committed = steps.indexOf('commit journal') + 1;
    expect(outcomes).toEqual(steps.map((_, i) => (i + 1 <= committed ? 'old' : 'new')));

    // End to end: the import in a child process, killed between moving a month aside and moving its
    // rewrite in (where rows used to be lost); the next open of the lake completes the swap.
    const crashDir = join(dir, 'import-killed');
    await cp(oldDir, crashDir, { recursive: true });
    const k = steps.indexOf('move in lake/orders/dt=2026-10') + 1;
    expect(await killedAt('tests/helpers/import-crashing-at.ts', [crashDir, update], k)).toEqual({
      killed: true,
      steps: k,
    });
    expect(await lakeRows(crashDir)).toEqual(newRows);
  });
});
