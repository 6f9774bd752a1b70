import type { Campaign } from '../shared/campaign/campaign-schema.ts';
import { UserError } from '../shared/errors.ts';
import { isLocalDateTime, localToInstant } from '../shared/time/zoned-time.ts';

/** `--wave ID...`: every id must name a wave of the campaign. */
export function checkWaveIds(campaign: Campaign, file: string, ids: readonly string[] | undefined): void {
  const unknown = (ids ?? []).filter((w) => !campaign.waves.some((x) => x.id === w));
  if (unknown.length)
    throw new UserError(
      `--wave: no wave ${unknown.join(', ')} in ${file}; waves: ${campaign.waves.map((w) => w.id).join(', ')}`,
    );
}

/** A local date-time option (`--at`, `--until`) in the campaign's zone, as an instant. */
export function localTimeOption(
  name: string,
  value: string | undefined,
  campaign: Campaign,
): Date | undefined {
  if (value === undefined) return undefined;
  if (!isLocalDateTime(value)) throw new UserError(`${name} expects YYYY-MM-DDTHH:mm, got "${value}"`);
  return localToInstant(value, campaign.timeZone);
}
