import { describe, expect, expectTypeOf, it } from 'vitest';
import { DuckDbSession } from '../../shared/lake/local/duckdb-session.ts';
import { col, RowShapeError, rowDecoder } from '../../shared/lake/row-decoder.ts';
import { ident, joinSql, raw, type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlString, sqlTimestamp } from '../../shared/lake/sql-literals.ts';

describe('the sql tag', () => {
  it('splices Sql fragments and writes numbers and booleans as literals', () => {
    const id = sqlString("o'brien; DROP TABLE orders --");
    expect(
      sql`SELECT * FROM sends WHERE campaign_id = ${id} AND n > ${3} AND ok = ${true} LIMIT ${10n}`,
    ).toBe(
      "SELECT * FROM sends WHERE campaign_id = 'o''brien; DROP TABLE orders --' AND n > 3 AND ok = TRUE LIMIT 10",
    );
  });

  it('refuses a plain string at compile time, and a value typed away from the compiler at run time', () => {
    const name = 'x';
    // @ts-expect-error a plain string is not Sql: it must go through sqlString (a literal) or raw()
    sql`SELECT ${name}`;
    const hidden = undefined as unknown as Sql;
    expect(() => sql`SELECT ${hidden}`).toThrow('a SQL template was given undefined, not SQL');
    expect(() => sql`LIMIT ${Number.NaN}`).toThrow('not a finite number for SQL: NaN');
    expectTypeOf(sql`SELECT 1`).toEqualTypeOf<Sql>();
  });

  it('joins fragments, takes plain names only, and marks text that is SQL already with raw()', () => {
    expect(joinSql([sql`a`, sql`b`])).toBe('a, b');
    expect(joinSql([sql`x = 1`, sql`y = 2`], sql` AND `)).toBe('x = 1 AND y = 2');
    expect(ident('customer_id')).toBe('customer_id');
    expect(() => ident('id; DROP')).toThrow('not a plain SQL name: "id; DROP"');
    expect(() => ident('"quoted"')).toThrow('not a plain SQL name');
    expect(raw('SELECT 42')).toBe('SELECT 42');
  });

  it('builds statements DuckDB runs with hostile values kept as text', async () => {
    const db = await DuckDbSession.open({ threads: 1 });
    try {
      const hostile = "店铺 o'brien'); DROP TABLE t; --";
      await db.run(
        sql`CREATE TABLE t AS SELECT ${sqlString(hostile)} AS name, ${sqlTimestamp(new Date('2026-11-11T00:00:00Z'))} AS sent`,
      );
      expect(await db.rows(sql`SELECT name, CAST(sent AS VARCHAR) AS sent FROM t`)).toEqual([
        { name: hostile, sent: '2026-11-11 00:00:00' },
      ]);
      expect(await db.count(sql`SELECT count(*) FROM t`)).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe('row decoders', () => {
  const audienceRow = rowDecoder('the wave audience', {
    customer_id: col.text,
    channel: col.optionalOneOf(['email', 'sms']),
    points: col.number,
  });

  it('return the typed columns, reading the numbers Athena returns as text', () => {
    expect(audienceRow({ customer_id: 'c1', channel: null, points: '12', extra: 1 })).toEqual({
      customer_id: 'c1',
      channel: null,
      points: 12,
    });
    expectTypeOf<ReturnType<typeof audienceRow>['channel']>().toEqualTypeOf<'email' | 'sms' | null>();
  });

  it('fail naming the query and the column, never the value', () => {
    const bad = () => audienceRow({ customer_id: '13800138000', channel: 'fax', points: 1 });
    expect(bad).toThrow(RowShapeError);
    expect(bad).toThrow(
      'the wave audience: column channel expected one of email, sms or NULL, got text of 3 characters',
    );
    expect(() => audienceRow({ customer_id: 1, channel: null, points: 1 })).toThrow(
      'column customer_id expected text, got number',
    );
    expect(() => audienceRow({ channel: null, points: 1 })).toThrow(
      'column customer_id expected text, got no such column',
    );
    expect(() => audienceRow({ customer_id: 'c', channel: null, points: 'many' })).toThrow(
      'expected a number',
    );
  });
});
