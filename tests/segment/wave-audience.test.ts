import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { parseConfigText } from '../../shared/campaign/config-file.ts';
import { effectivePolicy } from '../../shared/campaign/contact-policy.ts';
import { DEFAULT_CONTACT_POLICY } from '../../shared/campaign/contact-policy-schema.ts';
import { resolveWaveSchedule } from '../../shared/campaign/wave-schedule.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { sql } from '../../shared/lake/sql.ts';
import { waveAudienceSql } from '../../shared/segment/audience-sql.ts';
import { writeFixtureLake } from '../helpers/fixture-lake.ts';
import { FIXTURE, RUN_AT, SENDS } from './fixture-shop.ts';

let wh: DuckDbWarehouse;

const campaign = (
  over: {
    holdoutPercent?: number;
    category?: 'marketing' | 'transactional';
    channel?: 'email' | 'call-list';
  } = {},
) =>
  Campaign.parse({
    id: 'aud',
    name: 'Audience test',
    channels: {
      email: { from: 'shop <a@example.com>' },
      sms: { signature: '【小店】', optOutText: '回T退订' },
      'call-list': {},
    },
    holdoutPercent: over.holdoutPercent ?? 0,
    waves: [
      {
        id: 'w1',
        start: '2026-11-11T00:00',
        category: over.category ?? 'marketing',
        audience: { where: { everyone: true } },
        channel: over.channel ?? 'email',
        fallback: over.channel ? [] : ['sms'],
        tiers: over.channel
          ? []
          : [{ name: 'vip', when: { by: 'spend', topPercent: 20 }, channel: 'call-list' }],
        templates: {
          email: { subject: 'Hi', html: '<p>hi</p>' },
          sms: '{{ signature }}hi {{ optOut }}',
          'call-list': { talkingPoints: 'thank them' },
        },
      },
    ],
  });

async function audience(c: Campaign) {
  const wave = c.waves[0];
  if (!wave) throw new Error('no wave');
  const input = { campaign: c, wave, policy: effectivePolicy(DEFAULT_CONTACT_POLICY, c), runAt: RUN_AT };
  expect(
    new TrinoSQL().validate(waveAudienceSql({ ...input, dialect: 'trino' })).map((e) => e.message),
  ).toEqual([]);
  const { rows } = await wh.query(
    sql`${waveAudienceSql({ ...input, dialect: 'duckdb' })} ORDER BY customer_id`,
  );
  return rows.map((r) => [r.customer_id, r.step, r.reason ?? r.channel]);
}

beforeAll(async () => {
  const suppressions = [
    { customer_id: 'c04', channel: 'email', reason: 'bounced', created_at: '2026-10-01 00:00:00' },
    { customer_id: 'c05', channel: 'email', reason: 'bounced', created_at: '2026-10-01 00:00:00' },
    { customer_id: 'c07', channel: 'any', reason: 'opt-out', created_at: '2026-10-01 00:00:00' },
    { customer_id: 'c02', channel: 'sms', reason: 'opt-out', created_at: '2026-10-01 00:00:00' },
  ];
  wh = await DuckDbWarehouse.open(await writeFixtureLake({ ...FIXTURE, suppressions }));
});
afterAll(async () => {
  await wh.close();
});

