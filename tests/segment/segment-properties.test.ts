import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { type SegmentContext, segmentSql } from '../../shared/segment/compile-segment.ts';
import type { Rule } from '../../shared/segment/segment-schema.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';

let dir: string;
let wh: DuckDbWarehouse;
const ctx: SegmentContext = {
  runAt: new Date('2026-10-20T16:00:00Z'),
  timeZone: 'Asia/Shanghai',
  campaignId: 'prop',
  segments: {},
  dialect: 'duckdb',
};

async function ids(rule: Rule, segments: SegmentContext['segments'] = {}): Promise<Set<string>> {
  const { rows } = await wh.query(segmentSql(rule, { ...ctx, segments }));
  return new Set(rows.map((r) => String(r.customer_id)));
}

const sorted = (s: Set<string>) => [...s].sort();

/** Leaf predicates with generated parameters: a mix of order-based, profile-based and sampled rules. */
const leaf: fc.Arbitrary<Rule> = fc.oneof(
  fc
    .record({ min: fc.integer({ min: 0, max: 400 }), span: fc.integer({ min: 0, max: 600 }) })
    .map(({ min, span }) => ({
      recency: { days: { min, max: min + span } },
    })),
  fc.integer({ min: 1, max: 6 }).map((min) => ({ frequency: { orders: { min } } })),
  fc.integer({ min: 0, max: 3000 }).map((min) => ({ monetary: { spend: { min } } })),
  fc
    .subarray(['广东省', '浙江省', '江苏省', '上海市', '北京市', '四川省'], { minLength: 1 })
    .map((provinces) => ({ region: { provinces } })),
  fc
    .subarray(['organic', '聚划算', '淘抢购', '天天特价', '直播'], { minLength: 1 })
    .map((a) => ({ acquisitionChannel: a })),
  fc
    .subarray(['tshirt', 'skirt', 'coat', 'socks', 'detergent'], { minLength: 1 })
    .map((category) => ({ bought: { category, within: '365d' } })),
  fc
    .record({ percent: fc.integer({ min: 1, max: 100 }), seed: fc.constantFrom('a', 'b') })
    .map((sample) => ({ sample })),
);
const rule: fc.Arbitrary<Rule> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ all: [a, b] })) },
  { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ any: [a, b] })) },
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'props-'));
  await generateShop({ dataDir: dir, customers: 3000, orders: 30_000, seed: 3, asOf: '2026-10-20' });
  wh = await DuckDbWarehouse.open(dir);
});
afterAll(async () => {
  await wh.close();
  await rm(dir, { recursive: true, force: true });
});

const runs = { numRuns: 20, seed: 20261122 };

describe('segment algebra on a generated shop', () => {
  it('all(A, not A) is empty', async () => {
    await fc.assert(
      fc.asyncProperty(rule, async (a) => {
        expect((await ids({ all: [a, { not: a }] })).size).toBe(0);
      }),
      runs,
    );
  });

  it('any(A, B) is A ∪ B and all(A, B) is A ∩ B', async () => {
    await fc.assert(
      fc.asyncProperty(rule, rule, async (a, b) => {
        const [sa, sb] = [await ids(a), await ids(b)];
        expect(sorted(await ids({ any: [a, b] }))).toEqual(sorted(new Set([...sa, ...sb])));
        expect(sorted(await ids({ all: [a, b] }))).toEqual(sorted(new Set([...sa].filter((x) => sb.has(x)))));
      }),
      runs,
    );
  });

  it('not not A is A', async () => {
    await fc.assert(
      fc.asyncProperty(rule, async (a) => {
        expect(sorted(await ids({ not: { not: a } }))).toEqual(sorted(await ids(a)));
      }),
      runs,
    );
  });

  it('all(A, not P) with P = all(A, B) is A minus B, without reading P', async () => {
    await fc.assert(
      fc.asyncProperty(rule, rule, fc.boolean(), async (a, b, named) => {
        // A as a named segment (as the example campaigns write it) or written out in both places.
        const ref: Rule = named ? { segment: 'a' } : a;
        const segments = { a: { where: a }, p: { where: { all: [ref, b] } } };
        const rule: Rule = { all: [ref, { not: { segment: 'p' } }] };
        expect(segmentSql(rule, { ...ctx, segments })).not.toContain('seg_p ');
        const [sa, sb] = [await ids(a), await ids(b)];
        const expected = new Set([...sa].filter((x) => !sb.has(x)));
        expect(sorted(await ids(rule, segments))).toEqual(sorted(expected));
      }),
      runs,
    );
  });

  it('a named segment selects what its rule selects, and not the segment its complement', async () => {
    await fc.assert(
      fc.asyncProperty(leaf, async (a) => {
        const segments = { a: { where: a } };
        const sql = segmentSql({ segment: 'a' }, { ...ctx, segments });
        // Predicates that are a set of ids (order-based here) are the segment's query, without customers.
        if (!('region' in a || 'acquisitionChannel' in a || 'sample' in a))
          expect(sql).toContain('seg_a AS (\n  SELECT customer_id FROM (');
        const [all, sa] = [await ids({ everyone: true }), await ids(a)];
        expect(sorted(await ids({ segment: 'a' }, segments))).toEqual(sorted(sa));
        const rest = new Set([...all].filter((x) => !sa.has(x)));
        expect(sorted(await ids({ not: { segment: 'a' } }, segments))).toEqual(sorted(rest));
      }),
      runs,
    );
  });

  it('samples are stable across runs and a smaller sample of the same seed is a subset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 99 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        async (p, q, seed) => {
          const [lo, hi] = [Math.min(p, q), Math.max(p, q)];
          const small = await ids({ sample: { percent: lo, seed } });
          expect(sorted(await ids({ sample: { percent: lo, seed } }))).toEqual(sorted(small));
          const large = await ids({ sample: { percent: hi, seed } });
          expect([...small].every((id) => large.has(id))).toBe(true);
        },
      ),
      runs,
    );
  });

  it('F scores from counts per order count equal the percent_rank window they stand for', async () => {
    // The definition, written out: a window over every buyer's paid orders before the run.
    const { rows } = await wh.query(sql`SELECT customer_id, f FROM (
      SELECT customer_id, least(5, 1 + CAST(floor(5 * percent_rank() OVER (ORDER BY n)) AS INTEGER)) AS f
      FROM (SELECT customer_id, count(*) AS n FROM orders
        WHERE status = 'paid' AND paid_at < TIMESTAMP '2026-10-20 16:00:00' GROUP BY customer_id) t) s`);
    for (const score of [1, 2, 3, 4, 5]) {
      const expected = rows.filter((r) => Number(r.f) === score).map((r) => String(r.customer_id));
      expect(sorted(await ids({ rfm: { f: [score] } }))).toEqual(expected.sort());
    }
    // Several scores occur (not all five: buyers with equal order counts tie), so the comparisons above
    // are not all of empty sets.
    expect(new Set(rows.map((r) => Number(r.f))).size).toBeGreaterThanOrEqual(3);
  });

  it('a 10% sample is about 10% of customers', async () => {
    const n = (await ids({ sample: { percent: 10, seed: 'size' } })).size;
    expect(n).toBeGreaterThan(240);
    expect(n).toBeLessThan(360);
  });
});
