import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { generateShop } from '../../shared/shop/local/generate/generate-shop.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';

/**
 * `campaign validate` checks segment values against the shop's data: a value that selects nobody is a
 * warning naming the closest value in the data and how many customers it selects (exit 0, or 1 with
 * --strict); a short province name selects its province and is no warning.
 */
let dir: string;
let dataDir: string;
let file: string;
/** Customers per value, from the data, to compare the warnings' counts with. */
const counts: Record<string, Record<string, number>> = {};

const campaign = (args: string[]) => campaignCli(args, { timeout: 60_000 });

const CAMPAIGN = `id: data-check
name: Data check
channels:
  email:
    from: Shop <crm@shop.example.com>
segments:
  south-vip:
    where:
      all:
        - region: { provinces: [广东, 上海市] }
        - memberTier: [VIP, GOLD]
        - acquisitionChannel: [淘抢, 抖音]
waves:
  - id: a
    start: "2026-11-11T10:00"
    audience: { segment: south-vip }
    channel: email
    templates:
      email: { subject: Hi, html: "<p>{{ customer.name }}</p>" }
  - id: b
    start: "2026-11-12T10:00"
    audience:
      where: { bought: { category: [tshrt, coat] } }
    channel: email
    templates:
      email: { subject: Hi, html: "<p>{{ customer.name }}</p>" }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'validate-data-'));
  dataDir = join(dir, 'data');
  await generateShop({ dataDir, customers: 2000, orders: 10_000, seed: 5, asOf: '2026-10-20' });
  const wh = await DuckDbWarehouse.open(dataDir);
  try {
    for (const [name, query] of [
      ['member_tier', sql`SELECT member_tier AS v, count(*) AS n FROM customers GROUP BY ALL`],
      [
        'acquisition_channel',
        sql`SELECT acquisition_channel AS v, count(*) AS n FROM customers GROUP BY ALL`,
      ],
      [
        'category',
        sql`SELECT category AS v, count(DISTINCT customer_id) AS n FROM order_items WHERE order_status = 'paid' GROUP BY ALL`,
      ],
    ] as const) {
      const { rows } = await wh.query(query);
      counts[name] = Object.fromEntries(rows.map((r) => [String(r.v), Number(r.n)]));
    }
  } finally {
    await wh.close();
  }
  file = join(dir, 'data-check.yaml');
  await writeFile(file, CAMPAIGN);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const n = (x: number | undefined) => (x ?? Number.NaN).toLocaleString('en-US');
/** The data's values of a column with their counts, most customers first, as the warning lists them. */
const listed = (column: string) =>
  Object.entries(counts[column] ?? {})
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([v, c]) => `${v} (${n(c)})`)
    .join(', ');

describe('campaign validate against the data', () => {
  it('warns of values that select nobody, with the closest value and its count; short province names pass', () => {
    const r = campaign(['validate', file, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok   ${file}\n`);
    expect(r.stderr.split('\n')).toEqual([
      `${file}:11:24 segments.south-vip.where.all[1].memberTier[0]: "VIP" matches no customer; the data's member tier values are ${listed('member_tier')}`,
      `${file}:11:29 segments.south-vip.where.all[1].memberTier[1]: "GOLD" matches no customer; did you mean "gold" (${n(counts.member_tier?.gold)} customers)?`,
      `${file}:12:32 segments.south-vip.where.all[2].acquisitionChannel[0]: "淘抢" matches no customer; did you mean "淘抢购" (${n(counts.acquisition_channel?.淘抢购)} customers)?`,
      `${file}:12:36 segments.south-vip.where.all[2].acquisitionChannel[1]: "抖音" matches no customer; the data's acquisition channel values are ${listed('acquisition_channel')}`,
      `${file}:23:37 waves[1].audience.where.bought.category[0]: "tshrt" matches no customer; did you mean "tshirt" (${n(counts.category?.tshirt)} customers)?`,
      '5 warning(s): segment values that select no customer',
      '',
    ]);
  });

  it('fails on the warnings with --strict, and gives them in JSON', () => {
    const strict = campaign(['validate', file, '--data-dir', dataDir, '--strict', '--json']);
    expect(strict.code).toBe(1);
    const json = JSON.parse(strict.stdout);
    expect(json.ok).toBe(false);
    expect(json.dataCheck).toEqual({ checked: true, dataDir });
    expect(json.files[0].problems).toEqual([]);
    expect(json.files[0].warnings[0]).toEqual({
      file,
      line: 11,
      column: 24,
      path: 'segments.south-vip.where.all[1].memberTier[0]',
      message: `"VIP" matches no customer; the data's member tier values are ${listed('member_tier')}`,
    });
    expect(json.files[0].warnings).toHaveLength(5);
  });

  it('says when there is no lake to check the values against', async () => {
    const empty = join(dir, 'no-data');
    const r = campaign(['validate', file, '--data-dir', empty, '--strict']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `ok   ${file}\nsegment values were not checked against data: no lake in ${empty}\n`,
    );
  });
});
