import { rm } from 'node:fs/promises';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { DEFAULT_SHOP_CALENDAR, type ShopCalendar } from '../../shared/campaign/shop-calendar-schema.ts';
import { ConfigError, formatProblem, UserError } from '../../shared/errors.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { type SegmentContext, segmentSql } from '../../shared/segment/compile-segment.ts';
import { Rule } from '../../shared/segment/segment-schema.ts';
import { calendarProblems } from '../../shared/segment/shop-calendar-checks.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/**
 * Known-answer tests of the promotion calendar, seasons and age bands on hand-built orders. The run is
 * 2026-12-15 12:00 in Asia/Shanghai (UTC+8); every order's local time is worked out in its comment.
 */
const RUN_AT = new Date('2026-12-15T04:00:00Z');
const trino = new TrinoSQL();

const paid = (customer_id: string, created_at: string, category = 'coat') => ({
  order: {
    order_id: `o-${customer_id}`,
    customer_id,
    created_at,
    paid_at: created_at,
    status: 'paid',
    amount: 100,
    discount: 0,
    channel: 'organic',
    source: 'fixture',
  },
  item: {
    order_id: `o-${customer_id}`,
    line_no: 1,
    customer_id,
    created_at,
    order_status: 'paid',
    sku: `${category}-01`,
    category,
    season: 'all',
    launch_date: '2024-01-01',
    quantity: 1,
    unit_price: 100,
  },
});

function shop(orders: ReturnType<typeof paid>[], bands: Record<string, string> = {}) {
  return {
    customers: orders.map((o) => ({
      customer_id: o.order.customer_id,
      name: o.order.customer_id,
      age_band: bands[o.order.customer_id] ?? 'unknown',
    })),
    orders: orders.map((o) => o.order),
    order_items: orders.map((o) => o.item),
  };
}

const SEASON_ORDERS = [
  paid('w-tz', '2025-11-30 16:30:00'), // 2025-12-01 00:30 local: December, winter 2025 (November in UTC)
  paid('a-tz', '2025-11-30 15:30:00'), // 2025-11-30 23:30 local: autumn 2025
  paid('w-feb', '2026-02-28 15:59:00'), // 2026-02-28 23:59 local: winter 2025, across the year end
  paid('s-mar', '2026-02-28 16:00:00'), // 2026-03-01 00:00 local: spring 2026
  paid('w-jan', '2025-01-15 02:00:00'), // winter 2024
  paid('w-nye', '2024-12-31 20:00:00'), // 2025-01-01 04:00 local: winter 2024
  paid('summer', '2026-07-01 02:00:00', 'tshirt'), // summer 2026
  paid('w-now', '2026-12-10 02:00:00'), // winter 2026, before the run
  paid('w-late', '2026-12-20 02:00:00'), // after the run: never counted
];

const PROMOTION_ORDERS = [
  paid('d12', '2026-12-12 02:00:00'), // 双十二 2026
  paid('d12-eve', '2026-12-11 15:59:00'), // 2026-12-11 23:59 local: the day before 双十二
  paid('618', '2026-06-18 02:00:00'), // 618 2026
  paid('618-tz', '2026-05-31 16:30:00'), // 2026-06-01 00:30 local: 618 2026 (31 May in UTC)
  paid('618-last', '2025-06-10 02:00:00'), // 618 2025
  paid('anniv', '2026-09-03 02:00:00'), // the shop's own 店庆 2026
  paid('presale', '2026-10-21 02:00:00'), // 双十一 2026 only by the shop's earlier pre-sale date
  paid('d11', '2026-11-11 02:00:00'), // 双十一 2026
  paid('nhj', '2026-01-25 02:00:00'), // 年货节 2026 (Spring Festival 17 Feb 2026: 20 Jan – 10 Feb)
  paid('nhj-late', '2026-02-12 02:00:00'), // after 年货节, before Spring Festival
];

const SHOP_CALENDAR: ShopCalendar = {
  ...DEFAULT_SHOP_CALENDAR,
  promotions: {
    店庆: { '2026': ['2026-09-01T00:00', '2026-09-08T00:00'] },
    'double-11': { '2026': ['2026-10-20T20:00', '2026-11-12T00:00'] },
  },
};

let seasonDir: string;
let promotionDir: string;
let seasonWh: DuckDbWarehouse;
let promotionWh: DuckDbWarehouse;

beforeAll(async () => {
  seasonDir = await writeFixtureLake(
    shop(SEASON_ORDERS, { 'w-tz': '<18', 'a-tz': '18-25', summer: '51+', 'w-now': '20-29' }),
  );
  promotionDir = await writeFixtureLake(shop(PROMOTION_ORDERS));
  seasonWh = await DuckDbWarehouse.open(seasonDir);
  promotionWh = await DuckDbWarehouse.open(promotionDir);
});
afterAll(async () => {
  await seasonWh.close();
  await promotionWh.close();
  await rm(seasonDir, { recursive: true, force: true });
  await rm(promotionDir, { recursive: true, force: true });
});

