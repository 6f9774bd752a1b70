import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { attributeFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';

const { logger, metrics } = observability('attribute');

/**
 * The scheduled attribution job (an EventBridge rule, daily): rewrites the attribution and lift tables for every
 * campaign — deployed and created through the API — with the default last-touch model, so the analysts'
 * views (campaign_roi, segment_response, …) are current. `campaign report` recomputes a campaign with
 * its own model. The event itself carries nothing the job needs.
 */
export async function attribute(_event: unknown): Promise<{ locations: string[]; campaigns: number }> {
  const { tables, campaigns } = attributeFromEnvironment();
  const all = await campaigns();
  const out = await tables.rewrite(all, 'last-touch');
  logger.info('attribution and lift tables rewritten', { tables: out, campaigns: all.length });
  metrics.addMetric('attributionRuns', MetricUnit.Count, 1);
  return { locations: out.map((t) => t.location), campaigns: all.length };
}

export const handler = instrumented(attribute, { logger, metrics });
