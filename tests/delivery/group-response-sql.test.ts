import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupResponseSql } from '../../shared/delivery/rollout/group-response-sql.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { fixtureOrder, writeFixtureLake } from '../helpers/fixture-lake.ts';

// A grouped pilot planned 2027-03-05 02:00 UTC, read at the rollout's start 2027-03-09 02:00. An earlier
// wave w0 (03-01) assigned c10 and c12 to treatment and c11 to the campaign's holdout.
const T0 = '2027-03-01 02:00:00';
const T1 = '2027-03-05 02:00:00';
const AT = new Date('2027-03-09T02:00:00Z');
const send = (wave: string, id: string, at: string, over: Record<string, unknown>) => ({
  send_id: `g/${wave}/${id}`,
  campaign_id: 'g',
  wave_id: wave,
  customer_id: id,
  category: 'marketing',
  planned_at: at,
  ...over,
});
const treated = { status: 'sent', arm: 'treatment', sent_at: T1 };
const held = (arm: string) => ({ status: 'suppressed', reason: 'holdout', arm });
const sends = [
  send('w0', 'c10', T0, { ...treated, segment: 'all', sent_at: T0 }),
  send('w0', 'c12', T0, { ...treated, segment: 'all', sent_at: T0 }),
  send('w0', 'c11', T0, { ...held('holdout'), segment: 'all' }),
  // seg-a, new: c01 and c03 treated, c02 in the campaign's holdout.
  send('pilot', 'c01', T1, { ...treated, segment: 'seg-a' }),
  send('pilot', 'c03', T1, { ...treated, segment: 'seg-a' }),
  send('pilot', 'c02', T1, { ...held('holdout'), segment: 'seg-a' }),
  // seg-a, returning: c10 treated, c12 held out of the pilot only; c11 (the campaign's holdout, drawn by
  // w0) has no treated counterpart here and is left out.
  send('pilot', 'c10', T1, { ...treated, segment: 'seg-a' }),
  send('pilot', 'c12', T1, { ...held('wave-holdout'), segment: 'seg-a' }),
  send('pilot', 'c11', T1, { ...held('holdout'), segment: 'seg-a' }),
  // seg-b: c04 sent (its batch wrote it twice), c06 over budget (treated: intent to treat), c05 opted out
  // (never assigned), c07 held out.
  send('pilot', 'c04', T1, { ...treated, segment: 'seg-b' }),
  send('pilot', 'c04', T1, { status: 'failed', reason: 'timeout', arm: 'treatment', segment: 'seg-b' }),
  send('pilot', 'c06', T1, { status: 'suppressed', reason: 'budget', arm: 'treatment', segment: 'seg-b' }),
  send('pilot', 'c05', T1, { status: 'suppressed', reason: 'opt-out', segment: 'seg-b' }),
  send('pilot', 'c07', T1, { ...held('holdout'), segment: 'seg-b' }),
];

const orders = [
  fixtureOrder('o1', 'c01', '2027-03-06 02:00:00', '2027-03-06 02:05:00', 120), // counts
  fixtureOrder('o2', 'c01', '2027-03-07 02:00:00', '2027-03-07 02:05:00', 30), // counts (same customer)
  fixtureOrder('o3', 'c03', '2027-03-04 02:00:00', '2027-03-04 02:05:00', 90), // paid before the pilot
  fixtureOrder('o4', 'c10', '2027-03-10 02:00:00', '2027-03-10 02:05:00', 80), // after the decision
  fixtureOrder('o5', 'c12', '2027-03-02 02:00:00', '2027-03-06 02:00:00', 60), // created before, paid in: counts
  fixtureOrder('o6', 'c11', '2027-03-06 02:00:00', '2027-03-06 02:05:00', 70), // left out (campaign holdout, w0)
  fixtureOrder('o7', 'c04', '2027-03-06 02:00:00', null, 50), // unpaid
  fixtureOrder('o8', 'c07', '2027-03-08 02:00:00', '2027-03-09 03:00:00', 40), // paid after the decision
  fixtureOrder('o9', 'c06', '2027-03-08 02:00:00', '2027-03-08 02:05:00', 25), // counts
];

let wh: DuckDbWarehouse;
beforeAll(async () => {
  wh = await DuckDbWarehouse.open(await writeFixtureLake({ sends, orders }));
});
afterAll(async () => {
  await wh.close();
});

describe('groupResponseSql: a grouped pilot per group, stratum and part', () => {
  it('parses as Trino', () => {
    expect(new TrinoSQL().validate(groupResponseSql('g', 'pilot', AT)).map((e) => e.message)).toEqual([]);
  });

  it('counts treated (intent to treat) and held-out customers of each group, and their orders up to the decision', async () => {
    const { rows } = await wh.query(groupResponseSql('g', 'pilot', AT));
    expect(
      rows.map((r) => [
        r.segment,
        r.stratum,
        r.part,
        Number(r.customers),
        Number(r.converted),
        Number(r.revenue_mean),
      ]),
    ).toEqual([
      ['seg-a', 'new', 'holdout', 1, 0, 0],
      ['seg-a', 'new', 'treated', 2, 1, 75], // c01 150, c03 0
      ['seg-a', 'returning', 'holdout', 1, 1, 60],
      ['seg-a', 'returning', 'treated', 1, 0, 0],
      ['seg-b', 'new', 'holdout', 1, 0, 0],
      ['seg-b', 'new', 'treated', 2, 1, 12.5], // c04 0, c06 25
    ]);
  });
});
