import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { type ApiRequest, handleApiRequest } from '../../shared/api/router.ts';
import { builtOnce } from '../built-once.ts';
import { apiFromEnvironment } from '../environment.ts';
import { instrumented, observability } from '../observability.ts';

// The API's log says what each request did; it reports no metrics (API Gateway counts requests and codes).
const { logger } = observability('api');
const deps = builtOnce(() => apiFromEnvironment());

/** The part of an API Gateway HTTP API (payload 2.0) event the router reads. */
const HttpApiEvent = z.object({
  rawPath: z.string(),
  rawQueryString: z.string().default(''),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({
    http: z.object({ method: z.string() }),
    // Present when the route's IAM authorizer let the request in.
    authorizer: z.object({ iam: z.object({ accessKey: z.string().optional() }).passthrough() }).optional(),
  }),
});

/**
 * Every campaign route (the route table in shared/api/router.ts) behind API Gateway's IAM authorizer.
 * The router checks again that the gateway authenticated the request. Logs route and status, never a
 * body.
 */
export async function api(event: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  const e = HttpApiEvent.parse(event);
  const request: ApiRequest = {
    method: e.requestContext.http.method,
    path: e.rawPath,
    query: new URLSearchParams(e.rawQueryString),
    headers: Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: e.body === undefined ? null : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString() : e.body,
  };
  const authenticated = e.requestContext.authorizer?.iam !== undefined;
  const out = await handleApiRequest(
    {
      ...(await deps()),
      authenticate: () => authenticated,
      log: (message, detail) => logger.error(message, detail),
    },
    request,
  );
  logger.info('request', { method: request.method, path: request.path, status: out.status });
  return { statusCode: out.status, headers: out.headers, body: out.body };
}

export const handler = instrumented(api, { logger });
