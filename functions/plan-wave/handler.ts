import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { planFinishedQuery } from '../../shared/delivery/plan-finished-query.ts';
import { redactPersonalData } from '../../shared/redact.ts';
import { builtOnce } from '../built-once.ts';
import { planningFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';

const { logger, metrics } = observability('plan-wave');
const deps = builtOnce(async () => planningFromEnvironment());

/** EventBridge's "Athena Query State Change" event, the fields used. */
export const AthenaStateChange = z.object({
  source: z.literal('aws.athena'),
  'detail-type': z.literal('Athena Query State Change'),
  detail: z.object({ queryExecutionId: z.string().min(1), currentState: z.string() }),
});
const FinishedState = z.enum(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export type PlanResult =
  | { planned: false; reason: string }
  | { planned: true; campaignId: string; waveId: string; audience: number; queued: number };

/** The lease on planning a query: this invocation's remaining time, and a minute for clocks apart. */
const LEASE_MARGIN_MS = 60_000;
const FUNCTION_TIMEOUT_MS = 15 * 60_000;

/**
 * An Athena query finished: a wave's audience query is planned from its result pages, once per query
 * execution however often Athena's event is delivered (shared/delivery/plan-finished-query.ts); a failed
 * or cancelled one marks the run failed. Other queries (analysts', forecasts) are not ours to plan.
 */
export async function plan(
  event: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<PlanResult> {
  const { detail } = AthenaStateChange.parse(event);
  const state = FinishedState.safeParse(detail.currentState);
  if (!state.success) return { planned: false, reason: `query is ${detail.currentState}` };
  const d = await deps();
  const execution = await d.athena.execution(detail.queryExecutionId);
  const out = await planFinishedQuery(
    d,
    { executionId: detail.queryExecutionId, state: state.data, sql: execution.sql, reason: execution.reason },
    () => d.athena.results(detail.queryExecutionId),
    (context?.getRemainingTimeInMillis() ?? FUNCTION_TIMEOUT_MS) + LEASE_MARGIN_MS,
  );
  switch (out.kind) {
    case 'not-an-audience-query':
      return { planned: false, reason: 'not an audience query' };
    case 'no-run':
      return { planned: false, reason: 'no run recorded for this wave' };
    case 'run-failed':
      logger.error('wave run failed', {
        campaignId: out.campaignId,
        waveId: out.waveId,
        error: redactPersonalData(out.error),
      });
      metrics.addMetric('waveRunsFailed', MetricUnit.Count, 1);
      return { planned: false, reason: out.error };
    case 'duplicate': {
      const reason = `audience query ${detail.queryExecutionId} ${out.claim === 'done' ? 'already planned' : 'being planned by another invocation'}`;
      logger.info('duplicate query event: nothing planned', {
        campaignId: out.campaignId,
        waveId: out.waveId,
        reason,
      });
      metrics.addMetric('duplicatePlanEvents', MetricUnit.Count, 1);
      return { planned: false, reason };
    }
    case 'planned': {
      const { campaignId, waveId, audience, queued } = out;
      logger.info('wave planned', { campaignId, waveId, audience, queued });
      metrics.addMetric('recipientsQueued', MetricUnit.Count, queued);
      metrics.addMetric('recipientsLeftAtPlanning', MetricUnit.Count, out.suppressed);
      return { planned: true, campaignId, waveId, audience, queued };
    }
  }
}

export const handler = instrumented(plan, { logger, metrics });
