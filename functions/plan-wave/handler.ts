import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { parseRunMarker, planWave } from '../../shared/delivery/plan-wave.ts';
import { redactPersonalData } from '../../shared/redact.ts';
import { builtOnce } from '../built-once.ts';
import { planningFromEnvironment } from '../environment.ts';

const logger = new Logger({ serviceName: 'plan-wave' });
const metrics = new Metrics({ namespace: 'CampaignPipeline', serviceName: 'plan-wave' });
const deps = builtOnce(async () => planningFromEnvironment());

/** EventBridge's "Athena Query State Change" event, the fields used. */
export const AthenaStateChange = z.object({
  source: z.literal('aws.athena'),
  'detail-type': z.literal('Athena Query State Change'),
  detail: z.object({ queryExecutionId: z.string().min(1), currentState: z.string() }),
});

export type PlanResult =
  | { planned: false; reason: string }
  | { planned: true; campaignId: string; waveId: string; audience: number; queued: number };

/**
 * An Athena query finished. If it is a wave's audience query (its first line names the wave run), plan
 * the wave from its result pages; a failed or cancelled audience query marks the run failed. Other
 * queries (analysts', forecasts) are not ours to plan.
 */
export async function plan(event: unknown): Promise<PlanResult> {
  const { detail } = AthenaStateChange.parse(event);
  if (!['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(detail.currentState))
    return { planned: false, reason: `query is ${detail.currentState}` };
  const d = await deps();
  const execution = await d.athena.execution(detail.queryExecutionId);
  const marker = parseRunMarker(execution.sql);
  if (!marker) return { planned: false, reason: 'not an audience query' };
  const run = await d.runs.get(marker.campaignId, marker.waveId);
  if (!run) return { planned: false, reason: 'no run recorded for this wave' };
  if (detail.currentState !== 'SUCCEEDED') {
    const error = `audience query ${detail.queryExecutionId} ${detail.currentState}: ${execution.reason ?? ''}`;
    await d.runs.put({ ...run, state: 'failed', error });
    logger.error('wave run failed', { ...marker, error: redactPersonalData(error) });
    metrics.addMetric('waveRunsFailed', MetricUnit.Count, 1);
    return { planned: false, reason: error };
  }
  const sw = await d.catalog.wave(marker.campaignId, marker.waveId);
  const out = await planWave(
    d,
    sw,
    { run, reservations: run.reservations },
    d.athena.results(detail.queryExecutionId),
  );
  if (out.kind === 'already-run') return { planned: false, reason: 'already run' };
  logger.info('wave planned', { ...marker, audience: out.run.audience, queued: out.queued });
  metrics.addMetric('recipientsQueued', MetricUnit.Count, out.queued);
  metrics.addMetric('recipientsLeftAtPlanning', MetricUnit.Count, out.suppressed);
  return { planned: true, ...marker, audience: out.run.audience ?? 0, queued: out.queued };
}

export const handler = middy(plan).use(injectLambdaContext(logger)).use(logMetrics(metrics));
