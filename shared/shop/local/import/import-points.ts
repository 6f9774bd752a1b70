import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { PointsRule } from '../../../campaign/loyalty-schema.ts';
import { DataError } from '../../../errors.ts';
import { columnList } from '../../../lake/column-list.ts';
import { tableDir } from '../../../lake/lake-paths.ts';
import { tableSource } from '../../../lake/local/duckdb-warehouse.ts';
import { swapFolders } from '../../../lake/local/lake-swap.ts';
import { col, rowDecoder } from '../../../lake/row-decoder.ts';
import { sql } from '../../../lake/sql.ts';
import { sqlString } from '../../../lake/sql-literals.ts';
import { CUSTOMERS, ORDERS, POINTS_LEDGER } from '../../../lake/tables.ts';
import { rebuildPointsLedger } from '../points-ledger.ts';
import { inImportSession } from './import-session.ts';
import { type FileImportResult, ImportStaging } from './import-staging.ts';
import { customerIdFrom, parseTimestamp } from './imported-order.ts';
import { columnsByAlias, openCsv, refuseMissingColumns } from './read-csv.ts';

/** Our field → the headers a points file may use for it. A customer column and points are needed. */
export const POINTS_COLUMNS = {
  customer_id: ['customer_id', '客户编号'],
  nickname: ['买家会员名', 'nickname'],
  points: ['points', '积分'],
  reason: ['reason', '类型'],
  at: ['at', '时间'],
  reference: ['reference', '单号', '兑换单号'],
} as const;

const REASONS: Record<string, 'redeem' | 'adjust'> = {
  redeem: 'redeem',
  兑换: 'redeem',
  使用: 'redeem',
  adjust: 'adjust',
  调整: 'adjust',
};

export interface PointsImportResult extends FileImportResult {
  redeemed: number;
  adjusted: number;
  /** Rows of the rebuilt ledger. */
  ledgerRows: number;
}

const entryCounts = rowDecoder('the points entries imported', { redeemed: col.number, adjusted: col.number });

/**
 * Records points the customers redeemed (or the shop adjusted): each row names a customer (by id or Taobao
 * nickname), the points (a redemption's are taken off, an adjustment's are added as signed), when, and
 * optionally a reference (兑换单号). The ledger is then rebuilt from the lake's paid orders under the shop's
 * points rule, the redemptions already recorded and these: a row with the same reference (or, without one,
 * the same customer, points and time) replaces the earlier one, so importing a file twice changes nothing.
 * A customer not in the lake is rejected.
 */
