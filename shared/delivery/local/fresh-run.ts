import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../clock.ts';
import { tableDir } from '../../lake/lake-paths.ts';
import { DuckDbWarehouse } from '../../lake/local/duckdb-warehouse.ts';
import { type FolderSwap, stagingFolder, swapFolders } from '../../lake/local/lake-swap.ts';
import { StagedParquetWriter } from '../../lake/local/staged-parquet-writer.ts';
import { ident, type Sql, sql } from '../../lake/sql.ts';
import { sqlString } from '../../lake/sql-literals.ts';
import {
  ATTRIBUTION,
  EVENTS,
  ORDERS,
  ROLLOUT_DECISIONS,
  SENDS,
  SUPPRESSIONS,
  type TableDef,
} from '../../lake/tables.ts';
import { forgetCampaignChange } from '../contact-policy/claim.ts';
import { JournalContactStore } from '../contact-policy/local/journal-contact-store.ts';
import { JournalWaveRunStore } from '../wave-runs/local/journal-wave-run-store.ts';
import { statePaths } from './local-adapters.ts';

export interface FreshReport {
  customers: number;
  sends: number;
  events: number;
  orders: number;
}

/**
 * `campaign run --fresh`: forgets one campaign's previous runs on this machine, so it can run again from
 * the start — its wave runs, its claims, contacts and reservations in the contact store, its rows in the
 * sends, events, attribution and rollout_decisions tables, the simulated orders it caused, and its messages in the outbox.
 * Other campaigns are left as they are. Suppressions stay (an unsubscribe is the customer's, whatever the
 * run that caused it).
 */
export async function forgetCampaignLocally(
  dataDir: string,
  campaignId: string,
  clock: Clock,
): Promise<FreshReport> {
  for (const table of [SENDS, EVENTS, ORDERS, SUPPRESSIONS, ROLLOUT_DECISIONS])
    await StagedParquetWriter.recoverStaged(dataDir, table);
  // The tables first, all swapped in together: if that fails, nothing is forgotten yet.
  const id = sqlString(campaignId);
  const simulated = `sim-${campaignId}-`;
  const removed = await removeRows(dataDir, [
    [SENDS, sql`campaign_id = ${id}`],
    [EVENTS, sql`campaign_id = ${id} OR starts_with(send_id, ${sqlString(`${campaignId}/`)})`],
    // sim-<campaign>-<16 hex> (simulate-responses.ts): not another campaign's whose id starts with ours.
    [
      ORDERS,
      sql`starts_with(order_id, ${sqlString(simulated)}) AND length(order_id) = ${simulated.length + 16}`,
    ],
    [ATTRIBUTION, sql`campaign_id = ${id}`],
    [ROLLOUT_DECISIONS, sql`campaign_id = ${id}`],
  ]);
  const paths = statePaths(dataDir);
  const runs = new JournalWaveRunStore(paths.runs);
  await runs.clear(campaignId);
  await runs.close();
  const contacts = new JournalContactStore(paths.contacts);
  const ids = contacts.customerIds();
  let customers = 0;
  for (let i = 0; i < ids.length; i += 5_000) {
    const changed = await contacts.apply(
      ids.slice(i, i + 5_000).map((id) => forgetCampaignChange(id, campaignId, clock.now())),
    );
    customers += changed.filter(Boolean).length;
  }
  await contacts.close();

  forgetOutbox(paths.outbox, campaignId);
  return {
    customers,
    sends: removed.get(SENDS.name) ?? 0,
    events: removed.get(EVENTS.name) ?? 0,
    orders: removed.get(ORDERS.name) ?? 0,
  };
}

/**
 * Rewrites each table without the rows matching its condition (only tables that have any), staged beside
 * the lake and swapped in together (lake-swap.ts): a failure or a crash leaves every table as it was.
 * Returns how many rows went from each table.
 */
async function removeRows(dataDir: string, tables: readonly [TableDef, Sql][]): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  const staging = await stagingFolder(dataDir);
  try {
    const swaps: FolderSwap[] = [];
    const wh = await DuckDbWarehouse.open(dataDir);
    try {
      for (const [table, where] of tables) {
        const dir = tableDir(dataDir, table.name);
        if (!existsSync(dir)) continue;
        const name = ident(table.name);
        const { rows } = await wh.query(sql`SELECT count(*) AS n FROM ${name} WHERE ${where}`);
        const n = Number(rows[0]?.n ?? 0);
        removed.set(table.name, n);
        if (n === 0) continue;
        const next = join(staging, table.name);
        const keep = sql`SELECT * FROM ${name} WHERE NOT (${where})`;
        if (!table.partition) mkdirSync(next);
        await wh.session.run(
          table.partition
            ? sql`COPY (${keep}) TO ${sqlString(next)} (FORMAT parquet, PARTITION_BY (dt))`
            : sql`COPY (${keep}) TO ${sqlString(join(next, 'part-0.parquet'))} (FORMAT parquet)`,
        );
        swaps.push({ target: dir, next });
      }
    } finally {
      await wh.close();
    }
    await swapFolders(dataDir, swaps);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return removed;
}

function forgetOutbox(outbox: string, campaignId: string): void {
  const email = join(outbox, 'email');
  const ours = (sendId: string) => sendId.startsWith(`${campaignId}/`);
  if (existsSync(email)) {
    for (const f of readdirSync(email))
      if (f.startsWith(`${campaignId.replace(/[^A-Za-z0-9_.-]/g, '_')}_`)) rmSync(join(email, f));
  }
  for (const file of [join(email, 'index.jsonl'), join(outbox, 'sms.jsonl')]) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const keep = lines.filter((l) => !ours(String((JSON.parse(l) as { sendId: string }).sendId)));
    // A new file renamed over the old: a crash leaves one or the other whole (recovery reads these).
    writeFileSync(`${file}.next`, keep.length ? `${keep.join('\n')}\n` : '');
    renameSync(`${file}.next`, file);
  }
  const calls = join(outbox, 'call-list');
  if (existsSync(calls))
    for (const f of readdirSync(calls))
      if (f.startsWith(`${campaignId.replace(/[^A-Za-z0-9_.-]/g, '_')}__`)) rmSync(join(calls, f));
}
