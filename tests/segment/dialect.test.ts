import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupResponseSql } from '../../shared/delivery/rollout/group-response-sql.ts';
import { pilotResponseSql } from '../../shared/delivery/rollout/pilot-response-sql.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { sqlInterval, sqlString, sqlTimestamp } from '../../shared/lake/sql-literals.ts';
import { bucketSql } from '../../shared/segment/dialect.ts';
import { stableBucket } from '../../shared/segment/stable-bucket.ts';

let wh: DuckDbWarehouse;
const trino = new TrinoSQL();
const valid = (sql: string) => trino.validate(sql).map((e) => e.message);

beforeAll(async () => {
  wh = await DuckDbWarehouse.open('/nonexistent-lake-for-dialect-tests');
});
afterAll(async () => {
  await wh.close();
});

describe('dialect: bucketSql', () => {
  const keys = ['d11:c00000001', 'pilot:c00012345', '双11:客户', "it's:x"];

  it('DuckDB form gives the same bucket as TypeScript', async () => {
    for (const key of keys) {
      const { rows } = await wh.query(sql`SELECT ${bucketSql('duckdb', sqlString(key))} AS b`);
      expect(Number(rows[0]?.b)).toBe(stableBucket(key));
    }
  });

  it('Trino form parses, uses only Trino functions, and DuckDB’s form is not Trino', () => {
    expect(valid(`SELECT ${bucketSql('trino', sqlString('x'))} AS b`)).toEqual([]);
    expect(bucketSql('trino', sqlString('x'))).toBe(
      "(from_base(substr(to_hex(md5(to_utf8('x'))), 1, 8), 16) % 10000)",
    );
    // DuckDB's md5 takes a string; Trino's takes varbinary, hence to_utf8/to_hex there.
    expect(bucketSql('duckdb', sqlString('x'))).not.toContain('to_utf8');
  });
});

describe('forms both engines accept (no dialect entry needed)', () => {
  it('timestamp literals and interval arithmetic', async () => {
    const expr = sql`${sqlTimestamp(new Date('2026-11-10T16:00:00Z'))} - ${sqlInterval(90 * 86_400_000)}`;
    expect(valid(`SELECT ${expr} AS t`)).toEqual([]);
    const { rows } = await wh.query(sql`SELECT CAST(${expr} AS VARCHAR) AS t`);
    expect(rows[0]?.t).toBe('2026-08-12 16:00:00');
  });

  it('rejects the DuckDB-only forms the compiler avoids', () => {
    expect(valid('SELECT * FROM customers GROUP BY ALL')).not.toEqual([]);
    expect(valid("SELECT * FROM read_parquet('x.parquet')")).not.toEqual([]);
  });
});

describe('dialect: the rollout decision’s queries (Athena runs them at the rollout’s start)', () => {
  it('the pilot’s per-variant and per-group responses parse as Trino', () => {
    const at = new Date('2027-03-09T02:00:00Z');
    expect(valid(pilotResponseSql('spring', 'pilot', at))).toEqual([]);
    expect(valid(groupResponseSql('spring', 'pilot', at))).toEqual([]);
  });
});
