import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Campaign } from '../campaign/campaign-schema.ts';
import { ConfigError, type Problem, UserError } from '../errors.ts';
import { redactPersonalData } from '../redact.ts';
import { followLink, type LinkDeps, linkHttpAnswer } from '../responses/follow-link.ts';
import {
  type CampaignApiDeps,
  changeState,
  createCampaign,
  dataWarnings,
  getCampaign,
  NotFoundError,
  parseCampaignBody,
  previewStored,
  reportOf,
  statusOf,
  updateCampaign,
} from './campaign-api.ts';
import { AlreadyExistsError, VersionConflictError } from './campaign-store.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { type Action, IllegalTransitionError } from './lifecycle.ts';

/**
 * The campaign API as one function from request to response, with no HTTP framework: API Gateway's
 * Lambda event and the local server (`campaign serve`) both turn their requests into an ApiRequest.
 * The route table is the one place routes are declared: the router, the OpenAPI document and the test
 * that walks every route all read it.
 */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string | null;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RouterDeps {
  api: CampaignApiDeps;
  idempotency: IdempotencyStore;
  /** The click and unsubscribe links, when this router serves them. */
  links?: LinkDeps;
  /** Whether a request may use the protected routes (an API key locally; on AWS the gateway's IAM). */
  authenticate(req: ApiRequest): boolean;
  log?: (message: string, detail: Record<string, unknown>) => void;
}

/** Bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 256 * 1024;

type Params = Record<string, string>;
export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  /** `{name}` segments are parameters. */
  path: string;
  summary: string;
  /** Routes anyone may call: the links (their code is the credential). */
  open?: boolean;
  /** Honours the Idempotency-Key header. */
  idempotent?: boolean;
  requestBody?: z.ZodType;
  response: z.ZodType;
  handle(deps: RouterDeps, req: ApiRequest, params: Params): Promise<ApiResponse>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: `${JSON.stringify(body, null, 2)}\n`,
});

