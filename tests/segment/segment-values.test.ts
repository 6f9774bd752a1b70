import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  closest,
  editDistance,
  type KnownValues,
  knownValues,
  ruleValues,
  valueFindings,
} from '../../shared/segment/segment-values.ts';
import { emailWave, testCampaign } from '../helpers/campaign-builders.ts';

const campaign = testCampaign({
  id: 'v',
  name: 'Values',
  segments: {
    s: {
      where: {
        any: [
          { region: { provinces: ['广东', '海外'], cityTiers: [1] } },
          { not: { crossSell: { bought: ['coat'], never: ['scarf'] } } },
          {
            replenishmentDue: {
              category: 'detergent',
              cycle: '60d',
              dueWithin: { before: '3d', after: '7d' },
            },
          },
          { earlyBuyer: { sku: ['SKU-1'], withinDaysOfLaunch: 14 } },
        ],
      },
    },
  },
  waves: [emailWave({ audience: { where: { unitsBought: { category: ['socks'], atLeast: 5 } } } })],
});

describe('segment values', () => {
  it('finds every value a rule compares with the data, at its path', () => {
    expect(ruleValues(campaign).map((v) => `${v.column} ${v.value} ${v.path.join('.')}`)).toEqual([
      'province 广东 segments.s.where.any.0.region.provinces.0',
      'province 海外 segments.s.where.any.0.region.provinces.1',
      'category coat segments.s.where.any.1.not.crossSell.bought.0',
      'category scarf segments.s.where.any.1.not.crossSell.never.0',
      'category detergent segments.s.where.any.2.replenishmentDue.category',
      'sku SKU-1 segments.s.where.any.3.earlyBuyer.sku.0',
      'category socks waves.0.audience.where.unitsBought.category.0',
    ]);
  });

  it('passes values in the data (a province by either name) and names the closest for the others', () => {
    const known: KnownValues = new Map([
      [
        'province',
        new Map([
          ['广东省', 120],
          ['海外', 3],
        ]),
      ],
      [
        'category',
        new Map([
          ['coat', 40],
          ['scarves', 7],
          ['detergent', 9],
          ['socks', 30],
        ]),
      ],
      ['sku', new Map()],
    ]);
    expect(valueFindings(ruleValues(campaign), known).map((f) => f.message)).toEqual([
      '"scarf" matches no customer; the data\'s category values are coat (40), socks (30), detergent (9), scarves (7)',
      '"SKU-1" matches no customer: the data has no sku values',
    ]);
  });

  it('ranks the same text folded, then a prefix, then a small edit distance; ties by customers', () => {
    const tiers = new Map([
      ['vip', 10],
      ['gold', 5],
      ['golden', 50],
    ]);
    expect(closest('VIP', tiers)).toBe('vip');
    expect(closest('ＶＩＰ', tiers)).toBe('vip');
    expect(closest('gol', tiers)).toBe('golden');
    expect(closest('gold', tiers)).toBe('gold');
    expect(closest('glod', tiers)).toBe('gold');
    expect(closest('diamond', tiers)).toBeNull();
    expect(
      closest(
        '广冬',
        new Map([
          ['广东省', 1],
          ['广西壮族自治区', 1],
        ]),
        true,
      ),
    ).toBe('广东省');
    expect(editDistance('聚划算', '聚划箅')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('glod', 'gold')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('segment values of the calendar predicates', () => {
  const withBands = testCampaign({
    id: 'b',
    name: 'Bands',
    segments: {
      s: { where: { all: [{ ageBand: ['18-25', 'unknown'] }, { season: { category: ['knitwear'] } }] } },
    },
    waves: [emailWave({ audience: { segment: 's' } })],
  });

  it('checks age bands and a season’s categories against the data, so a lake with other labels shows', () => {
    const values = ruleValues(withBands);
    expect(values.map((v) => `${v.column} ${v.value} ${v.path.join('.')}`)).toEqual([
      'ageBand 18-25 segments.s.where.all.0.ageBand.0',
      'ageBand unknown segments.s.where.all.0.ageBand.1',
      'category knitwear segments.s.where.all.1.season.category.0',
    ]);
    // A sample shop generated before the report bands: 18-24, 25-29, …
    const known: KnownValues = new Map([
      [
        'ageBand',
        new Map([
          ['18-24', 150],
          ['25-29', 250],
          ['unknown', 20],
        ]),
      ],
    ]);
    expect(valueFindings(values, known).map((f) => `${f.value}: ${f.message}`)).toEqual([
      expect.stringMatching(/^18-25: "18-25" matches no customer; .*18-24/),
    ]);
  });
});

describe('the queries for the values in the data', () => {
  it('parse as Trino: the API runs them on Athena (POST /campaigns/validate?data=true)', async () => {
    const asked: string[] = [];
    const recording = {
      query: async (sql: string) => {
        asked.push(sql);
        return { columns: [], rows: [] };
      },
      stream: async function* () {},
      close: async () => {},
    };
    const columns = ['province', 'acquisitionChannel', 'memberTier', 'ageBand', 'category', 'sku'] as const;
    await knownValues(recording, columns);
    expect(asked).toHaveLength(columns.length);
    for (const sql of asked)
      expect({ sql, errors: new TrinoSQL().validate(sql) }).toEqual({ sql, errors: [] });
  });
});
