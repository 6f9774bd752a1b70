import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunningServer } from '../../local/api-server.ts';
import { apiClient, serveSampleShop } from '../helpers/api-client.ts';

/**
 * `campaign serve` runs one-off waves only: a launch (or resume) of a recurring or triggered wave is
 * refused with the wave and `campaign run`, and changes nothing — it is never left scheduled and silent.
 */
const KEY = 'test-api-key-0123456789';
let server: RunningServer;
const call = apiClient(() => server.url, KEY);

const memberDay = parse(readFileSync('campaigns/member-day.yaml', 'utf8')) as Record<string, unknown>;
/** A one-off wave before the monthly one, so a launch of that wave alone can go ahead. */
const oneOff = {
  id: 'welcome',
  start: '2027-01-10T10:00',
  sendBy: '4h',
  audience: { segment: 'members' },
  channel: 'email',
  link: 'https://youpin.example.com/welcome',
  templates: {
    email: {
      subject: '欢迎',
      html: '<p>欢迎</p><p><a href="{{ link }}">看看</a></p><p><a href="{{ unsubscribeUrl }}">退订</a></p>',
    },
  },
};
const recurring = { ...memberDay, id: 'member-day-serve', waves: [oneOff, ...(memberDay.waves as object[])] };
const triggered = {
  ...memberDay,
  id: 'unpaid-serve',
  contactPolicy: undefined,
  segments: undefined,
  waves: [
    {
      id: 'unpaid',
      trigger: { on: 'order-unpaid', after: '2h', every: '15m', from: '2027-01-01' },
      sendBy: '2h',
      category: 'transactional',
      audience: { where: { everyone: true } },
      channel: 'sms',
      templates: { sms: '{{ signature }}您的订单还未付款 {{ optOut }}' },
    },
  ],
};

beforeAll(async () => {
  ({ server } = await serveSampleShop(2_000, KEY));
});
afterAll(async () => {
  await server.close();
});

describe('campaign serve and waves it does not run', () => {
  it('refuses to launch a recurring or a triggered wave, naming it and campaign run; nothing changes', async () => {
    for (const [body, wave, kind] of [
      [recurring, 'member-day', 'a recurring wave (repeat:)'],
      [triggered, 'unpaid', 'a triggered wave (trigger:)'],
    ] as const) {
      expect((await call('POST', '/campaigns', { body })).status).toBe(201);
      const launched = await call('POST', `/campaigns/${body.id}/launch`);
      expect(launched.status).toBe(400);
      expect(launched.json.errors).toEqual([
        {
          path: '',
          message: `campaign ${body.id}: wave ${wave} is ${kind}, which campaign serve does not run; run the campaign with \`npx campaign run <file>\` (it fires every occurrence or tick), or launch only its one-off waves`,
        },
      ]);
      const after = await call('GET', `/campaigns/${body.id}`);
      expect(after.json).toMatchObject({ state: 'draft', version: 1 });
      expect(Object.values(after.json.waves as Record<string, string>).every((s) => s === 'pending')).toBe(
        true,
      );
    }
  });

  it('launches the one-off wave of a campaign that also has a recurring one', async () => {
    const one = await call('POST', `/campaigns/${recurring.id}/launch?wave=welcome`);
    expect(one.status).toBe(200);
    expect(one.json.waves).toMatchObject({ welcome: 'scheduled', 'member-day': 'pending' });
    await server.scheduler.idle();
    const status = await call('GET', `/campaigns/${recurring.id}/status`);
    const waves = status.json.waves as { waveId: string; reconciles: boolean; lifecycle: string }[];
    expect(waves.find((w) => w.waveId === 'welcome')).toMatchObject({ reconciles: true, lifecycle: 'done' });
    const rest = await call('POST', `/campaigns/${recurring.id}/launch?wave=member-day`);
    expect(rest.status).toBe(400);
    expect((rest.json.errors as { message: string }[])[0]?.message).toContain(
      'wave member-day is a recurring wave',
    );
  });
});
