import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { raw } from '../../shared/lake/sql.ts';
import { sqlString } from '../../shared/lake/sql-literals.ts';
import { segmentSql } from '../../shared/segment/compile-segment.ts';
import type { Rule } from '../../shared/segment/segment-schema.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { FIXTURE, RUN_AT } from './fixture-shop.ts';

let wh: DuckDbWarehouse;
const trino = new TrinoSQL();
const ctx = {
  runAt: RUN_AT,
  timeZone: 'Asia/Shanghai',
  campaignId: "d11'; --",
  segments: {},
  dialect: 'duckdb' as const,
};

beforeAll(async () => {
  wh = await DuckDbWarehouse.open(await writeFixtureLake(FIXTURE));
});
afterAll(async () => {
  await wh.close();
});

const HOSTILE = [
  "广东省' OR '1'='1",
  "x'); DROP TABLE customers; --",
  "广东省' -- ",
  "/* */' OR true OR '",
  'back\\slash\\',
  '',
];

describe('config values enter SQL as literals', () => {
  it('doubles quotes, so quotes, semicolons and comments stay inside the string', () => {
    expect(sqlString("a'b")).toBe("'a''b'");
    expect(sqlString('a;--b/*c')).toBe("'a;--b/*c'");
    expect(() => sqlString('a\u0000b')).toThrow(/NUL/);
  });

  it.each(HOSTILE)('a hostile province %j matches nothing and leaves one valid statement', async (value) => {
    const rule: Rule = { region: { provinces: [value] } };
    const sql = segmentSql(rule, ctx);
    expect(trino.validate(segmentSql(rule, { ...ctx, dialect: 'trino' })).map((e) => e.message)).toEqual([]);
    const { rows } = await wh.query(sql);
    expect(rows).toEqual([]);
    const { rows: customers } = await wh.query(raw('SELECT count(*) AS n FROM customers'));
    expect(customers).toEqual([{ n: 8 }]);
  });

  it('a hostile value that is a real province still matches exactly that province', async () => {
    const rule: Rule = {
      any: [{ region: { provinces: ['广东省'] } }, { acquisitionChannel: ["聚划算' OR 'a'='a"] }],
    };
    const { rows } = await wh.query(segmentSql(rule, ctx));
    expect(rows.map((r) => r.customer_id).sort()).toEqual(['c02', 'c05']);
  });

  it('the campaign id in message-history predicates is a literal too', async () => {
    const { rows } = await wh.query(
      segmentSql({ messageHistory: { waves: ['preheat'], event: 'sent' } }, ctx),
    );
    expect(rows).toEqual([]);
  });
});
