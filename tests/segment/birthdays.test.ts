import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { birthdaysWithin } from '../../shared/segment/birthdays.ts';
import { type SegmentContext, segmentSql } from '../../shared/segment/compile-segment.ts';
import { Rule } from '../../shared/segment/segment-schema.ts';
import { importOrders } from '../../shared/shop/local/import/import-orders.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/** Birthdays: the field, `birthday: { within }` and `birthdayMonth`, in the campaign's zone. */
const ZONE = 'Asia/Shanghai';

describe('birthdays within days of the run', () => {
  it('counts from the run’s local date, crosses the year end, and puts 02-29 on 02-28 in other years', () => {
    // 2026-12-30 18:00 UTC is already 12-31 in Shanghai.
    expect(birthdaysWithin(new Date('2026-12-30T18:00:00Z'), ZONE, 2)).toEqual(['12-31', '01-01', '01-02']);
    expect(birthdaysWithin(new Date('2027-02-26T04:00:00Z'), ZONE, 2)).toEqual([
      '02-26',
      '02-27',
      '02-28',
      '02-29',
    ]);
    // 2028 has a 29 February: it comes on its own day, not with the 28th.
    expect(birthdaysWithin(new Date('2028-02-27T04:00:00Z'), ZONE, 1)).toEqual(['02-27', '02-28']);
    expect(birthdaysWithin(new Date('2028-02-27T04:00:00Z'), ZONE, 2)).toEqual(['02-27', '02-28', '02-29']);
    expect(birthdaysWithin(new Date('2026-06-01T04:00:00Z'), ZONE, 0)).toEqual(['06-01']);
  });

  it('refuses a window that is not whole days or longer than a year', () => {
    const problems = (within: string) => {
      const r = Rule.safeParse({ birthday: { within } });
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    expect(problems('7d')).toEqual([]);
    expect(problems('12h')).toEqual(['expected whole days, e.g. 7d']);
    expect(problems('400d')).toEqual(['expected at most 366d']);
  });
});

describe('birthday predicates', () => {
  let dataDir: string;
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    dataDir = await writeFixtureLake({
      customers: [
        { customer_id: 'a', birthday: '02-26' },
        { customer_id: 'b', birthday: '02-29' },
        { customer_id: 'c', birthday: '03-01' },
        { customer_id: 'd', birthday: '03-05' },
        { customer_id: 'e', birthday: null },
        { customer_id: 'f', birthday: '12-31' },
      ],
    });
    wh = await DuckDbWarehouse.open(dataDir);
  });
  afterAll(async () => {
    await wh.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const ids = async (rule: Rule, runAt: Date) => {
    const ctx = (dialect: SegmentContext['dialect']): SegmentContext => ({
      runAt,
      timeZone: ZONE,
      campaignId: 'c',
      segments: {},
      dialect,
    });
    expect(new TrinoSQL().validate(segmentSql(rule, ctx('trino'))).map((e) => e.message)).toEqual([]);
    return (await wh.query(segmentSql(rule, ctx('duckdb')))).rows.map((r) => String(r.customer_id)).sort();
  };

  it('selects birthdays in the next days (29 Feb on 28 Feb in a common year) and by month', async () => {
    // 2027-02-25 20:00 UTC = 02-26 04:00 in Shanghai; 3 days: 02-26 … 03-01, and 02-29 with 02-28.
    const run = new Date('2027-02-25T20:00:00Z');
    expect(await ids({ birthday: { within: '3d' } }, run)).toEqual(['a', 'b', 'c']);
    expect(await ids({ birthday: { within: '0d' } }, run)).toEqual(['a']);
    expect(await ids({ birthdayMonth: {} }, run)).toEqual(['a', 'b']);
    expect(await ids({ birthdayMonth: { months: [3, 12] } }, run)).toEqual(['c', 'd', 'f']);
    expect(await ids({ not: { birthdayMonth: {} } }, run)).toEqual(['c', 'd', 'e', 'f']);
  });
});

describe('the birthday column of a mapped import', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'birthday-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a date or a month and day as MM-DD and rejects a day the calendar lacks', async () => {
    const file = join(dir, 'erp.csv');
    await writeFile(
      file,
      [
        '单号,客户,下单时间,状态,实付金额,生日',
        'A1,c1,2026-05-01 10:00:00,已完成,10.00,1990-03-08',
        'A2,c2,2026-05-01 10:00:00,已完成,10.00,2月29日',
        'A3,c3,2026-05-01 10:00:00,已完成,10.00,',
        'A4,c4,2026-05-01 10:00:00,已完成,10.00,1990-02-30',
      ].join('\n'),
    );
    const mapping = join(dir, 'm.yaml');
    await writeFile(
      mapping,
      'customerIds: as-is\ncolumns: { order_id: 单号, customer_id: 客户, created_at: 下单时间, status: 状态, amount: 实付金额, birthday: 生日 }\nstatuses: { 已完成: paid }\n',
    );
    const result = await importOrders({
      file,
      format: 'mapped',
      mappingFile: mapping,
      rejectsFile: join(dir, 'rejects.csv'),
      dataDir: join(dir, 'data'),
      clock: new ManualClock(new Date('2026-12-01T00:00:00Z')),
    });
    expect(result).toMatchObject({ imported: 3, rejected: 1 });
    expect(result.firstRejects).toEqual([
      {
        line: 5,
        reason: '生日: "1990-02-30" is not a birthday: day 30 does not exist: February 1990 has 28 days',
      },
    ]);
    const wh = await DuckDbWarehouse.open(join(dir, 'data'));
    try {
      expect((await wh.query('SELECT customer_id, birthday FROM customers ORDER BY 1')).rows).toEqual([
        { customer_id: 'c1', birthday: '03-08' },
        { customer_id: 'c2', birthday: '02-29' },
        { customer_id: 'c3', birthday: null },
      ]);
    } finally {
      await wh.close();
    }
  });
});
