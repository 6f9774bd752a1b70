import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { effectivePolicy } from '../../shared/campaign/contact-policy.ts';
import { DEFAULT_CONTACT_POLICY } from '../../shared/campaign/contact-policy-schema.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { waveAudienceSql } from '../../shared/segment/audience-sql.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { FIXTURE, RUN_AT } from './fixture-shop.ts';

let wh: DuckDbWarehouse;
beforeAll(async () => {
  wh = await DuckDbWarehouse.open(await writeFixtureLake(FIXTURE));
});
afterAll(async () => {
  await wh.close();
});

// The fixture shop: c01 gold (浙江), c02 normal (广东), c03 silver (北京), c05 diamond (广东); the others
// are normal members outside 广东. Groups in order: members, then guangdong — c05 is in both.
const wave = (id: string, extra: Record<string, unknown>) => ({
  id,
  audience: { where: { everyone: true } },
  channel: 'email',
  templates: { email: { subject: 'Hi', html: '<p>hi</p>' } },
  ...extra,
});
const campaign = Campaign.parse({
  id: 'grp',
  name: 'Groups',
  channels: { email: { from: 'shop <a@example.com>' } },
  holdoutPercent: 1,
  segments: {
    members: { where: { memberTier: ['gold', 'silver', 'diamond'] } },
    guangdong: { where: { region: { provinces: ['广东省'] } } },
  },
  waves: [
    wave('pilot', { start: '2026-11-11T00:00', pilot: { share: 100, groups: ['members', 'guangdong'] } }),
    wave('rollout', {
      start: '2026-11-12T00:00',
      rollout: { from: 'pilot', pick: 'group', resendPilot: true },
    }),
  ],
});

async function groups(waveId: string, picked?: string[]) {
  const w = campaign.waves.find((x) => x.id === waveId);
  if (!w) throw new Error(waveId);
  const input = {
    campaign,
    wave: w,
    policy: effectivePolicy(DEFAULT_CONTACT_POLICY, campaign),
    runAt: RUN_AT,
    recipients: { byValue: false },
    ...(picked ? { groups: picked } : {}),
  };
  const trino = waveAudienceSql({ ...input, dialect: 'trino' });
  expect(new TrinoSQL().validate(trino).map((e) => e.message)).toEqual([]);
  const { rows } = await wh.query(
    sql`SELECT customer_id, grp FROM (${waveAudienceSql({ ...input, dialect: 'duckdb' })}) a ORDER BY 1`,
  );
  return rows.map((r) => [r.customer_id, r.grp]);
}

describe('a grouped pilot and its rollout, audience', () => {
  it('puts each customer in the first group it matches, and leaves out customers in no group', async () => {
    expect(await groups('pilot')).toEqual([
      ['c01', 'members'],
      ['c02', 'guangdong'],
      ['c03', 'members'],
      ['c05', 'members'],
    ]);
  });

  it('restricts the rollout to the groups its decision picked, by the same first match', async () => {
    expect(await groups('rollout', ['guangdong'])).toEqual([['c02', 'guangdong']]);
    expect(await groups('rollout', ['members'])).toEqual([
      ['c01', 'members'],
      ['c03', 'members'],
      ['c05', 'members'],
    ]);
    // Before a decision (a preview or a forecast): every group of the pilot.
    expect((await groups('rollout')).map((r) => r[0])).toEqual(['c01', 'c02', 'c03', 'c05']);
  });
});
