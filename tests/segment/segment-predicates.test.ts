import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type SegmentContext, segmentSql } from '../../shared/segment/compile-segment.ts';
import { Rule } from '../../shared/segment/segment-schema.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { FIXTURE, RUN_AT } from './fixture-shop.ts';

let dataDir: string;
let wh: DuckDbWarehouse;
const trino = new TrinoSQL();

const ctx = (dialect: SegmentContext['dialect']): SegmentContext => ({
  runAt: RUN_AT,
  timeZone: 'Asia/Shanghai',
  campaignId: 'd11',
  segments: {
    guangdong: { where: { region: { provinces: ['广东省'] } } },
    // One set of ids: compiled as that set's query, not as customers filtered by it.
    'bottoms-no-tops': { where: { crossSell: { bought: ['trousers', 'skirt'], never: ['tshirt'] } } },
    recent: { where: { recency: { days: { max: 90 } } } },
    'few-orders-this-year': { where: { frequency: { orders: { max: 1 }, within: '365d' } } },
    'recent-or-guangdong': { where: { any: [{ recency: { days: { max: 90 } } }, { segment: 'guangdong' }] } },
  },
  dialect,
});

/** Compiles a rule, checks the SQL parses as Trino (Athena v3), runs it in DuckDB, returns sorted ids. */
async function ids(rule: Rule): Promise<string[]> {
  expect(Rule.safeParse(rule).success).toBe(true);
  const errors = trino.validate(segmentSql(rule, ctx('trino')));
  expect(errors.map((e) => e.message)).toEqual([]);
  const { rows } = await wh.query(segmentSql(rule, ctx('duckdb')));
  return rows.map((r) => String(r.customer_id)).sort();
}

beforeAll(async () => {
  dataDir = await writeFixtureLake(FIXTURE);
  wh = await DuckDbWarehouse.open(dataDir);
});
afterAll(async () => {
  await wh.close();
  await rm(dataDir, { recursive: true, force: true });
});

// Last paid order, days before the run (2026-11-10 16:00 UTC): c01 9.6, c04 61.6, c08 46.6, c02 193.6,
// c05 204.6, c03 344.6; c06 and c07 have no paid order (c07: unpaid and closed; c02's o13 is refunded).
describe('recency and frequency', () => {
  it('recency: days since the last paid order', async () => {
    expect(await ids({ recency: { days: { max: 90 } } })).toEqual(['c01', 'c04', 'c08']);
    expect(await ids({ recency: { days: { min: 180, max: 365 } } })).toEqual(['c02', 'c03', 'c05']);
    expect(await ids({ recency: { days: { min: 365 } } })).toEqual([]);
  });

  it('frequency: paid orders, all time or in a window', async () => {
    // Paid orders: c01 3, c03 2, c04 2, c05 2, c02 1, c08 1, c06 0, c07 0.
    expect(await ids({ frequency: { orders: { min: 2 } } })).toEqual(['c01', 'c03', 'c04', 'c05']);
    expect(await ids({ frequency: { orders: { min: 1, max: 1 } } })).toEqual(['c02', 'c08']);
    expect(await ids({ frequency: { orders: { max: 0 } } })).toEqual(['c06', 'c07']);
    // In the last 365 days: c04 2 (o06, o07); c01 1 (o02 is 370.6 days old); c03 1; c05 1.
    expect(await ids({ frequency: { orders: { min: 2 }, within: '365d' } })).toEqual(['c04']);
    // At most one paid order in the last 365 days (none counts): a named segment of it, and its
    // window's count is one column of the per-customer aggregate, not two.
    expect(await ids({ segment: 'few-orders-this-year' })).toEqual([
      'c01',
      'c02',
      'c03',
      'c05',
      'c06',
      'c07',
      'c08',
    ]);
    const sql = segmentSql({ segment: 'few-orders-this-year' }, ctx('duckdb'));
    expect(sql).toContain(' AS o_0');
    expect(sql).not.toContain(' AS o_1');
  });

  it('monetary: total spend and average order value bands', async () => {
    // Spend: c01 450, c02 200, c03 640, c04 160, c05 1120, c08 45. AOV: c03 320, c05 560, c01 150.
    expect(await ids({ monetary: { spend: { min: 500 } } })).toEqual(['c03', 'c05']);
    expect(await ids({ monetary: { spend: { max: 100 } } })).toEqual(['c08']);
    expect(await ids({ monetary: { spend: { min: 100, max: 300 } } })).toEqual(['c02', 'c04']);
    expect(await ids({ monetary: { aov: { min: 300 } } })).toEqual(['c03', 'c05']);
  });

  it('rfm: quintile scores and named groups', async () => {
    // R by last paid ascending: c03 1, c05 2, c02 3, c04 4, c08 5, c01 5.
    // F by order count: c02, c08 → 1; c03, c04, c05 → 3 (percent_rank 0.4); c01 → 5.
    // M by spend: c08 1, c04 2, c02 3, c01 4, c03 5, c05 5.
    // Groups: c01 champions (5,5), c02 potential-loyalist (3,1), c03 at-risk (1,3), c04 loyal (4,3),
    // c05 at-risk (2,3), c08 new (5,1).
    expect(await ids({ rfm: { r: [5] } })).toEqual(['c01', 'c08']);
    expect(await ids({ rfm: { f: [3] } })).toEqual(['c03', 'c04', 'c05']);
    expect(await ids({ rfm: { m: [5] } })).toEqual(['c03', 'c05']);
    expect(await ids({ rfm: { group: ['at-risk'] } })).toEqual(['c03', 'c05']);
    expect(await ids({ rfm: { group: ['champions', 'new'] } })).toEqual(['c01', 'c08']);
    expect(await ids({ rfm: { group: ['loyal'] } })).toEqual(['c04']);
    expect(await ids({ rfm: { group: ['potential-loyalist'] } })).toEqual(['c02']);
  });
});

