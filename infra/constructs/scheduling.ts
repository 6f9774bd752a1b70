import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { scheduleName } from '../../shared/api/aws/eventbridge-wave-scheduler.ts';
import type { Campaign } from '../../shared/campaign/campaign-schema.ts';
import type { ContactPolicy } from '../../shared/campaign/contact-policy-schema.ts';
import { seriesSchedule } from '../../shared/campaign/series-schedule.ts';
import { scheduleCampaign } from '../../shared/delivery/campaign-catalog.ts';
import { instantToLocal } from '../../shared/time/zoned-time.ts';

export interface SchedulingProps {
  campaigns: Campaign[];
  policy: ContactPolicy;
  launchWave: IFunction;
  /** Waves starting before this are not scheduled: a deployment never fires a past wave. */
  from: Date;
}

/**
 * One EventBridge Scheduler schedule per upcoming wave of the campaigns deployed as code, in one schedule
 * group: a one-time `at()` in the campaign's time zone that invokes launch-wave with the wave's ids; for
 * a recurring or triggered wave one `cron()` schedule in the zone, from its first day to its last, whose
 * input carries each run's scheduled time (series-schedule.ts).
 * (Campaigns created through the API get theirs at runtime, with ActionAfterCompletion DELETE.)
 */
export class Scheduling extends Construct {
  readonly group: CfnScheduleGroup;
  readonly schedules: CfnSchedule[] = [];
  /** The role schedules invoke launch-wave with (the API passes it to the schedules it makes). */
  readonly invokeRole: Role;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    this.group = new CfnScheduleGroup(this, 'Waves', {});
    const role = new Role(this, 'InvokeLaunchWave', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    props.launchWave.grantInvoke(role);
    this.invokeRole = role;
    for (const campaign of props.campaigns) {
      for (const sw of scheduleCampaign(campaign, props.policy)) {
        if (sw.start < props.from) continue;
        const schedule = new CfnSchedule(this, `${campaign.id}-${sw.wave.id}`, {
          name: scheduleName(campaign.id, sw.wave.id),
          groupName: this.group.ref,
          description: `${campaign.name}: ${sw.wave.name ?? sw.wave.id}`,
          scheduleExpression: `at(${instantToLocal(sw.start, campaign.timeZone).slice(0, 16)}:00)`,
          scheduleExpressionTimezone: campaign.timeZone,
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: props.launchWave.functionArn,
            roleArn: role.roleArn,
            input: JSON.stringify({ campaignId: campaign.id, waveId: sw.wave.id }),
            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          },
        });
        this.schedules.push(schedule);
      }
      // A recurring or triggered wave: one schedule for all its runs, a cron in the campaign's zone.
      for (const wave of campaign.waves) {
        const series = seriesSchedule(campaign, wave);
        if (!series || (series.end && series.end <= props.from)) continue;
        const schedule = new CfnSchedule(this, `${campaign.id}-${wave.id}`, {
          name: scheduleName(campaign.id, wave.id),
          groupName: this.group.ref,
          description: `${campaign.name}: ${wave.name ?? wave.id}`,
          scheduleExpression: series.expression,
          scheduleExpressionTimezone: series.timeZone,
          startDate: new Date(Math.max(series.start.getTime(), props.from.getTime())).toISOString(),
          ...(series.end ? { endDate: series.end.toISOString() } : {}),
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: props.launchWave.functionArn,
            roleArn: role.roleArn,
            input: series.input,
            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          },
        });
        this.schedules.push(schedule);
      }
    }
  }
}
