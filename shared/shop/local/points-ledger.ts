import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expireDays, type PointsRule } from '../../campaign/loyalty-schema.ts';
import { columnList } from '../../lake/column-list.ts';
import type { DuckDbSession } from '../../lake/local/duckdb-session.ts';
import { type Sql, sql } from '../../lake/sql.ts';
import { sqlNumber, sqlString } from '../../lake/sql-literals.ts';
import { POINTS_LEDGER } from '../../lake/tables.ts';

const DAY_MS = 86_400_000;
const COLUMNS = columnList(POINTS_LEDGER);

/**
 * Rebuilds the points ledger in `db` as the table `points_ledger_new` (the lake's columns): one accrual per
 * paid order (`orders`: a relation with order_id, customer_id, status, amount, paid_at) — floor(amount ×
 * perYuan), at the payment — plus the redemptions and adjustments in `kept` (a relation with the ledger's
 * columns; other reasons in it are ignored), plus, when points expire, the expiries: each accrual's points
 * not redeemed by then expire `expireAfter` after they were earned, oldest first (a redemption uses the
 * oldest unexpired points). The same orders and redemptions give the same rows, so rebuilding on every
 * import never accrues twice. Writes the ledger as the lake's points_ledger folder in `staging` (to be
 * swapped in) and returns its rows and that folder.
 */
export async function rebuildPointsLedger(
  db: DuckDbSession,
  opts: { orders: Sql; kept: Sql; rule: PointsRule; staging: string },
): Promise<{ rows: number; folder: string }> {
  await db.run(sql`CREATE OR REPLACE TABLE points_ledger_new AS
    SELECT 'accrue:' || order_id AS entry_id, customer_id, order_id,
      CAST(floor(amount * ${sqlNumber(opts.rule.perYuan)}) AS BIGINT) AS points, 'accrue' AS reason,
      paid_at AS occurred_at, 'orders' AS source
    FROM ${opts.orders} o
    WHERE status = 'paid' AND paid_at IS NOT NULL AND floor(amount * ${sqlNumber(opts.rule.perYuan)}) > 0
    UNION ALL
    SELECT ${COLUMNS} FROM ${opts.kept} k WHERE reason IN ('redeem', 'adjust')`);
  const days = expireDays(opts.rule);
  if (days !== null) await addExpiries(db, days, opts.staging);
  const folder = join(opts.staging, POINTS_LEDGER.name);
  await mkdir(folder, { recursive: true });
  await db.run(
    sql`COPY (SELECT ${COLUMNS} FROM points_ledger_new ORDER BY customer_id, occurred_at, entry_id) TO ${sqlString(join(folder, 'part-0.parquet'))} (FORMAT parquet)`,
  );
  const rows = await db.count(sql`SELECT count(*) FROM points_ledger_new`);
  return { rows, folder };
}

interface Lot {
  entryId: string;
  at: number;
  left: number;
}

/** Appends the expiry rows of every customer's lots, oldest first (FIFO), streamed customer by customer. */
async function addExpiries(db: DuckDbSession, days: number, staging: string): Promise<void> {
  const file = join(staging, 'points-expiries.jsonl');
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  const ttl = days * DAY_MS;
  let customer: string | null = null;
  let lots: Lot[] = [];
  const expireUpTo = async (t: number) => {
    while (lots.length > 0 && (lots[0] as Lot).at + ttl <= t) {
      const lot = lots.shift() as Lot;
      if (lot.left > 0)
        await write(
          `${JSON.stringify({
            entry_id: `expire:${lot.entryId}`,
            customer_id: customer,
            order_id: null,
            points: -lot.left,
            reason: 'expire',
            occurred_at: new Date(lot.at + ttl).toISOString().replace('T', ' ').replace('Z', ''),
            source: 'rule',
          })}\n`,
        );
    }
  };
  const result = await db.stream(sql`SELECT customer_id, entry_id, points, epoch_ms(occurred_at) AS t
    FROM points_ledger_new WHERE occurred_at IS NOT NULL ORDER BY customer_id, occurred_at, points DESC, entry_id`);
  for await (const chunk of result.yieldRowsJs()) {
    for (const [c, entryId, points, t] of chunk) {
      const at = Number(t);
      if (c !== customer) {
        await expireUpTo(Number.POSITIVE_INFINITY);
        customer = String(c);
        lots = [];
      }
      await expireUpTo(at);
      const n = Number(points);
      if (n > 0) lots.push({ entryId: String(entryId), at, left: n });
      else {
        let use = -n;
        for (const lot of lots) {
          if (use === 0) break;
          const taken = Math.min(lot.left, use);
          lot.left -= taken;
          use -= taken;
        }
      }
    }
  }
  await expireUpTo(Number.POSITIVE_INFINITY);
  out.end();
  await once(out, 'finish');
  await db.run(sql`INSERT INTO points_ledger_new SELECT ${COLUMNS} FROM read_json(${sqlString(file)},
    format = 'newline_delimited', columns = {entry_id: 'VARCHAR', customer_id: 'VARCHAR', order_id: 'VARCHAR',
      points: 'BIGINT', reason: 'VARCHAR', occurred_at: 'TIMESTAMP', source: 'VARCHAR'})`);
}
