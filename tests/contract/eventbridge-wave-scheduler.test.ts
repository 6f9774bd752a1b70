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
