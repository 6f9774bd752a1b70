import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { waveProgress } from '../../shared/api/lifecycle.ts';
import { launchWave } from '../../shared/delivery/plan-wave.ts';
import { builtOnce } from '../built-once.ts';
import { campaignStoreFromEnvironment, launchingFromEnvironment } from '../environment.ts';

const logger = new Logger({ serviceName: 'launch-wave' });
const deps = builtOnce(async () => launchingFromEnvironment());

/** What each wave's EventBridge Scheduler schedule sends. */
export const LaunchPayload = z.strictObject({ campaignId: z.string().min(1), waveId: z.string().min(1) });

/**
 * A wave's schedule fired: record the run, make the look-ahead reservations, and start the audience
 * query in Athena. Planning continues in plan-wave when Athena reports the query finished (no waiting
 * here for the audience).
 */
export async function launch(event: unknown): Promise<{ launched: boolean; queryExecutionId?: string }> {
  const { campaignId, waveId } = LaunchPayload.parse(event);
  // A campaign created through the API launches a wave only while it is scheduled (not paused or
  // cancelled since its schedule was made), and marks it running.
  const store = campaignStoreFromEnvironment();
  const stored = store ? await store.get(campaignId) : null;
  if (store && stored) {
    if (stored.waves[waveId] !== 'scheduled') {
      logger.info('wave not scheduled: nothing launched', {
        campaignId,
        waveId,
        state: stored.waves[waveId],
      });
      return { launched: false };
    }
    await store.put(waveProgress(stored, waveId, 'running'), stored.version);
  }
  const d = await deps();
  const sw = await d.catalog.wave(campaignId, waveId);
  const out = await launchWave(d, sw);
  if (out.kind === 'already-run') {
    logger.info('wave already run: nothing launched', { campaignId, waveId });
    return { launched: false };
  }
  const queryExecutionId = await d.athena.start(out.sql);
  logger.info('audience query started', {
    campaignId,
    waveId,
    queryExecutionId,
    reservations: out.reservations,
  });
  return { launched: true, queryExecutionId };
}

export const handler = middy(launch).use(injectLambdaContext(logger));
