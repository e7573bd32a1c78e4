/**
 * The oracle: what every response must be, whatever the request. Its expectations come from the
 * RFCs and the service's documentation (README: "answers are application/scim+json; errors are
 * SCIM error JSON with status and scimType"; the admin API's errors are RFC 9457 problem details,
 * its bodies application/json), never from the code under test. The route table is read only to
 * label requests for the figures.
 */
import { apiForPath, matchRoute, operationOf, ROUTES, type ApiName } from '../../shared/http/routes';
import type { FuzzRequest } from './context';
import type { RawResponse } from './http';

/** RFC 7644 section 3.1: the media type of SCIM messages. */
const SCIM_MEDIA_TYPE = 'application/scim+json';
/** RFC 9457 section 3. */
const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const JSON_MEDIA_TYPE = 'application/json';
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** API Gateway's integration timeout: a slower answer would be a 504 in AWS. */
const GATEWAY_TIMEOUT_MS = 29_000;

/** RFC 7644 section 3.12 (table 9) and RFC 9865 section 5: each scimType and the statuses it goes with. */
const SCIM_TYPES: Readonly<Record<string, readonly number[]>> = {
  invalidFilter: [400],
  tooMany: [400],
  uniqueness: [409, 400],
  mutability: [400],
  invalidSyntax: [400],
  invalidPath: [400],
  noTarget: [400],
  invalidValue: [400],
  invalidVers: [400],
  sensitive: [400, 403],
  invalidCursor: [400],
  expiredCursor: [400],
};

export type Rule =
  | 'transport'
  | 'status-5xx'
  | 'expected-status'
  | 'scim-error-body'
  | 'scim-error-status'
  | 'scim-error-scimType'
  | 'scim-content-type'
  | 'scim-success-body'
  | 'scim-list-shape'
  | 'scim-bulk-shape'
  | 'scim-resource-shape'
  | 'scim-location'
  | 'scim-etag'
  | 'scim-password-returned'
  | 'admin-problem-body'
  | 'admin-problem-status'
  | 'admin-content-type'
  | 'admin-success-body'
  | 'allow-header'
  | 'www-authenticate'
  | 'slow';

export interface Violation {
  readonly rule: Rule;
  readonly detail: string;
}

export type Api = ApiName | 'other';

/** The path as the gateway sees it: dot segments resolved (as `new URL` does), trailing slashes dropped. */
export function gatewayPath(requestPath: string): string {
  const pathname = new URL(requestPath, 'http://localhost').pathname;
  return pathname.replace(/\/+$/, '') || '/';
}

export function apiOf(requestPath: string): Api {
  return apiForPath(gatewayPath(requestPath)) ?? 'other';
}

/** `scim:patchUser`, `admin:listAudit`, `scim:methodNotAllowed`, `scim:no-route`, `other`. */
export function routeOf(method: string, requestPath: string): string {
  const path = gatewayPath(requestPath);
  const api = apiForPath(path);
  if (!api) return 'other';
  const match = matchRoute(
    ROUTES.filter((r) => r.api === api),
    method.toUpperCase(),
    path,
  );
  if (!match) return `${api}:no-route`;
  return `${api}:${operationOf({ resource: match.route.path, httpMethod: method.toUpperCase(), path })}`;
}

