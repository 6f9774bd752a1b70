import { z } from 'zod';
import { Campaign } from '../campaign/campaign-schema.ts';
import { CampaignResource, Problems, ROUTES, type Route } from './router.ts';

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its `$schema` line. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const REF = {
  Campaign: { $ref: '#/components/schemas/Campaign' },
  CampaignResource: { $ref: '#/components/schemas/CampaignResource' },
  Problems: { $ref: '#/components/schemas/Problems' },
};

function operation(route: Route): Record<string, unknown> {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (
    route.path.endsWith('/launch') ||
    route.path.endsWith('/pause') ||
    route.path.endsWith('/resume') ||
    route.path.endsWith('/cancel')
  )
    params.push({ name: 'wave', in: 'query', required: false, schema: { type: 'string' } });
  if (route.path === '/campaigns/validate')
    params.push({ name: 'data', in: 'query', required: false, schema: { type: 'string' } });
  if (route.method === 'GET' && route.path === '/campaigns')
    params.push(
      { name: 'limit', in: 'query', required: false, schema: { type: 'string' } },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
    );
  if (route.idempotent)
    params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } });
  const ok = route.method === 'POST' && route.path === '/campaigns' ? '201' : '200';
  const body =
    route.response === CampaignResource
      ? REF.CampaignResource
      : route.response instanceof z.ZodString
        ? { type: 'string' }
        : schemaOf(route.response, 'output');
  const problem = (description: string) => ({
    description,
    content: { 'application/json': { schema: REF.Problems } },
  });
  return {
    summary: route.summary,
    security: route.open ? [] : [{ apiKey: [] }, { sigv4: [] }],
    parameters: params,
    ...(route.requestBody
      ? {
          requestBody: {
            required: true,
            // JSON, or YAML as campaign files are written (router.ts takes the older YAML names too).
            content: {
              'application/json': { schema: REF.Campaign },
              'application/yaml': { schema: REF.Campaign },
            },
          },
        }
      : {}),
    responses: {
      [ok]: { description: 'OK', content: { 'application/json': { schema: body } } },
      '400': problem('invalid input: every problem with its path'),
      ...(route.open ? {} : { '401': problem('not authenticated') }),
      '404': problem('no such campaign or route'),
      '405': problem('method not allowed on this path'),
      '409': problem('illegal state transition, duplicate id or concurrent change'),
      '413': problem('body too large'),
      ...(route.requestBody ? { '415': problem('the body is not JSON or YAML in UTF-8') } : {}),
      ...(route.idempotent ? { '422': problem('Idempotency-Key reused for a different request') } : {}),
    },
  };
}

/** The OpenAPI document, generated from the route table and the zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Campaign pipeline API',
      version: '1',
      description: 'Define, preview, launch and follow campaigns. Bodies are campaign configs as JSON.',
    },
    paths,
    components: {
      schemas: {
        Campaign: schemaOf(Campaign, 'input'),
        CampaignResource: schemaOf(CampaignResource, 'output'),
        Problems: schemaOf(Problems, 'output'),
      },
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'campaign serve: $CAMPAIGN_API_KEY',
        },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS: IAM (SigV4)' },
      },
    },
  };
}
