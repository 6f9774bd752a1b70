import type { Campaign, Wave } from './campaign-schema.ts';

/**
 * The groups a wave sorts its audience into, in order (a customer belongs to the first one it matches):
 * a grouped pilot's `groups`, and for a rollout that picks groups its pilot's; null for any other wave.
 */
export function waveGroups(campaign: Pick<Campaign, 'waves'>, wave: Wave): readonly string[] | null {
  if (wave.pilot?.groups?.length) return wave.pilot.groups;
  if (wave.rollout?.pick !== 'group') return null;
  const from = wave.rollout.from;
  return campaign.waves.find((w) => w.id === from)?.pilot?.groups ?? null;
}
