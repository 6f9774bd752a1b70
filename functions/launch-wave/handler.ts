import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { launchScheduledWave } from '../../shared/delivery/launch-scheduled-wave.ts';
import { builtOnce } from '../built-once.ts';
import { campaignStoreFromEnvironment, launchingFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';

const { logger, metrics } = observability('launch-wave');
const deps = builtOnce(async () => {
  const d = launchingFromEnvironment();
  return { ...d, audienceQuery: d.athena };
});

/**
 * What each wave's EventBridge Scheduler schedule sends; a recurring or triggered wave's schedule adds the
 * time the run was scheduled for (Scheduler's `<aws.scheduler.scheduled-time>`) and the campaign's zone,
 * which name the run (series-schedule.ts).
 */
export const LaunchPayload = z.strictObject({
  campaignId: z.string().min(1),
  waveId: z.string().min(1),
  timeZone: z.string().min(1).optional(),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

/**
 * A wave's schedule fired: record the run, make the look-ahead reservations, and start the audience
 * query in Athena (shared/delivery/launch-scheduled-wave.ts). Planning continues in plan-wave when Athena
 * reports the query finished (no waiting here for the audience).
 */
export async function launch(event: unknown): Promise<{ launched: boolean; queryExecutionId?: string }> {
  const payload = LaunchPayload.parse(event);
  const out = await launchScheduledWave({ store: campaignStoreFromEnvironment(), launching: deps }, payload);
  metrics.addMetric(out.kind === 'started' ? 'wavesLaunched' : 'wavesNotLaunched', MetricUnit.Count, 1);
  switch (out.kind) {
    case 'not-scheduled':
      logger.info('wave not scheduled: nothing launched', {
        campaignId: out.campaignId,
        waveId: out.waveId,
        state: out.state,
      });
      return { launched: false };
    case 'already-run':
      logger.info('wave already run: nothing launched', { campaignId: out.campaignId, waveId: out.waveId });
      return { launched: false };
    case 'started':
      logger.info('audience query started', {
        campaignId: out.campaignId,
        waveId: out.waveId,
        queryExecutionId: out.queryExecutionId,
        reservations: out.reservations,
      });
      return { launched: true, queryExecutionId: out.queryExecutionId };
  }
}

export const handler = instrumented(launch, { logger, metrics });
