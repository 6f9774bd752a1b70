import type { z } from 'zod';
import type { Campaign } from './campaign-schema.ts';

type CampaignValue = z.output<typeof Campaign>;
type Path = (string | number)[];
type Issue = (path: Path, message: string) => void;

/**
 * A pilot over groups (`pilot: { groups: [...] }`): each group names a segment of the campaign, once, and
 * the wave has a holdout to compare each group with — groups differ in how much they buy anyway, so only
 * a group's treated customers against its own held-out customers say what the message added.
 */
export function checkPilotGroups(c: CampaignValue, issue: Issue): void {
  const known = Object.keys(c.segments);
  for (const [i, w] of c.waves.entries()) {
    const groups = w.pilot?.groups;
    if (!groups) continue;
    const at: Path = ['waves', i, 'pilot', 'groups'];
    const seen = new Set<string>();
    groups.forEach((g, k) => {
      if (!(g in c.segments))
        issue([...at, k], `unknown segment "${g}"; defined: ${known.join(', ') || 'none'}`);
      else if (seen.has(g)) issue([...at, k], `group "${g}" is listed twice`);
      seen.add(g);
    });
    if (w.category === 'notice')
      issue(at, 'a notice wave has no holdout, and a pilot over groups is read against its holdout');
    else if (!(c.holdoutPercent > 0))
      issue(
        at,
        'a pilot over groups needs a holdout (holdoutPercent above 0): each group is read against its own held-out customers, since groups differ in how much they buy anyway',
      );
  }
}

/**
 * A rollout that picks groups (`pick: group`) reads the groups of its pilot, named once there, in that
 * order; `otherwise` is `all` (every group) or one of them.
 */
export function checkGroupRollout(
  c: CampaignValue,
  i: number,
  pilot: CampaignValue['waves'][number],
  issue: Issue,
): void {
  const w = c.waves[i];
  const r = w?.rollout;
  if (!r) return;
  const at: Path = ['waves', i, 'rollout'];
  const groups = pilot.pilot?.groups;
  if (!groups?.length) {
    issue(
      [...at, 'pick'],
      `picking a group needs \`groups\` on the pilot "${pilot.id}" (pilot: { share, groups: [segment, …] })`,
    );
    return;
  }
  if (r.otherwise !== 'all' && !groups.includes(r.otherwise))
    issue([...at, 'otherwise'], `expected all or one of the pilot's groups: ${groups.join(', ')}`);
}
