/**
 * The responses API Gateway itself gives (no function runs): refusals by an authorizer,
 * unknown paths, oversized bodies, throttling, gateway failures. One definition for the CDK
 * stack (gateway responses on each REST API) and the local gateway, so both answer alike:
 * SCIM's error JSON on the SCIM API, RFC 9457 problem details on the admin API, RFC 6749's error
 * JSON on the token endpoint's API.
 */
import type { ApiName } from './routes';
import { scimErrorBody } from '../scim/messages/error';
import { PROBLEM_CONTENT_TYPE, SCIM_CONTENT_TYPE } from './responses';

export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'INTEGRATION_TIMEOUT'
  | 'INTEGRATION_FAILURE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayResponseDefinition {
  readonly type: GatewayResponseType;
  readonly statusCode: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body (static: no mapping-template variables, so local and AWS are byte-identical). */
  readonly body: string;
}

interface Reason {
  type: GatewayResponseType;
  status: number;
  title: string;
  detail: string;
}

/** What both APIs answer alike when API Gateway itself refuses or fails. */
const COMMON: Reason[] = [
  { type: 'REQUEST_TOO_LARGE', status: 413, title: 'Payload Too Large', detail: 'The request body is too large.' },
  { type: 'THROTTLED', status: 429, title: 'Too Many Requests', detail: 'Too many requests. Retry later.' },
  { type: 'INTEGRATION_TIMEOUT', status: 504, title: 'Gateway Timeout', detail: 'The service did not answer in time. Retry later.' },
  { type: 'INTEGRATION_FAILURE', status: 502, title: 'Bad Gateway', detail: 'The service failed to answer. Retry later.' },
  { type: 'DEFAULT_4XX', status: 400, title: 'Bad Request', detail: 'The request could not be processed.' },
  {
    type: 'DEFAULT_5XX',
    status: 500,
    title: 'Internal Server Error',
    detail: 'The service could not complete the request. Try again later.',
  },
];

const REASONS: Record<ApiName, Reason[]> = {
  scim: [
    { type: 'UNAUTHORIZED', status: 401, title: 'Unauthorized', detail: 'A valid SCIM bearer token is required.' },
    { type: 'ACCESS_DENIED', status: 401, title: 'Unauthorized', detail: 'A valid SCIM bearer token is required.' },
    { type: 'MISSING_AUTHENTICATION_TOKEN', status: 404, title: 'Not Found', detail: 'No such SCIM endpoint.' },
    ...COMMON,
  ],
  admin: [
    { type: 'UNAUTHORIZED', status: 401, title: 'Unauthorized', detail: 'Sign in as an administrator: a valid admin token is required.' },
    { type: 'ACCESS_DENIED', status: 403, title: 'Forbidden', detail: 'This sign-in may not use the admin API.' },
    { type: 'MISSING_AUTHENTICATION_TOKEN', status: 404, title: 'Not Found', detail: 'No such admin API endpoint.' },
    ...COMMON,
  ],
  // The token endpoint has no authorizer: UNAUTHORIZED and ACCESS_DENIED cannot happen, but say the same if they did.
  oauth: [
    { type: 'UNAUTHORIZED', status: 401, title: 'invalid_client', detail: 'Client authentication failed.' },
    { type: 'ACCESS_DENIED', status: 401, title: 'invalid_client', detail: 'Client authentication failed.' },
    {
      type: 'MISSING_AUTHENTICATION_TOKEN',
      status: 404,
      title: 'invalid_request',
      detail: 'No such endpoint: the token endpoint is POST /api/oauth2/token.',
    },
    ...COMMON,
  ],
};

/** RFC 6749's error codes for what API Gateway itself answers on the token endpoint's API (section 5.2; 4.1.2.1 for the last two). */
const OAUTH_ERROR: Record<number, string> = { 413: 'invalid_request', 429: 'temporarily_unavailable', 400: 'invalid_request' };

/**
 * Every response sets its status code explicitly (DEFAULT_4XX and DEFAULT_5XX included), so the
 * HTTP status always equals the body's `status`.
 */
function definition(api: ApiName, r: Reason): GatewayResponseDefinition {
  if (api === 'oauth') {
    const code = r.title === 'invalid_client' || r.title === 'invalid_request' ? r.title : (OAUTH_ERROR[r.status] ?? 'server_error');
    return {
      type: r.type,
      statusCode: r.status,
      contentType: 'application/json',
      headers: { 'Cache-Control': 'no-store', ...(r.status === 401 ? { 'WWW-Authenticate': 'Basic realm="SCIM token endpoint"' } : {}) },
      body: JSON.stringify({ error: code, error_description: r.detail }),
    };
  }
  if (api === 'scim') {
    return {
      type: r.type,
      statusCode: r.status,
      contentType: SCIM_CONTENT_TYPE,
      headers: r.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="SCIM"' } : {},
      body: JSON.stringify(scimErrorBody(r.status, r.detail)),
    };
  }
  return {
    type: r.type,
    statusCode: r.status,
    contentType: PROBLEM_CONTENT_TYPE,
    headers: r.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
    body: JSON.stringify({ type: 'about:blank', title: r.title, status: r.status, detail: r.detail }),
  };
}

export function gatewayResponses(api: ApiName): GatewayResponseDefinition[] {
  return REASONS[api].map((r) => definition(api, r));
}

export function gatewayResponse(api: ApiName, type: GatewayResponseType): GatewayResponseDefinition {
  const found = gatewayResponses(api).find((d) => d.type === type);
  if (!found) throw new Error(`No gateway response ${type} for ${api}`);
  return found;
}

/** API Gateway REST APIs refuse payloads over 10 MB before any function runs. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
