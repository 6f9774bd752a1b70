import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { Campaign } from '../../campaign/campaign-schema.ts';
import type { ContactPolicy } from '../../campaign/contact-policy-schema.ts';
import { seriesSchedule } from '../../campaign/series-schedule.ts';
import type { Clock } from '../../clock.ts';
import { scheduleCampaign } from '../../delivery/campaign-catalog.ts';
import { instantToLocal } from '../../time/zoned-time.ts';
import type { WaveScheduler } from '../wave-scheduler.ts';

/** A schedule name from a wave (64 characters at most, [0-9A-Za-z-_.]): the same at deploy and at runtime. */
export function scheduleName(campaignId: string, waveId: string): string {
  const name = `${campaignId}.${waveId}`.replace(/[^0-9A-Za-z_.-]/g, '-');
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}-${hash}`;
}

export interface EventBridgeWaveSchedulerOptions {
  client: SchedulerClient;
  /** The schedule group the stack created, the launch-wave function and the role that may invoke it. */
  groupName: string;
  launchWaveArn: string;
  roleArn: string;
  policy: ContactPolicy;
  clock: Clock;
}

/** A start already past (or too close) is scheduled at least this far ahead: Scheduler needs a future `at()`. */
const LEAD_MS = 60_000;

/**
 * Campaigns launched through the API get their waves scheduled at runtime: one-time EventBridge
 * Scheduler schedules (`at()` in the campaign's time zone) that invoke launch-wave with the wave's ids
 * and delete themselves after (ActionAfterCompletion DELETE). Unscheduling deletes them; one already
 * gone (fired, or never made) is fine.
 */
export class EventBridgeWaveScheduler implements WaveScheduler {
  readonly #o: EventBridgeWaveSchedulerOptions;

  constructor(options: EventBridgeWaveSchedulerOptions) {
    this.#o = options;
  }

  async schedule(campaign: Campaign, waveIds: readonly string[]): Promise<void> {
    // Whole minutes: a wave's start is a local date-time to the minute, and so is the lead.
    const earliest = Math.ceil((this.#o.clock.now().getTime() + LEAD_MS) / 60_000) * 60_000;
    for (const sw of scheduleCampaign(campaign, this.#o.policy)) {
      if (!waveIds.includes(sw.wave.id)) continue;
      const at = new Date(Math.max(sw.start.getTime(), earliest));
      await this.#o.client.send(
        new CreateScheduleCommand({
          Name: scheduleName(campaign.id, sw.wave.id),
          GroupName: this.#o.groupName,
          Description: `${campaign.name}: ${sw.wave.name ?? sw.wave.id}`.slice(0, 512),
          ScheduleExpression: `at(${instantToLocal(at, campaign.timeZone).slice(0, 16)}:00)`,
          ScheduleExpressionTimezone: campaign.timeZone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.#o.launchWaveArn,
            RoleArn: this.#o.roleArn,
            Input: JSON.stringify({ campaignId: campaign.id, waveId: sw.wave.id }),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      );
    }
    await this.#scheduleSeries(campaign, waveIds, earliest);
  }

  /** A recurring or triggered wave: one cron schedule in the campaign's zone for all its runs, kept until its last day. */
  async #scheduleSeries(campaign: Campaign, waveIds: readonly string[], earliest: number): Promise<void> {
    for (const wave of campaign.waves) {
      const series = waveIds.includes(wave.id) ? seriesSchedule(campaign, wave) : null;
      if (!series || (series.end && series.end.getTime() <= earliest)) continue;
      await this.#o.client.send(
        new CreateScheduleCommand({
          Name: scheduleName(campaign.id, wave.id),
          GroupName: this.#o.groupName,
          Description: `${campaign.name}: ${wave.name ?? wave.id}`.slice(0, 512),
          ScheduleExpression: series.expression,
          ScheduleExpressionTimezone: series.timeZone,
          StartDate: new Date(Math.max(series.start.getTime(), earliest)),
          ...(series.end ? { EndDate: series.end } : {}),
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: this.#o.launchWaveArn,
            RoleArn: this.#o.roleArn,
            Input: series.input,
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      );
    }
  }

  async unschedule(campaignId: string, waveIds: readonly string[]): Promise<void> {
    for (const waveId of waveIds) {
      try {
        await this.#o.client.send(
          new DeleteScheduleCommand({ Name: scheduleName(campaignId, waveId), GroupName: this.#o.groupName }),
        );
      } catch (e) {
        if (!(e instanceof ResourceNotFoundException)) throw e;
      }
    }
  }
}
