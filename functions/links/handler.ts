import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { redactPersonalData } from '../../shared/redact.ts';
import { followLink, linkHttpAnswer } from '../../shared/responses/follow-link.ts';
import { builtOnce } from '../built-once.ts';
import { linksFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';

const { logger, metrics } = observability('links');
const deps = builtOnce(() => linksFromEnvironment());

/** The part of an API Gateway HTTP API (payload 2.0) event the link routes read. */
const LinkRequest = z.object({
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
  pathParameters: z.object({ code: z.string() }),
});

/**
 * `GET /{code}` and `POST /{code}`: the click redirect and the one-click unsubscribe (see
 * shared/responses/follow-link.ts). Logs outcomes, never a code's customer.
 */
export async function links(event: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  const parsed = LinkRequest.safeParse(event);
  const method = parsed.success ? parsed.data.requestContext.http.method.toUpperCase() : '';
  const answer =
    parsed.success && (method === 'GET' || method === 'POST')
      ? await followLink(await deps(), parsed.data.pathParameters.code, method)
      : ({ kind: 'refused', why: 'wrong-method' } as const);
  if (answer.kind === 'redirect' && answer.unrecorded) {
    logger.error('click not recorded; redirected anyway', { error: redactPersonalData(answer.unrecorded) });
    metrics.addMetric('clicksNotRecorded', MetricUnit.Count, 1);
  }
  metrics.addMetric(answer.kind === 'refused' ? `linksRefused` : `links_${answer.kind}`, MetricUnit.Count, 1);
  const http = linkHttpAnswer(answer);
  return { statusCode: http.status, headers: http.headers, body: http.body };
}

export const handler = instrumented(links, { logger, metrics });