describe('what they bought', () => {
  it('bought a category or sku, any time or in a window', async () => {
    expect(await ids({ bought: { category: ['tshirt'] } })).toEqual(['c01', 'c05']); // c07's tshirt is unpaid
    expect(await ids({ bought: { sku: ['detergent-2026A-01'] } })).toEqual(['c04', 'c08']);
    expect(await ids({ bought: { category: ['tshirt'], within: '30d' } })).toEqual(['c01']);
    expect(await ids({ bought: { between: ['2025-12-01T00:00', '2025-12-02T00:00'] } })).toEqual(['c03']);
  });

  it('bought in the same season last year, or in a past Double-11 or 618', async () => {
    // Same season last year: [2025-11-10 16:00, +90 days): only o14 (2025-12-01).
    expect(await ids({ bought: { sameSeasonLastYear: true } })).toEqual(['c03']);
    // Double-11 2025 (1–11 Nov local): o02; Double-11 2024: o08 (2024-11-11 08:00 local).
    expect(await ids({ bought: { promotion: 'double-11', yearsAgo: [1] } })).toEqual(['c01']);
    expect(await ids({ bought: { promotion: 'double-11', yearsAgo: [1, 2] } })).toEqual(['c01', 'c05']);
    expect(await ids({ bought: { promotion: '618', yearsAgo: [1] } })).toEqual(['c01']);
    // This year's (yearsAgo defaults to [0]) runs from 1 Nov: o01 on 1 Nov 10:00 local is in it.
    expect(await ids({ bought: { promotion: 'double-11' } })).toEqual(['c01']);
  });

  it('early buyers: bought within N days of the launch date', async () => {
    // o09 (c05) 5 days after the tshirt launch; o04 (c02) 16 days after the skirt launch.
    expect(await ids({ earlyBuyer: { category: ['tshirt'], withinDaysOfLaunch: 14 } })).toEqual(['c05']);
    expect(await ids({ earlyBuyer: { category: ['skirt'], withinDaysOfLaunch: 14 } })).toEqual([]);
    expect(await ids({ earlyBuyer: { category: ['skirt'], withinDaysOfLaunch: 30 } })).toEqual(['c02']);
    expect(await ids({ earlyBuyer: { withinDaysOfLaunch: 30, launchedWithin: '100d' } })).toEqual([]);
  });

  it('bought at least N units of a category', async () => {
    expect(await ids({ unitsBought: { category: ['socks'], atLeast: 5 } })).toEqual(['c01']);
    expect(await ids({ unitsBought: { category: ['socks'], atLeast: 6 } })).toEqual([]);
    expect(await ids({ unitsBought: { category: ['detergent'], atLeast: 4 } })).toEqual(['c04']);
  });

  it('cross-sell: bought X and never Y', async () => {
    // Trousers: c01 (also bought a tshirt); skirt: c02 (never a tshirt).
    expect(await ids({ crossSell: { bought: ['trousers', 'skirt'], never: ['tshirt'] } })).toEqual(['c02']);
    // As a named segment (a set difference as the segment's own query), and its negation.
    expect(await ids({ segment: 'bottoms-no-tops' })).toEqual(['c02']);
    expect(await ids({ not: { segment: 'bottoms-no-tops' } })).toEqual([
      'c01',
      'c03',
      'c04',
      'c05',
      'c06',
      'c07',
      'c08',
    ]);
  });

  it('replenishment due: last purchase of the category plus its cycle falls in the window', async () => {
    // Detergent: c04 last 2026-09-10 + 60d = 2026-11-09 (1.6 days before the run); c08 2026-09-25 + 60d = 2026-11-24 (13.4 days after).
    const due = (after: string) => ({
      replenishmentDue: { category: 'detergent', cycle: '60d', dueWithin: { before: '3d', after } },
    });
    expect(await ids(due('14d'))).toEqual(['c04', 'c08']);
    expect(await ids(due('7d'))).toEqual(['c04']);
  });

  it('unpaid: an order created in the window and still unpaid', async () => {
    expect(await ids({ unpaid: { within: '24h' } })).toEqual(['c07']);
    expect(await ids({ unpaid: { within: '1h' } })).toEqual([]);
    expect(await ids({ unpaid: { createdBetween: ['2026-11-10T00:00', '2026-11-11T00:00'] } })).toEqual([
      'c07',
    ]);
  });
});