const WaveState = z.enum(['pending', 'scheduled', 'running', 'paused', 'done', 'cancelled']);
export const CampaignResource = z.object({
  id: z.string(),
  config: Campaign,
  state: z.enum(['draft', 'scheduled', 'running', 'paused', 'done', 'cancelled']),
  waves: z.record(z.string(), WaveState),
  version: z.int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export const Problems = z.object({
  errors: z.array(
    z.object({
      path: z.string(),
      message: z.string(),
      line: z.int().optional().meta({ description: 'Where in the body, for a config problem.' }),
      column: z.int().optional(),
    }),
  ),
});
const Anything = z.record(z.string(), z.unknown());

const bodyOf = (req: ApiRequest) => req.body ?? '';
/** A config problem as the API answers it: where in the body (no file: it is the body) and what. */
const apiProblem = (p: Problem) => ({ path: p.path, message: p.message, line: p.line, column: p.column });
const lifecycle = (action: Action): Route => ({
  method: 'POST',
  path: `/campaigns/{id}/${action}`,
  summary: `${action[0]?.toUpperCase()}${action.slice(1)} the campaign, or one wave with ?wave=ID`,
  idempotent: action === 'launch',
  response: CampaignResource,
  handle: async (d, req, p) =>
    json(200, await changeState(d.api, p.id as string, action, req.query.get('wave') ?? undefined)),
});
const linkRoute = (method: 'GET' | 'POST'): Route => ({
  method,
  path: '/{code}',
  summary:
    method === 'GET'
      ? 'A tracked link: a click redirects (302) and is recorded; an unsubscribe link shows a confirmation page'
      : 'One-click unsubscribe (List-Unsubscribe-Post) or the confirmation page’s button',
  open: true,
  response: z.string(),
  handle: async (d, _req, p) => {
    if (!d.links) return json(404, { errors: [{ path: '', message: 'no such route' }] });
    const answer = linkHttpAnswer(await followLink(d.links, p.code as string, method));
    return { status: answer.status, headers: answer.headers, body: answer.body };
  },
});

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    response: Anything,
    handle: async () => {
      const { openApiDocument } = await import('./openapi.ts');
      return json(200, openApiDocument());
    },
  },
  {
    method: 'POST',
    path: '/campaigns',
    summary: 'Create a campaign (a draft) from its config',
    idempotent: true,
    requestBody: Campaign,
    response: CampaignResource,
    handle: async (d, req) => json(201, await createCampaign(d.api, bodyOf(req))),
  },
  {
    method: 'GET',
    path: '/campaigns',
    summary: 'List campaigns, ?limit=N (1–100) and ?cursor= from the previous page',
    response: z.object({ items: z.array(CampaignResource), cursor: z.string().nullable() }),
    handle: async (d, req) => {
      const limit = Number(req.query.get('limit') ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new UserError(`limit must be a whole number from 1 to 100, got ${req.query.get('limit')}`);
      return json(200, await d.api.store.list(limit, req.query.get('cursor') ?? undefined));
    },
  },
  {
    method: 'POST',
    path: '/campaigns/validate',
    summary: 'Validate a campaign config without storing anything',
    requestBody: Campaign,
    response: z.object({
      ok: z.boolean(),
      errors: Problems.shape.errors,
      warnings: Problems.shape.errors.meta({
        description:
          'With ?data=true: rule values that select no customer in the data, with the closest value.',
      }),
    }),
    handle: async (d, req) => {
      const body = bodyOf(req);
      const campaign = parseCampaignBody(body, d.api.policy);
      const data = req.query.get('data') ?? 'false';
      if (data !== 'true' && data !== 'false') throw new UserError(`data must be true or false, got ${data}`);
      const warnings = data === 'true' ? await dataWarnings(d.api, body, campaign) : [];
      return json(200, { ok: true, errors: [], warnings: warnings.map(apiProblem) });
    },
  },
  {
    method: 'GET',
    path: '/campaigns/{id}',
    summary: 'A campaign: its config, state and waves',
    response: CampaignResource,
    handle: async (d, _req, p) => json(200, await getCampaign(d.api, p.id as string)),
  },
  {
    method: 'PUT',
    path: '/campaigns/{id}',
    summary: 'Replace a draft campaign’s config',
    requestBody: Campaign,
    response: CampaignResource,
    handle: async (d, req, p) => json(200, await updateCampaign(d.api, p.id as string, bodyOf(req))),
  },
  {
    method: 'GET',
    path: '/campaigns/{id}/preview',
    summary: 'Each wave’s audience as the lake stands now: funnel, channels, tiers, overlaps',
    response: Anything,
    handle: async (d, _req, p) => json(200, await previewStored(d.api, p.id as string)),
  },
  lifecycle('launch'),
  lifecycle('pause'),
  lifecycle('resume'),
  lifecycle('cancel'),
  {
    method: 'GET',
    path: '/campaigns/{id}/status',
    summary: 'Each wave’s reconciliation: audience = sent + suppressed + failed',
    response: Anything,
    handle: async (d, _req, p) => json(200, await statusOf(d.api, p.id as string)),
  },
  {
    method: 'GET',
    path: '/campaigns/{id}/report',
    summary: 'Attribution, ROI and lift, as `campaign report --json`',
    response: Anything,
    handle: async (d, _req, p) => json(200, await reportOf(d.api, p.id as string)),
  },
  linkRoute('GET'),
  linkRoute('POST'),
];

/** The path's segments, each percent-decoded; null when one is malformed (`%ZZ`, a cut-off UTF-8 sequence). */
function pathSegments(path: string): string[] | null {
  try {
    return path.split('/').map(decodeURIComponent);
  } catch (e) {
    if (e instanceof URIError) return null;
    throw e;
  }
}

function match(pattern: string, got: readonly string[]): Params | null {
  const want = pattern.split('/');
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (const [i, w] of want.entries()) {
    const g = got[i] ?? '';
    if (w.startsWith('{')) {
      if (!g) return null;
      params[w.slice(1, -1)] = g;
    } else if (w !== g) return null;
  }
  return params;
}

/** Fixed segments win over parameters, so /campaigns/validate is not the campaign "validate". */
const specificity = (r: Route) => r.path.split('/').filter((s) => s && !s.startsWith('{')).length;

function errorResponse(e: unknown): ApiResponse | null {
  if (e instanceof ConfigError) return json(400, { errors: e.problems.map(apiProblem) });
  if (e instanceof NotFoundError) return json(404, { errors: [{ path: '', message: e.message }] });
  if (
    e instanceof IllegalTransitionError ||
    e instanceof AlreadyExistsError ||
    e instanceof VersionConflictError
  )
    return json(409, { errors: [{ path: '', message: e.message }] });
  if (e instanceof UserError) return json(400, { errors: [{ path: '', message: e.message }] });
  return null;
}

/** Method, path, query string (in a stable order) and body: the same key on another request is a 422. */
const fingerprint = (req: ApiRequest) => {
  const query = [...req.query]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  return createHash('sha256')
    .update(`${req.method.toUpperCase()} ${req.path}?${query}\n${req.body ?? ''}`)
    .digest('hex');
};

/** Media types a request body may have: JSON, or YAML as campaign files are written (RFC 9512 and older names). */
const BODY_TYPES = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Why the body's Content-Type is refused, or null when it is JSON or YAML in UTF-8. */
function unsupportedBody(contentType: string | undefined): string | null {
  const [type = '', ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (!BODY_TYPES.includes(type))
    return `expected a JSON or YAML body (${BODY_TYPES.join(', ')}), got ${contentType ? `"${contentType}"` : 'no Content-Type'}`;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    return `expected the body in UTF-8, got charset ${charset}`;
  return null;
}

export async function handleApiRequest(deps: RouterDeps, req: ApiRequest): Promise<ApiResponse> {
  const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
  const segments = pathSegments(path);
  if (!segments)
    return json(400, { errors: [{ path: '', message: 'malformed percent-encoding in the path' }] });
  const candidates = ROUTES.map((r) => ({ r, p: match(r.path, segments) }))
    .filter((c): c is { r: Route; p: Params } => c.p !== null)
    .sort((a, b) => specificity(b.r) - specificity(a.r));
  if (candidates.length === 0) return json(404, { errors: [{ path: '', message: `no route ${path}` }] });
  const best = specificity(candidates[0]?.r as Route);
  const here = candidates.filter((c) => specificity(c.r) === best);
  const found = here.find((c) => c.r.method === req.method.toUpperCase());
  if (!found)
    return json(
      405,
      { errors: [{ path: '', message: `${req.method} is not allowed on ${path}` }] },
      { allow: here.map((c) => c.r.method).join(', ') },
    );
  const { r: route, p: params } = found;
  if (!route.open && !deps.authenticate(req))
    return json(
      401,
      { errors: [{ path: '', message: 'authentication required' }] },
      { 'www-authenticate': 'ApiKey' },
    );
  if (req.body && Buffer.byteLength(req.body) > MAX_BODY_BYTES)
    return json(413, { errors: [{ path: '', message: `the body is over ${MAX_BODY_BYTES} bytes` }] });
  const refused = route.requestBody && req.body ? unsupportedBody(req.headers['content-type']) : null;
  if (refused) return json(415, { errors: [{ path: 'Content-Type', message: refused }] });

  const key = route.idempotent ? req.headers['idempotency-key'] : undefined;
  if (key !== undefined) {
    if (!/^[\x21-\x7e]{1,128}$/.test(key))
      return json(400, {
        errors: [{ path: 'Idempotency-Key', message: 'expected 1–128 visible ASCII characters' }],
      });
    const seen = await deps.idempotency.get(`${route.method} ${route.path} ${key}`);
    if (seen) {
      if (seen.fingerprint !== fingerprint(req))
        return json(422, {
          errors: [{ path: 'Idempotency-Key', message: 'this key was used for a different request' }],
        });
      return { ...seen.response, headers: { ...seen.response.headers, 'idempotent-replayed': 'true' } };
    }
  }
  let response: ApiResponse;
  try {
    response = await route.handle(deps, req, params);
  } catch (e) {
    const mapped = errorResponse(e);
    if (!mapped) {
      deps.log?.('internal error', {
        route: `${route.method} ${route.path}`,
        error: redactPersonalData(e instanceof Error ? (e.stack ?? e.message) : String(e)),
      });
      return json(500, { errors: [{ path: '', message: 'internal error' }] });
    }
    response = mapped;
  }
  if (key !== undefined && response.status < 300)
    await deps.idempotency.put(`${route.method} ${route.path} ${key}`, {
      fingerprint: fingerprint(req),
      response,
    });
  return response;
}

/** Compares an API key in constant time (x-api-key header, or Authorization: Bearer). */
export function apiKeyAuthenticator(expected: string): (req: ApiRequest) => boolean {
  const want = createHash('sha256').update(expected).digest();
  return (req) => {
    const given = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!given) return false;
    return timingSafeEqual(want, createHash('sha256').update(given).digest());
  };
}