const ctx = (dialect: SegmentContext['dialect'], calendar?: ShopCalendar): SegmentContext => ({
  runAt: RUN_AT,
  timeZone: 'Asia/Shanghai',
  campaignId: 'cal',
  segments: {},
  dialect,
  ...(calendar ? { calendar } : {}),
});

/** Compiles a rule, checks the SQL parses as Trino (Athena v3), runs it in DuckDB, returns sorted ids. */
async function ids(wh: DuckDbWarehouse, rule: Rule, calendar?: ShopCalendar): Promise<string[]> {
  expect(Rule.safeParse(rule).success).toBe(true);
  expect(trino.validate(segmentSql(rule, ctx('trino', calendar))).map((e) => e.message)).toEqual([]);
  const { rows } = await wh.query(segmentSql(rule, ctx('duckdb', calendar)));
  return rows.map((r) => String(r.customer_id)).sort();
}

describe('season', () => {
  const seasons = (rule: Rule, calendar?: ShopCalendar) => ids(seasonWh, rule, calendar);

  it('selects buyers in a season of any year, by local month, winter across the year end', async () => {
    expect(await seasons({ season: { name: 'winter' } })).toEqual([
      'w-feb',
      'w-jan',
      'w-now',
      'w-nye',
      'w-tz',
    ]);
    expect(await seasons({ season: { name: 'autumn' } })).toEqual(['a-tz']);
    // No name: the run's season, winter.
    expect(await seasons({ season: {} })).toEqual(await seasons({ season: { name: 'winter' } }));
  });

  it('takes a year (the one the season begins in) or years back from its latest edition', async () => {
    expect(await seasons({ season: { name: 'winter', year: 2025 } })).toEqual(['w-feb', 'w-tz']);
    expect(await seasons({ season: { name: 'winter', year: 2024 } })).toEqual(['w-jan', 'w-nye']);
    // Same season last year: winter 2026 is running, so one back is Dec 2025 – Feb 2026.
    expect(await seasons({ season: { yearsAgo: [1] } })).toEqual(['w-feb', 'w-tz']);
    expect(await seasons({ season: { yearsAgo: [0] } })).toEqual(['w-now']);
    expect(await seasons({ season: { name: 'autumn', yearsAgo: [1] } })).toEqual(['a-tz']);
    expect(await seasons({ season: { name: 'spring', yearsAgo: [0] } })).toEqual(['s-mar']);
    expect(await seasons({ season: { name: 'summer', category: ['tshirt'] } })).toEqual(['summer']);
    expect(await seasons({ season: { name: 'summer', category: ['coat'] } })).toEqual([]);
  });

  it('uses the shop’s own month ranges', async () => {
    const calendar = {
      ...DEFAULT_SHOP_CALENDAR,
      seasons: { cold: { from: 11, to: 3 }, warm: { from: 4, to: 10 } },
    };
    expect(await seasons({ season: { name: 'cold', year: 2025 } }, calendar)).toEqual(
      ['a-tz', 'w-feb', 'w-tz', 's-mar'].sort(),
    );
    expect(() => segmentSql({ season: { name: 'winter' } }, ctx('duckdb', calendar))).toThrow(
      'unknown season "winter"; the shop\'s seasons are cold, warm',
    );
  });
});

describe('promotion calendar', () => {
  const bought = (promotion: string, yearsAgo?: number[], calendar?: ShopCalendar) =>
    ids(promotionWh, { bought: { promotion, ...(yearsAgo ? { yearsAgo } : {}) } }, calendar);

  it('knows 双十二, 618 with its pre-sale start, and 年货节 by Spring Festival, in local time', async () => {
    expect(await bought('double-12')).toEqual(['d12']);
    expect(await bought('618')).toEqual(['618', '618-tz']);
    expect(await bought('618', [1])).toEqual(['618-last']);
    expect(await bought('double-11')).toEqual(['d11']);
    expect(await bought('nian-huo-jie')).toEqual(['nhj']);
  });

  it('takes the shop’s own promotions and its dates for a built-in one', async () => {
    expect(await bought('店庆', [0], SHOP_CALENDAR)).toEqual(['anniv']);
    expect(await bought('double-11', [0], SHOP_CALENDAR)).toEqual(['d11', 'presale']);
    // Years the shop gave no dates for keep the built-in ones.
    expect(await bought('double-11', [1], SHOP_CALENDAR)).toEqual([]);
  });

  it('refuses a name or year the calendar does not know, naming what it knows', () => {
    expect(() => segmentSql({ bought: { promotion: 'double-10' } }, ctx('duckdb', SHOP_CALENDAR))).toThrow(
      'unknown promotion "double-10"; the calendar knows double-11, double-12, 618, nian-huo-jie, 店庆',
    );
    expect(() =>
      segmentSql({ bought: { promotion: '店庆', yearsAgo: [1] } }, ctx('duckdb', SHOP_CALENDAR)),
    ).toThrow(UserError); // exit 1: the shop's file needs a fix
    expect(() =>
      segmentSql({ bought: { promotion: '店庆', yearsAgo: [1] } }, ctx('duckdb', SHOP_CALENDAR)),
    ).toThrow(
      new UserError(
        'promotion "店庆" has no dates for 2025; the shop\'s calendar has 2026: add promotions.店庆.2025: [from, to] to contact-policy.yaml',
      ),
    );
  });
});