const mediaType = (headers: RawResponse['headers']): string =>
  String(headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase() ?? '';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Does any object in the value have a key `password` (RFC 7643: returned "never")? */
function holdsPassword(v: unknown, depth = 0): boolean {
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => holdsPassword(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.toLowerCase() === 'password' || holdsPassword(x, depth + 1));
}

const LIST_OPERATIONS = new Set([
  'listUsers',
  'listGroups',
  'searchUsers',
  'searchGroups',
  'searchAll',
  'listSchemas',
  'listResourceTypes',
]);
const RESOURCE_OPERATIONS = new Set([
  'getUser',
  'getGroup',
  'createUser',
  'createGroup',
  'replaceUser',
  'replaceGroup',
  'patchUser',
  'patchGroup',
]);

function checkScim(req: FuzzRequest, res: RawResponse, operation: string, out: Violation[]): void {
  const head = req.method.toUpperCase() === 'HEAD';
  const hasBody = res.status !== 204 && res.status !== 304 && !head;
  if (hasBody && mediaType(res.headers) !== SCIM_MEDIA_TYPE) {
    out.push({ rule: 'scim-content-type', detail: `Content-Type ${JSON.stringify(res.headers['content-type'] ?? null)} on ${res.status}` });
  }
  if (res.status >= 400) {
    if (head) return;
    const parsed = parseJson(res.body);
    if (!parsed.ok || !isObject(parsed.value)) {
      out.push({ rule: 'scim-error-body', detail: `${res.status} body is not a JSON object` });
      return;
    }
    const body = parsed.value;
    if (!Array.isArray(body.schemas) || body.schemas.length !== 1 || body.schemas[0] !== ERROR_URN) {
      out.push({ rule: 'scim-error-body', detail: `schemas is ${JSON.stringify(body.schemas)}, not ["${ERROR_URN}"]` });
    }
    if (body.status !== String(res.status)) {
      out.push({ rule: 'scim-error-status', detail: `status ${JSON.stringify(body.status)} on HTTP ${res.status}` });
    }
    if (body.scimType !== undefined) {
      const allowed = typeof body.scimType === 'string' ? SCIM_TYPES[body.scimType] : undefined;
      if (!allowed || !allowed.includes(res.status)) {
        out.push({ rule: 'scim-error-scimType', detail: `scimType ${JSON.stringify(body.scimType)} on ${res.status}` });
      }
    }
    if (body.detail !== undefined && typeof body.detail !== 'string') {
      out.push({ rule: 'scim-error-body', detail: `detail is ${typeof body.detail}, not a string` });
    }
    return;
  }
  if (res.status === 204) {
    if (res.body !== '') out.push({ rule: 'scim-success-body', detail: `204 with a body of ${res.body.length} bytes` });
    return;
  }
  if (res.status < 200 || res.status >= 300 || head) return;
  const parsed = parseJson(res.body);
  if (!parsed.ok) {
    out.push({ rule: 'scim-success-body', detail: `${res.status} body is not JSON` });
    return;
  }
  if (holdsPassword(parsed.value)) out.push({ rule: 'scim-password-returned', detail: 'a 2xx body holds a "password" attribute' });
  const body = parsed.value;
  if (LIST_OPERATIONS.has(operation)) {
    const resources = isObject(body) ? body.Resources : undefined;
    if (
      !isObject(body) ||
      !Array.isArray(body.schemas) ||
      !body.schemas.includes(LIST_URN) ||
      !Number.isInteger(body.totalResults) ||
      (body.totalResults as number) < 0 ||
      (resources !== undefined && !Array.isArray(resources)) ||
      (Array.isArray(resources) && body.itemsPerPage !== resources.length) ||
      (Array.isArray(resources) && !resources.every((r) => isObject(r) && typeof r.id === 'string'))
    ) {
      out.push({ rule: 'scim-list-shape', detail: `not a ListResponse: ${res.body.slice(0, 160)}` });
    }
  } else if (operation === 'bulk') {
    checkBulkResponse(body, res, out);
  } else if (RESOURCE_OPERATIONS.has(operation)) {
    const type = /User$/.test(operation) ? 'User' : 'Group';
    const meta = isObject(body) ? body.meta : undefined;
    if (!isObject(body) || typeof body.id !== 'string' || !Array.isArray(body.schemas) || (isObject(meta) && meta.resourceType !== type)) {
      out.push({ rule: 'scim-resource-shape', detail: `not a ${type}: ${res.body.slice(0, 160)}` });
    }
    if (res.status === 201 && !res.headers.location) out.push({ rule: 'scim-location', detail: '201 without a Location header' });
    // README: a write answers with an ETag; RFC 7643 section 3.1: meta.version is the ETag.
    const etag = res.headers.etag;
    if (!etag) out.push({ rule: 'scim-etag', detail: `${res.status} ${operation} without an ETag header` });
    else if (isObject(meta) && meta.version !== undefined && meta.version !== etag) {
      out.push({ rule: 'scim-etag', detail: `meta.version ${JSON.stringify(meta.version)} but ETag ${etag}` });
    }
  }
}

/**
 * RFC 7644 section 3.7.3: a BulkResponse whose results each have a method and a status (a string);
 * an error's result carries the SCIM error of that status, a success's none. A result of 500 is a
 * failure, as a 500 of a single request is (503 is how the deadline and work budget answer).
 */
function checkBulkResponse(body: unknown, res: RawResponse, out: Violation[]): void {
  const results = isObject(body) ? body.Operations : undefined;
  if (!isObject(body) || !Array.isArray(body.schemas) || body.schemas[0] !== BULK_RESPONSE_URN || !Array.isArray(results)) {
    out.push({ rule: 'scim-bulk-shape', detail: `not a BulkResponse: ${res.body.slice(0, 160)}` });
    return;
  }
  for (const [i, r] of results.entries()) {
    const status = isObject(r) && typeof r.status === 'string' ? Number(r.status) : NaN;
    const error = isObject(r) ? r.response : undefined;
    const wellFormed =
      isObject(r) &&
      typeof r.method === 'string' &&
      Number.isInteger(status) &&
      (status < 400
        ? error === undefined
        : isObject(error) && Array.isArray(error.schemas) && error.schemas[0] === ERROR_URN && error.status === r.status);
    if (!wellFormed) out.push({ rule: 'scim-bulk-shape', detail: `Operations[${i}] is ${JSON.stringify(r).slice(0, 160)}` });
    else if (status >= 500 && status !== 503) out.push({ rule: 'status-5xx', detail: `Operations[${i}] answered ${status}` });
  }
}

function checkAdmin(req: FuzzRequest, res: RawResponse, out: Violation[]): void {
  if (req.method.toUpperCase() === 'HEAD' || res.status === 304) return;
  if (res.status >= 400) {
    if (mediaType(res.headers) !== PROBLEM_MEDIA_TYPE) {
      out.push({
        rule: 'admin-content-type',
        detail: `Content-Type ${JSON.stringify(res.headers['content-type'] ?? null)} on ${res.status}`,
      });
    }
    const parsed = parseJson(res.body);
    if (!parsed.ok || !isObject(parsed.value)) {
      out.push({ rule: 'admin-problem-body', detail: `${res.status} body is not a JSON object` });
      return;
    }
    const p = parsed.value;
    if (typeof p.type !== 'string' || typeof p.title !== 'string' || (p.detail !== undefined && typeof p.detail !== 'string')) {
      out.push({ rule: 'admin-problem-body', detail: `not problem details: ${res.body.slice(0, 160)}` });
    }
    if (p.status !== res.status)
      out.push({ rule: 'admin-problem-status', detail: `status ${JSON.stringify(p.status)} on HTTP ${res.status}` });
    return;
  }
  if (res.status === 204) {
    if (res.body !== '') out.push({ rule: 'admin-success-body', detail: `204 with a body of ${res.body.length} bytes` });
    return;
  }
  if (res.status >= 200 && res.status < 300) {
    if (mediaType(res.headers) !== JSON_MEDIA_TYPE) {
      out.push({
        rule: 'admin-content-type',
        detail: `Content-Type ${JSON.stringify(res.headers['content-type'] ?? null)} on ${res.status}`,
      });
    }
    if (!parseJson(res.body).ok) out.push({ rule: 'admin-success-body', detail: `${res.status} body is not JSON` });
  }
}

/** Every rule a response breaks. */
export function checkExchange(req: FuzzRequest, res: RawResponse): Violation[] {
  const out: Violation[] = [];
  if (res.notSent) return out;
  if (res.error !== undefined && res.status === 0) {
    out.push({ rule: 'transport', detail: res.error });
    return out;
  }
  const api = apiOf(req.path);
  const route = routeOf(req.method, req.path);
  const operation = route.split(':')[1] ?? '';
  if (res.status >= 500) out.push({ rule: 'status-5xx', detail: `HTTP ${res.status}` });
  if (req.expectStatus && !req.expectStatus.includes(res.status)) {
    out.push({ rule: 'expected-status', detail: `HTTP ${res.status}, expected ${req.expectStatus.join(' or ')}` });
  }
  if (res.status === 405 && !res.headers.allow)
    out.push({ rule: 'allow-header', detail: '405 without an Allow header (RFC 9110 section 15.5.6)' });
  if (res.status === 401 && !res.headers['www-authenticate']) {
    out.push({ rule: 'www-authenticate', detail: '401 without WWW-Authenticate (RFC 9110 section 11.6.1)' });
  }
  if (res.ms > GATEWAY_TIMEOUT_MS) out.push({ rule: 'slow', detail: `answered in ${Math.round(res.ms)} ms` });
  if (api === 'scim') checkScim(req, res, operation, out);
  else checkAdmin(req, res, out);
  return out;
}

/** A SCIM-API answer of 4xx/5xx whose body is not a SCIM error (for the figures). */
export const isNonScimErrorBody = (req: FuzzRequest, violations: readonly Violation[]): boolean =>
  apiOf(req.path) === 'scim' && violations.some((v) => v.rule === 'scim-error-body');
