import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { publishAttributionTable } from '../../shared/responses/aws/athena-attribution-table.ts';
import { attributeFromEnvironment } from '../environment.ts';

const logger = new Logger({ serviceName: 'attribute' });
const metrics = new Metrics({ namespace: 'CampaignPipeline', serviceName: 'attribute' });

/**
 * The scheduled attribution job (an EventBridge rule, daily): rewrites the attribution table for every
 * campaign — deployed and created through the API — with the default last-touch model, so the analysts'
 * views (campaign_roi, segment_response, …) are current. `campaign report` recomputes a campaign with
 * its own model. The event itself carries nothing the job needs.
 */
export async function attribute(_event: unknown): Promise<{ location: string; campaigns: number }> {
  const { deps, campaigns } = attributeFromEnvironment();
  const all = await campaigns();
  const out = await publishAttributionTable(deps, all, 'last-touch');
  logger.info('attribution table rewritten', { ...out, campaigns: all.length });
  metrics.addMetric('attributionRuns', MetricUnit.Count, 1);
  return { location: out.location, campaigns: all.length };
}

export const handler = middy(attribute).use(injectLambdaContext(logger)).use(logMetrics(metrics));
