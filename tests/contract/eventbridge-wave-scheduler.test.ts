import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeWaveScheduler, scheduleName } from '../../shared/api/aws/eventbridge-wave-scheduler.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { loadConfigFile } from '../../shared/campaign/config-file.ts';
import { ManualClock } from '../../shared/clock.ts';
import { loadDouble11, loadShopPolicy } from '../helpers/delivery-harness.ts';

// No Scheduler implementation runs here: the exact requests are asserted.
const scheduler = mockClient(SchedulerClient);
afterAll(() => scheduler.restore());
beforeEach(() => scheduler.reset());

const make = async (now: string) =>
  new EventBridgeWaveScheduler({
    client: new SchedulerClient({ region: 'cn-north-1' }),
    groupName: 'waves',
    launchWaveArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:launch-wave',
    roleArn: 'arn:aws-cn:iam::123456789012:role/invoke-launch-wave',
    policy: await loadShopPolicy(),
    clock: new ManualClock(new Date(now)),
  });

describe('EventBridge Scheduler as the API’s wave scheduler', () => {
  it('creates one self-deleting schedule per launched wave, at its start in the campaign’s zone', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const d11 = await loadDouble11();
    await (await make('2026-10-01T00:00:00Z')).schedule(d11, ['d11-preheat', 'd11-afternoon']);
    const calls = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        Name: 'double-11-2026.d11-preheat',
        GroupName: 'waves',
        Description: expect.stringContaining('预热'),
        ScheduleExpression: 'at(2026-10-25T10:00:00)',
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:launch-wave',
          RoleArn: 'arn:aws-cn:iam::123456789012:role/invoke-launch-wave',
          Input: '{"campaignId":"double-11-2026","waveId":"d11-preheat"}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      },
      expect.objectContaining({
        Name: 'double-11-2026.d11-afternoon',
        // The afternoon wave starts 14 h after the midnight cashback.
        ScheduleExpression: 'at(2026-11-11T14:00:00)',
      }),
    ]);
  });

  it('creates one cron schedule in the campaign’s zone for a recurring wave, its input carrying each run’s time', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    const memberDay = await loadConfigFile(Campaign, 'tests/fixtures/member-day-monthly.yaml');
    await (await make('2026-10-01T00:00:00Z')).schedule(memberDay, ['member-day']);
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: 'member-day.member-day',
        GroupName: 'waves',
        Description: '会员日: 每月15日会员日',
        ScheduleExpression: 'cron(0 10 15 * ? *)',
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        // From the first day's local midnight to the end of the last day (2027-10-31 in Shanghai).
        StartDate: new Date('2026-11-30T16:00:00Z'),
        EndDate: new Date('2027-10-31T16:00:00Z'),
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:launch-wave',
          RoleArn: 'arn:aws-cn:iam::123456789012:role/invoke-launch-wave',
          Input:
            '{"campaignId":"member-day","waveId":"member-day","timeZone":"Asia/Shanghai","scheduledTime":"<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      },
    ]);
  });

  it('schedules a start that has passed at the next whole minute at least a minute from now, and deletes schedules, already gone or not', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const d11 = await loadDouble11();
    const late = await make('2026-11-22T08:30:15Z'); // 16:30:15 in Shanghai
    await late.schedule(d11, ['d11-preheat']);
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input.ScheduleExpression).toBe(
      'at(2026-11-22T16:32:00)',
    );
    scheduler
      .on(DeleteScheduleCommand, { Name: 'double-11-2026.d11-preheat' })
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }))
      .on(DeleteScheduleCommand, { Name: 'double-11-2026.d11-cashback' })
      .resolves({});
    await late.unschedule('double-11-2026', ['d11-preheat', 'd11-cashback']);
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'double-11-2026.d11-preheat', GroupName: 'waves' },
      { Name: 'double-11-2026.d11-cashback', GroupName: 'waves' },
    ]);
  });

  it('names schedules within Scheduler’s 64 characters', () => {
    expect(scheduleName('a'.repeat(40), 'b'.repeat(40))).toHaveLength(64);
    expect(scheduleName('d11', 'wave one')).toBe('d11.wave-one');
  });
});
