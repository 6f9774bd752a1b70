import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbSession } from '../../shared/lake/local/duckdb-session.ts';
import { type Sql, sql } from '../../shared/lake/sql.ts';
import { sqlDate } from '../../shared/lake/sql-literals.ts';
import { BUILT_IN_PROMOTIONS } from '../../shared/segment/promotion-calendar.ts';
import { calendarSql } from '../../shared/shop/local/generate/calendar-sql.ts';

const START = '2023-10-21';
const DAYS = 1096;

let db: DuckDbSession;
const q = (query: Sql) => db.rows(query);

beforeAll(async () => {
  db = await DuckDbSession.open({ threads: 1 });
  await db.run(calendarSql(START, DAYS, 1.1, 1.6));
});
afterAll(() => db.close());

/** The built-in promotion windows, as [name, from, to exclusive], that `keep` accepts. */
function windows(keep: (from: string, to: string) => boolean): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const year of [2023, 2024, 2025, 2026])
    for (const p of BUILT_IN_PROMOTIONS) {
      const w = p.window(year);
      if (!w) continue;
      const [from, to] = w.map((t) => t.slice(0, 10)) as [string, string];
      if (keep(from, to)) out.push([p.name, from, to]);
    }
  return out;
}

describe('the generator’s demand calendar follows the promotion calendar', () => {
  it('sells more on every day of each built-in promotion’s window than in the two weeks before it', async () => {
    // The 14 days before the window are the comparison, so they must be in the history too.
    const list = windows((from, to) => from >= '2023-11-04' && to <= '2026-10-21');
    expect(new Set(list.map(([name]) => name))).toEqual(
      new Set(['double-11', 'double-12', '618', 'nian-huo-jie']),
    );
    for (const [name, from, to] of list) {
      const [r] = await q(sql`WITH d AS (SELECT day, cum_hi - cum_lo AS share FROM calendar)
        SELECT (SELECT min(share) FROM d WHERE day >= ${sqlDate(from)} AND day < ${sqlDate(to)})
          / (SELECT avg(share) FROM d WHERE day >= ${sqlDate(from)} - INTERVAL 14 DAY AND day < ${sqlDate(from)}) AS ratio`);
      expect(Number(r?.ratio), `${name} ${from}`).toBeGreaterThan(1.05);
    }
  });

  it('has the midnight rush on the last day of Double-11 and 618 only', async () => {
    const peaks = (
      await q(sql`SELECT CAST(day AS VARCHAR) AS day FROM calendar WHERE peak ORDER BY day`)
    ).map((r) => r.day);
    const expected = windows((_, to) => to > '2023-10-21' && to <= '2026-10-21')
      .filter(([name]) => name === 'double-11' || name === '618')
      .map(([, , to]) => new Date(Date.parse(`${to}T00:00Z`) - 86_400_000).toISOString().slice(0, 10));
    expect(peaks).toEqual(expected.sort());
  });
});