describe('a wave audience, step by step', () => {
  it('applies consent and suppression, value tiers with fallback, and the caps already used', async () => {
    // Spend rank: c05 is the top 20% → vip → call-list (its email bounced, the call needs only a phone).
    // c01 was sent a marketing SMS 16 days before the run: marketing-monthly (1 per 30d) is full.
    // c06, c08 have no email → SMS. c02 has no email (the first candidate's reason) and opted out of SMS.
    // c03 consented to nothing. c04's email bounced and it has no phone. c07 opted out of everything.
    expect(await audience(campaign())).toEqual([
      ['c01', 'capped', 'marketing-monthly'],
      ['c02', 'suppressed', 'no-address'],
      ['c03', 'suppressed', 'opt-out'],
      ['c04', 'suppressed', 'bounced'],
      ['c05', 'eligible', 'call-list'],
      ['c06', 'eligible', 'sms'],
      ['c07', 'suppressed', 'opt-out'],
      ['c08', 'eligible', 'sms'],
    ]);
  });

  it('exempts transactional waves from marketing caps, never from opt-out', async () => {
    const rows = await audience(campaign({ category: 'transactional' }));
    expect(rows.find((r) => r[0] === 'c01')).toEqual(['c01', 'eligible', 'email']);
    expect(rows.find((r) => r[0] === 'c07')).toEqual(['c07', 'suppressed', 'opt-out']);
  });

  it('calls no one who opted out of SMS or of everything, or never agreed to marketing on their phone', async () => {
    // The call list dials the SMS number: c02 opted out of SMS, c03 never consented, c07 opted out of
    // everything, c04 has no phone. (Transactional: the caps already used are beside the point here.)
    expect(await audience(campaign({ channel: 'call-list', category: 'transactional' }))).toEqual([
      ['c01', 'eligible', 'call-list'],
      ['c02', 'suppressed', 'opt-out'],
      ['c03', 'suppressed', 'opt-out'],
      ['c04', 'suppressed', 'no-address'],
      ['c05', 'eligible', 'call-list'],
      ['c06', 'eligible', 'call-list'],
      ['c07', 'suppressed', 'opt-out'],
      ['c08', 'eligible', 'call-list'],
    ]);
  });

  it('keeps holdout customers in the audience, marked, by the MD5 bucket of campaign:customer', async () => {
    const inHoldout = (id: string) =>
      Number.parseInt(createHash('md5').update(`aud:${id}`).digest('hex').slice(0, 8), 16) % 10000 < 5000;
    const rows = await audience(campaign({ holdoutPercent: 50 }));
    const reachable = ['c05', 'c06', 'c08'];
    for (const id of reachable) {
      expect(rows.find((r) => r[0] === id)?.[1]).toBe(inHoldout(id) ? 'holdout' : 'eligible');
    }
    expect(rows).toHaveLength(8);
  });
});

describe('the caps already used', () => {
  it('count each send once, however the at-least-once ledger repeated or rewrote its sent row', async () => {
    // c01: one send as three rows — an exact repeat (a redelivered batch) and a row with another sent_at
    // (a sent row written again, e.g. by crash recovery) — is one message. c06: two sends are two.
    const c01 = SENDS.find((s) => s.send_id === 'd11/preheat/c01');
    if (!c01) throw new Error('the fixture has no send to c01');
    const send = (over: Record<string, unknown>) => ({ ...c01, ...over });
    const sends = [
      c01,
      c01,
      send({ sent_at: '2026-10-25 02:07:00' }),
      send({ send_id: 'd11/preheat/c06', customer_id: 'c06' }),
      send({ send_id: 'd11/teaser/c06', wave_id: 'teaser', customer_id: 'c06' }),
    ];
    const lake = await DuckDbWarehouse.open(await writeFixtureLake({ ...FIXTURE, sends }));
    try {
      const c = campaign();
      const wave = c.waves[0];
      if (!wave) throw new Error('no wave');
      const twice = {
        id: 'marketing-twice',
        appliesTo: 'marketing',
        channels: 'any',
        max: 2,
        window: '30d',
      } as const;
      const policy = effectivePolicy({ ...DEFAULT_CONTACT_POLICY, caps: [twice] }, c);
      const audienceSql = waveAudienceSql({ campaign: c, wave, policy, runAt: RUN_AT, dialect: 'duckdb' });
      const { rows } = await lake.query(sql`${audienceSql} ORDER BY customer_id`);
      const step = (id: string) => rows.find((r) => r.customer_id === id)?.step;
      expect([step('c01'), step('c06')]).toEqual(['eligible', 'capped']);
    } finally {
      await lake.close();
    }
  });
});

describe('every example wave', () => {
  it('compiles to an audience query that parses as Trino and runs in DuckDB', async () => {
    const trino = new TrinoSQL();
    let waves = 0;
    for (const f of readdirSync('campaigns').filter((x) => x !== 'contact-policy.yaml')) {
      const c = parseConfigText(Campaign, readFileSync(`campaigns/${f}`, 'utf8'), f);
      const schedule = resolveWaveSchedule(c.waves, c.timeZone);
      for (const [i, wave] of c.waves.entries()) {
        const runAt = schedule.times[i]?.start ?? RUN_AT;
        const input = { campaign: c, wave, policy: effectivePolicy(DEFAULT_CONTACT_POLICY, c), runAt };
        expect({
          wave: wave.id,
          errors: trino.validate(waveAudienceSql({ ...input, dialect: 'trino' })).map((e) => e.message),
        }).toEqual({
          wave: wave.id,
          errors: [],
        });
        const { rows } = await wh.query(
          sql`SELECT count(*) AS n FROM (${waveAudienceSql({ ...input, dialect: 'duckdb' })}) a`,
        );
        expect(Number(rows[0]?.n)).toBeLessThanOrEqual(8);
        waves += 1;
      }
    }
    expect(waves).toBe(23); // the nine example campaigns' waves: a new campaign's waves are checked too
  });
});
