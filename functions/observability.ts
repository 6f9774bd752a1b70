import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/** Every function's metrics are in one CloudWatch namespace; the alarms (infra/constructs/delivery.ts) read it. */
export const METRICS_NAMESPACE = 'CampaignPipeline';

/** One function's logger and metrics, named by its service (its folder under functions/). */
export function observability(serviceName: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

/**
 * A handler with the house middleware: the Lambda context on every log line, and, given metrics, the
 * metrics flushed (one EMF line) when the invocation ends. A function that reports no metrics passes
 * none (an empty flush would log a warning on every invocation).
 */
export function instrumented<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics }: { logger: Logger; metrics?: Metrics },
) {
  const handler = middy(fn).use(injectLambdaContext(logger));
  return metrics ? handler.use(logMetrics(metrics)) : handler;
}
