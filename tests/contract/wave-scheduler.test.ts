import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  type DeleteScheduleCommandInput,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { openLocalDelivery } from '../../local/local-delivery.ts';
import { EventBridgeWaveScheduler } from '../../shared/api/aws/eventbridge-wave-scheduler.ts';
import { JournalCampaignStore } from '../../shared/api/local/journal-campaign-store.ts';
import { LocalWaveScheduler } from '../../shared/api/local/local-wave-scheduler.ts';
import type { WaveScheduler } from '../../shared/api/wave-scheduler.ts';
import { Campaign } from '../../shared/campaign/campaign-schema.ts';
import { ManualClock, realTimeline, systemClock } from '../../shared/clock.ts';
import { DuckDbWarehouse } from '../../shared/lake/local/duckdb-warehouse.ts';
import { localToInstant } from '../../shared/time/zoned-time.ts';
import { type ContractAdapter, contractSuite, type Made } from '../helpers/contract-suite.ts';
import { loadShopPolicy } from '../helpers/delivery-harness.ts';

/** A wave the scheduler started (or will start): which, and when. */
interface Start {
  campaignId: string;
  waveId: string;
  at: string;
}

/**
 * The scheduler; `launched` does what the API does before it schedules (records the waves as scheduled);
 * `starts` lists the waves started since the last call and when (locally: the timers are run out on a fake
 * clock; on AWS: the schedules created and not deleted); `setNow` moves the clock.
 */
type Subject = Made<WaveScheduler> & {
  launched: (campaign: Campaign, waveIds: readonly string[]) => Promise<void>;
  starts: () => Promise<Start[]>;
  setNow: (now: Date) => void;
};

const T0 = new Date('2026-10-01T00:00:00Z');
const D11 = parse(readFileSync('campaigns/double-11.yaml', 'utf8')) as Record<string, unknown>;
/** Double-11 under an id of the test's own: each test's waves are its own. */
const d11 = (id: string) => Campaign.parse({ ...D11, id });

const adapters: ContractAdapter<Subject>[] = [
  {
    name: 'local timers (fake clock)',
    make: async () => {
      // The local scheduler runs a started wave through the local delivery (over an empty data folder: an
      // audience of 0) and logs it: the log says which wave started, the fake clock when.
      const dataDir = await mkdtemp(join(tmpdir(), 'wave-scheduler-'));
      const store = new JournalCampaignStore(join(dataDir, 'campaigns'));
      const warehouse = await DuckDbWarehouse.open(dataDir);
      const local = openLocalDelivery(dataDir, systemClock);
      const started: Start[] = [];
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
      const scheduler = new LocalWaveScheduler({
        store,
        local,
        warehouse,
        dataDir,
        policy: await loadShopPolicy(),
        log: (line) => {
          const m = /^[✔✖] ([^/]+)\/(\S+?):/.exec(line);
          if (m) started.push({ campaignId: m[1] ?? '', waveId: m[2] ?? '', at: new Date().toISOString() });
        },
        timeline: realTimeline(),
        simulated: null,
      });
      return {
        port: scheduler,
        launched: async (campaign, waveIds) => {
          const waves = Object.fromEntries(waveIds.map((w) => [w, 'scheduled' as const]));
          const now = new Date().toISOString();
          const stored = {
            id: campaign.id,
            config: { ...D11, id: campaign.id },
            state: 'scheduled' as const,
          };
          await store.create({ ...stored, waves, version: 1, createdAt: now, updatedAt: now });
        },
        starts: async () => {
          // Timer by timer, each started wave's run finished before the clock moves on.
          while (vi.getTimerCount() > 0) {
            await vi.advanceTimersToNextTimerAsync();
            await scheduler.idle();
          }
          return started.splice(0);
        },
        setNow: (now) => vi.setSystemTime(now),
        stop: async () => {
          scheduler.close();
          vi.useRealTimers();
          await Promise.all([store.close(), local.close(), warehouse.close()]);
        },
      };
    },
  },
  {
    name: 'EventBridge Scheduler (aws-sdk-client-mock: exact requests)',
    make: async () => {
      // No Scheduler implementation runs here. The mock keeps the schedules made, as Scheduler would:
      // a name can be deleted once, and deleting one that does not exist is ResourceNotFound.
      const scheduler = mockClient(SchedulerClient);
      const live = new Set<string>();
      scheduler
        .on(CreateScheduleCommand)
        .callsFake((input: CreateScheduleCommandInput) => {
          live.add(String(input.Name));
          return { ScheduleArn: `arn:aws-cn:scheduler:cn-north-1:123456789012:schedule/waves/${input.Name}` };
        })
        .on(DeleteScheduleCommand)
        .callsFake((input: DeleteScheduleCommandInput) => {
          if (!live.delete(String(input.Name)))
            throw new ResourceNotFoundException({
              message: 'not found',
              Message: 'not found',
              $metadata: {},
            });
          return {};
        });
      const clock = new ManualClock(T0);
      const target = {
        Arn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:launch-wave',
        RoleArn: 'arn:aws-cn:iam::123456789012:role/invoke-launch-wave',
        Input: expect.any(String),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      };
      return {
        port: new EventBridgeWaveScheduler({
          client: new SchedulerClient({ region: 'cn-north-1' }),
          groupName: 'waves',
          launchWaveArn: target.Arn,
          roleArn: target.RoleArn,
          policy: await loadShopPolicy(),
          clock,
        }),
        launched: async () => {},
        starts: async () => {
          const calls = scheduler.calls();
          scheduler.resetHistory();
          const made = new Map<string, Start>();
          for (const call of calls) {
            if (call.args[0] instanceof DeleteScheduleCommand) {
              const input = call.args[0].input as DeleteScheduleCommandInput;
              expect(input).toEqual({ Name: expect.any(String), GroupName: 'waves' });
              made.delete(String(input.Name));
              continue;
            }
            expect(call.args[0]).toBeInstanceOf(CreateScheduleCommand);
            const input = call.args[0].input as CreateScheduleCommandInput;
            expect(input).toEqual({
              Name: expect.any(String),
              GroupName: 'waves',
              Description: expect.any(String),
              ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:00\)$/),
              ScheduleExpressionTimezone: 'Asia/Shanghai',
              FlexibleTimeWindow: { Mode: 'OFF' },
              ActionAfterCompletion: 'DELETE',
              Target: target,
            });
            const { campaignId, waveId } = JSON.parse(String(input.Target?.Input)) as Start;
            const local = String(input.ScheduleExpression).slice(3, 19);
            const at = localToInstant(local, String(input.ScheduleExpressionTimezone)).toISOString();
            made.set(String(input.Name), { campaignId, waveId, at });
          }
          return [...made.values()];
        },
        setNow: (now) => clock.set(now),
        stop: async () => scheduler.restore(),
      };
    },
  },
];

