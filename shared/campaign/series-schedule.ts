import { localToInstant } from '../time/zoned-time.ts';
import type { Campaign, Wave } from './campaign-schema.ts';
import { cronExpression } from './wave-repeat.ts';
import { triggerCronExpression } from './wave-trigger.ts';

/**
 * What an EventBridge Scheduler schedule for a wave that runs more than once holds: a cron expression in
 * the campaign's zone (a recurring wave's rule, or a triggered wave's tick), its first and last day, and
 * the launch input with the occurrence's time — Scheduler puts the time the run was scheduled for in
 * place of `<aws.scheduler.scheduled-time>`, and launch-wave names the run by it (wave-repeat.ts).
 */
export interface SeriesSchedule {
  expression: string;
  timeZone: string;
  start: Date;
  /** After the last day; none for a wave without `until`. */
  end?: Date;
  input: string;
}

export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

export function seriesSchedule(campaign: Campaign, wave: Wave): SeriesSchedule | null {
  const rule = wave.repeat ?? wave.trigger;
  if (!rule) return null;
  const expression = wave.repeat
    ? cronExpression(wave.repeat)
    : triggerCronExpression(rule as NonNullable<Wave['trigger']>);
  const end = rule.until
    ? new Date(localToInstant(`${rule.until}T00:00`, campaign.timeZone).getTime() + 86_400_000)
    : undefined;
  return {
    expression,
    timeZone: campaign.timeZone,
    start: localToInstant(`${rule.from}T00:00`, campaign.timeZone),
    ...(end ? { end } : {}),
    input: JSON.stringify({
      campaignId: campaign.id,
      waveId: wave.id,
      timeZone: campaign.timeZone,
      scheduledTime: SCHEDULED_TIME,
    }),
  };
}
