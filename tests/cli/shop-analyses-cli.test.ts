import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANALYSES_SHOP } from '../helpers/analyses-shop.ts';
import { campaignCli } from '../helpers/campaign-cli.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';

/** Runs the real CLI in a child process, from the project folder (where campaigns/ is). */
const campaign = campaignCli;

let dataDir: string;
let policy: string;
beforeAll(async () => {
  dataDir = await writeFixtureLake(ANALYSES_SHOP);
  policy = join(dataDir, 'policy.yaml');
  await writeFile(policy, 'benchmarks:\n  repurchaseRate: { rate: 0.25, window: 52w, source: 某报告 }\n');
});

describe('the shop analyses in the CLI (the hand-written shop of tests/helpers/analyses-shop.ts)', () => {
  it('sql: repurchase_vs_industry compares with --policy, else with campaigns/contact-policy.yaml', () => {
    const query = 'SELECT window_days, shop_rate, industry_rate, industry_source FROM repurchase_vs_industry';
    const given = campaign(['sql', query, '--data-dir', dataDir, '--policy', policy, '--json']);
    expect(given.code).toBe(0);
    // 364 days: a, b and c are old enough (first purchase by 2025-02-06); a and b came back.
    expect(JSON.parse(given.stdout)).toEqual([
      { window_days: 364, shop_rate: 2 / 3, industry_rate: 0.25, industry_source: '某报告' },
    ]);
    const found = campaign(['sql', query, '--data-dir', dataDir, '--json']);
    expect(JSON.parse(found.stdout)).toEqual([
      {
        window_days: 180,
        shop_rate: 0.5,
        industry_rate: 0.2,
        industry_source: 'Second-purchase rate the shops quote, about 20% (docs/data-model.md)',
      },
    ]);
  });

  it('data profile: the repurchase rate against the industry, the returning share and members’ repurchase', () => {
    const r = campaign(['data', 'profile', '--data-dir', dataDir, '--policy', policy]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /second purchase within 364 days vs industry\s+66\.7% vs 25\.0% \(\+41\.7 pts\)\n/,
    );
    expect(r.stdout).toMatch(
      /returning customers' share, 7 days to 2026-02-05 \(orders \/ revenue\)\s+100\.0% \/ 100\.0%\n/,
    );
    // The latest month whose 30-day window the data covers is March 2025: a came back (a3 → a4), e did not.
    expect(r.stdout).toMatch(/30-day repurchase, members \/ non-members \(2025-03\)\s+100\.0% \/ 0\.0%\n/);
    const json = JSON.parse(
      campaign(['data', 'profile', '--data-dir', dataDir, '--policy', policy, '--json']).stdout,
    );
    expect(json.analyses.memberRepurchase30d).toEqual({ month: '2025-03', member: 1, nonMember: 0 });
  });

  it('refuses a policy whose industry figure is a percentage, naming the line', async () => {
    const bad = join(dataDir, 'bad.yaml');
    await writeFile(bad, 'benchmarks:\n  repurchaseRate:\n    rate: 20\n    window: 180d\n');
    const r = campaign(['data', 'profile', '--data-dir', dataDir, '--policy', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${bad}:3:11 benchmarks.repurchaseRate.rate: expected a fraction between 0 and 1, e.g. 0.2 for 20%`,
    );
  });
});
