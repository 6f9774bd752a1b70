import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { waveProgress } from '../../shared/api/lifecycle.ts';
import { occurrenceRunId } from '../../shared/campaign/wave-repeat.ts';
import { launchWave } from '../../shared/delivery/plan-wave.ts';
import { instantToLocal } from '../../shared/time/zoned-time.ts';
import { builtOnce } from '../built-once.ts';
import { campaignStoreFromEnvironment, launchingFromEnvironment } from '../environment.ts';

const logger = new Logger({ serviceName: 'launch-wave' });
const deps = builtOnce(async () => launchingFromEnvironment());

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
 * query in Athena. Planning continues in plan-wave when Athena reports the query finished (no waiting
 * here for the audience).
 */
export async function launch(event: unknown): Promise<{ launched: boolean; queryExecutionId?: string }> {
  const payload = LaunchPayload.parse(event);
  const { campaignId, waveId } = payload;
  // One run of a recurring or triggered wave: `member-day@2027-01-15T10:00`.
  const runId =
    payload.scheduledTime && payload.timeZone
      ? occurrenceRunId(waveId, instantToLocal(new Date(payload.scheduledTime), payload.timeZone))
      : waveId;
  // A campaign created through the API launches a wave only while it is scheduled (not paused or
  // cancelled since its schedule was made), and marks it running.
  const store = campaignStoreFromEnvironment();
  const stored = store ? await store.get(campaignId) : null;
  if (store && stored) {
    // A wave that runs more than once stays running between its runs.
    const launchable = runId === waveId ? ['scheduled'] : ['scheduled', 'running'];
    if (!launchable.includes(stored.waves[waveId] ?? '')) {
      logger.info('wave not scheduled: nothing launched', {
        campaignId,
        waveId,
        state: stored.waves[waveId],
      });
      return { launched: false };
    }
    if (stored.waves[waveId] !== 'running')
      await store.put(waveProgress(stored, waveId, 'running'), stored.version);
  }
  const d = await deps();
  const sw = await d.catalog.wave(campaignId, runId);
  const out = await launchWave(d, sw);
  if (out.kind === 'already-run') {
    logger.info('wave already run: nothing launched', { campaignId, waveId: runId });
    return { launched: false };
  }
  const queryExecutionId = await d.athena.start(out.sql);
  logger.info('audience query started', {
    campaignId,
    waveId: runId,
    queryExecutionId,
    reservations: out.reservations,
  });
  return { launched: true, queryExecutionId };
}

export const handler = middy(launch).use(injectLambdaContext(logger));