describe('age bands', () => {
  it('match the report bands by default and the shop’s own when it sets them', async () => {
    expect(await ids(seasonWh, { ageBand: ['<18', '18-25'] })).toEqual(['a-tz', 'w-tz']);
    expect(await ids(seasonWh, { ageBand: ['51+'] })).toEqual(['summer']);
    const own = { ...DEFAULT_SHOP_CALENDAR, ageBands: ['<20', '20-29', '30+'] };
    expect(await ids(seasonWh, { ageBand: ['20-29'] }, own)).toEqual(['w-now']);
    expect(() => segmentSql({ ageBand: ['26-30'] }, ctx('duckdb', own))).toThrow(
      'unknown age band "26-30"; the shop\'s bands are <20, 20-29, 30+, unknown',
    );
  });

  it('are checked in the shop file: young to old, no gaps or overlaps', () => {
    const problems = (text: string) => {
      try {
        parseConfigText(ContactPolicy, text, 'contact-policy.yaml');
        return [];
      } catch (e) {
        if (e instanceof ConfigError) return e.problems.map(formatProblem);
        throw e;
      }
    };
    expect(problems('ageBands: ["<18", 18-25, 27-30, "31+"]')).toEqual([
      'contact-policy.yaml:1:26 ageBands[2]: "27-30" should start at 26: bands go from young to old without gaps or overlaps',
    ]);
    expect(problems('ageBands: [">50"]')).toEqual([
      'contact-policy.yaml:1:12 ageBands[0]: expected an age band like <18, 18-25 or 51+',
    ]);
    expect(problems('seasons: { summer: { from: 6, to: 8 }, hot: { from: 8, to: 9 } }')).toEqual([
      'contact-policy.yaml:1:45 seasons.hot: month 8 is in both "summer" and "hot"; a month belongs to one season',
    ]);
    expect(
      problems('promotions: { 店庆: { "2026": ["2026-09-08T00:00", "2026-09-01T00:00"] } }'),
    ).toHaveLength(1);
  });
});

describe('campaign checked against the shop calendar', () => {
  const CAMPAIGN = `id: cal
name: Cal
channels:
  sms: { signature: 【小店】, optOutText: 回T退订 }
segments:
  past:
    where:
      all:
        - bought: { promotion: 双十二, yearsAgo: [1] }
        - season: { name: monsoon }
        - ageBand: [25-29]
waves:
  - id: w1
    start: "2026-12-01T10:00"
    audience: { segment: past }
    channel: sms
    templates: { sms: "{{ signature }}hi {{ optOut }}" }
`;

  it('reports unknown promotions, seasons and age bands at file:line:column with the known names', () => {
    const campaign = parseConfigText(Campaign, CAMPAIGN, 'cal.yaml');
    const found = calendarProblems({ file: 'cal.yaml', text: CAMPAIGN, campaign }, SHOP_CALENDAR).map(
      formatProblem,
    );
    expect(found).toEqual([
      'cal.yaml:9:32 segments.past.where.all[0].bought.promotion: unknown promotion "双十二"; the calendar knows double-11, double-12, 618, nian-huo-jie, 店庆 (add the shop\'s own under promotions: in contact-policy.yaml)',
      'cal.yaml:10:27 segments.past.where.all[1].season.name: unknown season "monsoon"; the shop\'s seasons are spring, summer, autumn, winter (seasons: in contact-policy.yaml)',
      'cal.yaml:11:21 segments.past.where.all[2].ageBand[0]: unknown age band "25-29"; the shop\'s bands are <18, 18-25, 26-30, 31-35, 36-40, 41-50, 51+, unknown (ageBands: in contact-policy.yaml)',
    ]);
    const fixed = CAMPAIGN.replace('双十二', 'double-12')
      .replace('monsoon', 'winter')
      .replace('25-29', '26-30');
    const ok = parseConfigText(Campaign, fixed, 'cal.yaml');
    expect(calendarProblems({ file: 'cal.yaml', text: fixed, campaign: ok }, SHOP_CALENDAR)).toEqual([]);
  });
});