const byWave = (starts: Start[]) => [...starts].sort((a, b) => a.waveId.localeCompare(b.waveId));

contractSuite('wave scheduler', adapters, (made) => {
  const launch = async (campaign: Campaign, waveIds: string[]) => {
    await made().launched(campaign, waveIds);
    await made().port.schedule(campaign, waveIds);
  };

  it('starts each wave it was given at its start in the campaign’s zone, and no other wave', async () => {
    made().setNow(T0);
    await launch(d11('d11-on-time'), ['d11-preheat', 'd11-afternoon']);
    expect(byWave(await made().starts())).toEqual([
      // 14 h after the cashback's midnight (Shanghai), 25 days and more after the launch.
      { campaignId: 'd11-on-time', waveId: 'd11-afternoon', at: '2026-11-11T06:00:00.000Z' },
      { campaignId: 'd11-on-time', waveId: 'd11-preheat', at: '2026-10-25T02:00:00.000Z' },
    ]);
  });

  it('starts a wave whose start has passed soon after the launch (within two minutes), never before it', async () => {
    const now = new Date('2026-11-22T08:30:15Z');
    made().setNow(now);
    await launch(d11('d11-late'), ['d11-preheat']);
    const starts = await made().starts();
    expect(starts.map((s) => [s.campaignId, s.waveId])).toEqual([['d11-late', 'd11-preheat']]);
    const at = new Date(starts[0]?.at ?? 0).getTime();
    expect(at).toBeGreaterThanOrEqual(now.getTime());
    expect(at).toBeLessThanOrEqual(now.getTime() + 120_000);
  });

  it('does not start a wave unscheduled before its start, and unscheduling a wave never scheduled is fine', async () => {
    made().setNow(T0);
    await launch(d11('d11-paused'), ['d11-preheat', 'd11-cashback']);
    await made().port.unschedule('d11-paused', ['d11-cashback', 'd11-unpaid']);
    expect(await made().starts()).toEqual([
      { campaignId: 'd11-paused', waveId: 'd11-preheat', at: '2026-10-25T02:00:00.000Z' },
    ]);
  });
});