export async function importPoints(opts: {
  file: string;
  rejectsFile: string;
  dataDir: string;
  rule: PointsRule | undefined;
  now: Date;
  timeZone?: string;
}): Promise<PointsImportResult> {
  const rule = opts.rule;
  if (!rule)
    throw new DataError(
      `${opts.file}: the shop has no points rule; add points: { perYuan: 1 } to contact-policy.yaml (or pass --policy)`,
    );
  const zone = opts.timeZone ?? 'Asia/Shanghai';
  return inImportSession(opts.dataDir, async ({ db, staging }) => {
    const csv = await openCsv(opts.file);
    const header = columnsByAlias(csv.headers, POINTS_COLUMNS);
    const missing = [
      header.customer_id || header.nickname ? null : 'a customer column (customer_id, 客户编号, 买家会员名)',
      header.points ? null : 'points (积分)',
    ];
    refuseMissingColumns(opts.file, csv.headers, missing);
    return new ImportStaging(staging, opts.rejectsFile, csv.headers, 'whole').within(async (out) => {
      const staged = join(staging, 'points.jsonl');
      const file = createWriteStream(staged);
      const source = (opts.file.split(/[\\/]/).at(-1) ?? 'import').slice(0, 200);
      let read = 0;
      for await (const row of csv.rows) {
        read++;
        const get = (k: keyof typeof POINTS_COLUMNS) => {
          const h = header[k];
          return h ? (row.values[h] ?? '').trim() : '';
        };
        const id = get('customer_id') || (get('nickname') ? customerIdFrom('tb', get('nickname')) : '');
        const reasonText = get('reason');
        const reason = reasonText ? REASONS[reasonText.toLowerCase()] : 'redeem';
        const pointsText = get('points');
        const n = /^[+-]?\d{1,12}$/.test(pointsText) ? Number(pointsText) : Number.NaN;
        const atText = get('at');
        const at = atText ? parseTimestamp(atText, zone) : { ok: true as const, value: opts.now };
        let problem: string | null = null;
        if (!id)
          problem = `${[header.customer_id, header.nickname].filter(Boolean).join(', ')}: empty, cannot tell whose points`;
        else if (!reason)
          problem = `${header.reason}: "${reasonText}" is not a reason; expected redeem (兑换, 使用) or adjust (调整)`;
        else if (!Number.isSafeInteger(n) || n === 0 || (reason === 'redeem' && n < 0))
          problem = `${header.points}: expected ${reason === 'redeem' ? 'the points redeemed, a whole number above 0' : 'the points added (or, negative, taken off), a whole number other than 0'}, got "${pointsText}"`;
        else if (!at.ok) problem = `${header.at}: ${at.problem}`;
        else if (at.value.getTime() > opts.now.getTime() + 86_400_000)
          problem = `${header.at}: ${at.value.toISOString()} is in the future`;
        if (problem || !at.ok || !reason) {
          await out.reject(row, problem ?? 'unreadable');
          continue;
        }
        const points = reason === 'redeem' ? -n : n;
        const atSql = at.value.toISOString().replace('T', ' ').replace('Z', '');
        const reference = get('reference').slice(0, 200);
        const key =
          reference || createHash('sha256').update(`${id}|${points}|${atSql}`).digest('hex').slice(0, 16);
        const entry = {
          line: row.line,
          cells: row.cells,
          entry_id: `${reason}:${key}`,
          customer_id: id,
          order_id: reference || null,
          points,
          reason,
          occurred_at: atSql,
          source,
        };
        if (!file.write(`${JSON.stringify(entry)}\n`)) await once(file, 'drain');
      }
      file.end();
      await once(file, 'finish');
      await out.closeOrders();

      const customers = tableSource(opts.dataDir, CUSTOMERS);
      await db.run(sql`CREATE TABLE staged AS SELECT s.*,
          s.customer_id IN (SELECT customer_id FROM ${customers}) AS known
        FROM read_json(${sqlString(staged)}, format = 'newline_delimited', columns = {line: 'BIGINT',
          cells: 'VARCHAR[]', entry_id: 'VARCHAR', customer_id: 'VARCHAR', order_id: 'VARCHAR', points: 'BIGINT',
          reason: 'VARCHAR', occurred_at: 'TIMESTAMP', source: 'VARCHAR'}) s`);
      await out.rejectAll(
        db,
        sql`SELECT line, cells, 'no customer in the lake with this id or nickname' AS reason FROM staged WHERE NOT known ORDER BY line`,
      );
      // One row per entry: a later line with the same entry id replaces an earlier one.
      await db.run(sql`CREATE TABLE inc AS SELECT entry_id, customer_id, order_id, points, reason, occurred_at, source
        FROM (SELECT *, row_number() OVER (PARTITION BY entry_id ORDER BY line DESC) AS k FROM staged WHERE known)
        WHERE k = 1`);
      const counts = entryCounts(
        (
          await db.rows(
            sql`SELECT count(*) FILTER (WHERE reason = 'redeem') AS redeemed, count(*) FILTER (WHERE reason = 'adjust') AS adjusted FROM inc`,
          )
        )[0] ?? {},
      );
      const cols = columnList(POINTS_LEDGER);
      const kept = sql`(SELECT ${cols} FROM ${tableSource(opts.dataDir, POINTS_LEDGER)}
        WHERE entry_id NOT IN (SELECT entry_id FROM inc) UNION ALL SELECT ${cols} FROM inc)`;
      const ledger = await rebuildPointsLedger(db, {
        orders: tableSource(opts.dataDir, ORDERS),
        kept,
        rule,
        staging,
      });
      await swapFolders(opts.dataDir, [
        { target: tableDir(opts.dataDir, POINTS_LEDGER.name), next: ledger.folder },
      ]);
      return {
        ...(await out.report(opts.file, csv.encoding, read)),
        redeemed: counts.redeemed,
        adjusted: counts.adjusted,
        ledgerRows: ledger.rows,
      };
    });
  });
}