describe('who they are', () => {
  it('region: provinces and city tiers', async () => {
    expect(await ids({ region: { provinces: ['广东省'] } })).toEqual(['c02', 'c05']);
    // Short names select the same customers as the full names the data stores.
    expect(await ids({ region: { provinces: ['广东'] } })).toEqual(['c02', 'c05']);
    expect(await ids({ region: { provinces: ['广东', '上海'], cityTiers: [1] } })).toEqual([
      'c02',
      'c05',
      'c07',
    ]);
    expect(await ids({ region: { cityTiers: [1] } })).toEqual(['c02', 'c03', 'c05', 'c07']);
    expect(await ids({ region: { provinces: ['广东省', '上海市'], cityTiers: [1] } })).toEqual([
      'c02',
      'c05',
      'c07',
    ]);
  });

  it('acquisition channel, member tier, gender, age band', async () => {
    expect(await ids({ acquisitionChannel: ['聚划算', '淘抢购', '天天特价'] })).toEqual([
      'c01',
      'c03',
      'c06',
    ]);
    expect(await ids({ memberTier: ['gold', 'diamond'] })).toEqual(['c01', 'c05']);
    expect(await ids({ gender: ['M'] })).toEqual(['c02', 'c06']);
    expect(await ids({ ageBand: ['26-30'] })).toEqual(['c01', 'c07']);
  });
});

describe('message history', () => {
  it('was sent, delivered, clicked or converted in a wave', async () => {
    expect(await ids({ messageHistory: { waves: ['preheat'], event: 'sent' } })).toEqual(['c01', 'c03']);
    expect(await ids({ messageHistory: { waves: ['preheat'], event: 'delivered' } })).toEqual(['c01', 'c03']);
    expect(await ids({ messageHistory: { waves: ['preheat'], event: 'clicked' } })).toEqual(['c01']);
    expect(await ids({ messageHistory: { waves: ['preheat'], event: 'opened' } })).toEqual([]);
    // c01 was sent on 2026-10-25 02:00 and paid o01 on 2026-11-01 02:00: 7 days later.
    expect(await ids({ messageHistory: { waves: ['preheat'], event: 'converted' } })).toEqual([]);
    expect(await ids({ messageHistory: { waves: ['preheat'], event: 'converted', within: '8d' } })).toEqual([
      'c01',
    ]);
    expect(await ids({ messageHistory: { campaign: 'other', waves: ['preheat'], event: 'sent' } })).toEqual(
      [],
    );
  });

  it('not reached by waves: suppressed recipients were not reached', async () => {
    expect(await ids({ notReachedBy: { waves: ['preheat'] } })).toEqual([
      'c02',
      'c04',
      'c05',
      'c06',
      'c07',
      'c08',
    ]);
  });
});

describe('samples and composition', () => {
  it('sample: the customers whose MD5 bucket of seed:id is below percent × 100', async () => {
    const all = ['c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08'];
    // Oracle: node's MD5, written here independently of the compiler and stable-bucket.ts.
    const bucket = (id: string) =>
      Number.parseInt(createHash('md5').update(`pilot:${id}`).digest('hex').slice(0, 8), 16) % 10000;
    expect(await ids({ sample: { percent: 50, seed: 'pilot' } })).toEqual(
      all.filter((id) => bucket(id) < 5000),
    );
    expect(await ids({ sample: { percent: 100, seed: 'pilot' } })).toEqual(all);
  });

  it('all / any / not and named segments', async () => {
    expect(
      await ids({ all: [{ recency: { days: { max: 90 } } }, { frequency: { orders: { min: 2 } } }] }),
    ).toEqual(['c01', 'c04']);
    expect(
      await ids({ any: [{ region: { provinces: ['广东省'] } }, { unpaid: { within: '24h' } }] }),
    ).toEqual(['c02', 'c05', 'c07']);
    expect(await ids({ not: { everyone: true } })).toEqual([]);
    expect(await ids({ not: { recency: { days: { max: 90 } } } })).toEqual([
      'c02',
      'c03',
      'c05',
      'c06',
      'c07',
    ]);
    expect(await ids({ segment: 'recent-or-guangdong' })).toEqual(['c01', 'c02', 'c04', 'c05', 'c08']);
    expect(await ids({ segment: 'recent' })).toEqual(['c01', 'c04', 'c08']);
    expect(await ids({ not: { segment: 'recent' } })).toEqual(['c02', 'c03', 'c05', 'c06', 'c07']);
  });
});
