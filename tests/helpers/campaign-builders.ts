import type { z } from 'zod';
import { Campaign, type CampaignInput, type Wave } from '../../shared/campaign/campaign-schema.ts';

/** The sender every email test campaign uses. */
export const TEST_EMAIL_FROM = 'shop <crm@shop.example.com>';

type WaveInput = z.input<typeof Wave>;

/**
 * A wave for a test campaign: an email to everyone at 11 Nov 10:00 with a one-line template. Override only
 * what the test is about.
 */
export function emailWave(over: Partial<WaveInput> = {}): WaveInput {
  return {
    id: 'w',
    start: '2026-11-11T10:00',
    audience: { where: { everyone: true } },
    channel: 'email',
    templates: { email: { subject: 'a', html: 'b' } },
    ...over,
  };
}

/**
 * A test campaign, parsed (so defaults are filled as from a file): one email channel and the waves given
 * (by default one `emailWave()`). `over` replaces any other field.
 */
export function testCampaign(over: Partial<CampaignInput> & Pick<CampaignInput, 'id'>): Campaign {
  return Campaign.parse({
    name: over.id,
    channels: { email: { from: TEST_EMAIL_FROM } },
    waves: [emailWave()],
    ...over,
  });
}

/** The wave of `campaign` with this id; a test that names a wave the campaign lacks fails here, by name. */
export function waveOf(campaign: Campaign, id: string): Wave {
  const wave = campaign.waves.find((w) => w.id === id);
  if (!wave)
    throw new Error(`campaign ${campaign.id} has no wave ${id} (it has ${campaign.waves.map((w) => w.id)})`);
  return wave;
}

/**
 * A copy of `base` (e.g. the Double-11 from campaigns/) that runs only `waves`, without the campaign's
 * budget (so only a wave's own limits apply); `over` changes anything else, e.g. `contactPolicy: undefined`
 * to leave the shop's caps alone.
 */
export function copyWithWaves(base: Campaign, waves: Wave[], over: Partial<Campaign> = {}): Campaign {
  return { ...base, budget: undefined, waves, ...over };
}
