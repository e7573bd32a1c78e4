/**
 * The route table: the one list of HTTP routes. The CDK stack builds API Gateway resources,
 * methods and authorizers from it, the local gateway serves it, and each function dispatches
 * on the `operation` of the route API Gateway matched (`event.resource` + `event.httpMethod`).
 */
export type ApiName = 'scim' | 'admin' | 'oauth';
export type FunctionName = 'scim' | 'admin' | 'token';
export type AuthorizerName = 'scimToken' | 'adminJwt';
/** A route anyone may call (the admin API's OpenAPI description). */
export type Authorization = AuthorizerName | 'none';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route<O extends string = string> {
  readonly api: ApiName;
  /** `ANY` only for the generated method-not-allowed fallbacks. */
  readonly method: HttpMethod | 'ANY';
  /** API Gateway resource path, with `{name}` path parameters. */
  readonly path: string;
  readonly function: FunctionName;
  readonly authorizer: Authorization;
  /** What the function does for this route. */
  readonly operation: O;
}

export const SCIM_BASE_PATH = '/api/scim/v2';
export const ADMIN_BASE_PATH = '/api/admin/v1';
/** The OAuth 2.0 token endpoint's API (RFC 6749 client credentials for SCIM clients). */
export const OAUTH_BASE_PATH = '/api/oauth2';
export const TOKEN_ENDPOINT_PATH = `${OAUTH_BASE_PATH}/token`;

/** Which API owns a request path (by prefix); undefined for paths outside them. */
export function apiForPath(path: string): ApiName | undefined {
  if (path === SCIM_BASE_PATH || path.startsWith(`${SCIM_BASE_PATH}/`)) return 'scim';
  if (path === ADMIN_BASE_PATH || path.startsWith(`${ADMIN_BASE_PATH}/`)) return 'admin';
  if (path === OAUTH_BASE_PATH || path.startsWith(`${OAUTH_BASE_PATH}/`)) return 'oauth';
  return undefined;
}

const scim = <O extends string>(method: HttpMethod, path: string, operation: O): Route<O> & { api: 'scim' } => ({
  api: 'scim',
  method,
  path: `${SCIM_BASE_PATH}${path}`,
  function: 'scim',
  authorizer: 'scimToken',
  operation,
});

const admin = <O extends string>(
  method: HttpMethod,
  path: string,
  operation: O,
  authorizer: Authorization = 'adminJwt',
): Route<O> & { api: 'admin' } => ({
  api: 'admin',
  method,
  path: `${ADMIN_BASE_PATH}${path}`,
  function: 'admin',
  authorizer,
  operation,
});

/** The token endpoint: public (the client authenticates in the request itself, RFC 6749 section 2.3). */
const oauth = <O extends string>(method: HttpMethod, path: string, operation: O): Route<O> & { api: 'oauth' } => ({
  api: 'oauth',
  method,
  path: `${OAUTH_BASE_PATH}${path}`,
  function: 'token',
  authorizer: 'none',
  operation,
});

/**
 * API Gateway matches paths case-sensitively, but SCIM clients are not consistent (Microsoft's
 * test collection calls /users). Any SCIM path no explicit route matches reaches the SCIM
 * function through this greedy route, which dispatches case-insensitively (or answers 404/405).
 */
export const SCIM_PROXY_ROUTE: Route<'dispatchByPath'> = {
  api: 'scim',
  method: 'ANY',
  path: `${SCIM_BASE_PATH}/{proxy+}`,
  function: 'scim',
  authorizer: 'scimToken',
  operation: 'dispatchByPath',
};

/** The routes as written; `ROUTES` adds the fallbacks. */
const DECLARED = [
  scim('GET', '/ServiceProviderConfig', 'getServiceProviderConfig'),
  scim('GET', '/Schemas', 'listSchemas'),
  scim('GET', '/Schemas/{id}', 'getSchema'),
  scim('GET', '/ResourceTypes', 'listResourceTypes'),
  scim('GET', '/ResourceTypes/{id}', 'getResourceType'),
  scim('POST', '/Bulk', 'bulk'),
  scim('POST', '/.search', 'searchAll'),

  scim('GET', '/Users', 'listUsers'),
  scim('POST', '/Users', 'createUser'),
  scim('POST', '/Users/.search', 'searchUsers'),
  scim('GET', '/Users/{id}', 'getUser'),
  scim('PUT', '/Users/{id}', 'replaceUser'),
  scim('PATCH', '/Users/{id}', 'patchUser'),
  scim('DELETE', '/Users/{id}', 'deleteUser'),

  scim('GET', '/Groups', 'listGroups'),
  scim('POST', '/Groups', 'createGroup'),
  scim('POST', '/Groups/.search', 'searchGroups'),
  scim('GET', '/Groups/{id}', 'getGroup'),
  scim('PUT', '/Groups/{id}', 'replaceGroup'),
  scim('PATCH', '/Groups/{id}', 'patchGroup'),
  scim('DELETE', '/Groups/{id}', 'deleteGroup'),

  admin('GET', '/provisioning', 'getProvisioning'),
  admin('PUT', '/provisioning', 'setProvisioning'),
  admin('POST', '/provisioning/tokens', 'generateToken'),
  admin('GET', '/provisioning/tokens', 'listTokens'),
  admin('DELETE', '/provisioning/tokens/{id}', 'deleteToken'),
  admin('POST', '/provisioning/clients', 'generateClient'),
  admin('GET', '/provisioning/clients', 'listClients'),
  admin('DELETE', '/provisioning/clients/{id}', 'deleteClient'),
  admin('PUT', '/provisioning/clients/{id}/federation', 'setClientFederation'),
  admin('DELETE', '/provisioning/clients/{id}/federation', 'removeClientFederation'),
  admin('GET', '/audit', 'listAudit'),
  admin('GET', '/users', 'listProvisionedUsers'),
  admin('GET', '/users/{id}', 'getProvisionedUser'),
  admin('DELETE', '/users/{id}/personal-data', 'erasePersonalData'),
  admin('GET', '/groups', 'listProvisionedGroups'),
  admin('GET', '/groups/{id}', 'getProvisionedGroup'),
  admin('GET', '/events', 'listEvents'),
  admin('POST', '/webhooks', 'registerWebhook'),
  admin('GET', '/webhooks', 'listWebhooks'),
  admin('DELETE', '/webhooks/{id}', 'deleteWebhook'),
  admin('GET', '/webhooks/{id}/deliveries', 'listDeliveries'),
  admin('GET', '/openapi.json', 'getOpenApi', 'none'),

  oauth('POST', '/token', 'issueToken'),
] as const;

type Declared = (typeof DECLARED)[number];
/** The operations of the route table, by API: a typo in an operations object fails `tsc`. */
export type ScimOperation = Extract<Declared, { api: 'scim' }>['operation'] | 'dispatchByPath' | 'methodNotAllowed';
export type AdminOperation = Extract<Declared, { api: 'admin' }>['operation'] | 'methodNotAllowed';
export type OAuthOperation = Extract<Declared, { api: 'oauth' }>['operation'] | 'methodNotAllowed';
/** The routes as declared (without the generated fallbacks), e.g. to describe them. */
export const DECLARED_ROUTES: readonly Route[] = DECLARED;

/**
 * API Gateway answers a known path with an unknown method like an unknown path. HTTP wants 405,
 * so every resource path also gets an `ANY` method that reaches its function (behind the same
 * authorizer), which answers 405 with the methods the path allows. Explicit methods win over `ANY`.
 */
function withMethodFallbacks(routes: readonly Route[]): Route[] {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  return [...routes, ...[...byPath.values()].map((r): Route => ({ ...r, method: 'ANY', operation: 'methodNotAllowed' }))];
}

export const ROUTES: readonly Route[] = [...withMethodFallbacks(DECLARED), SCIM_PROXY_ROUTE];

/** The route API Gateway matched, from the proxy event's `resource` and `httpMethod`. */
export function findRoute(resource: string, method: string, routes: readonly Route[] = ROUTES): Route | undefined {
  return routes.find((r) => r.path === resource && r.method === method) ?? routes.find((r) => r.path === resource && r.method === 'ANY');
}

/** The methods a resource path allows (for 405 `Allow`). */
export function allowedMethods(resource: string, routes: readonly Route[] = ROUTES): HttpMethod[] {
  return routes.filter((r) => r.path === resource && r.method !== 'ANY').map((r) => r.method as HttpMethod);
}

/**
 * The operation a SCIM or admin request is for, as the route table names it (for metrics and logs):
 * a path that reached the SCIM function through the greedy route is matched ignoring case, as the
 * function dispatches it.
 */
export function operationOf(event: { resource: string; httpMethod: string; path: string }): string {
  const route = findRoute(event.resource, event.httpMethod);
  if (!route) return 'unknown';
  if (route.operation !== SCIM_PROXY_ROUTE.operation) return route.operation;
  const declared = ROUTES.filter((r) => r.api === 'scim' && r.operation !== SCIM_PROXY_ROUTE.operation);
  return matchRoute(declared, event.httpMethod, event.path, { caseInsensitive: true })?.route.operation ?? 'unknown';
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string> | null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/**
 * API Gateway's matching: a static segment beats a `{param}`, which beats a greedy `{proxy+}`;
 * an explicit method beats ANY. `caseInsensitive` compares static segments ignoring case (for
 * the SCIM function's own dispatch of paths that reached it through the greedy route).
 */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
  options: { caseInsensitive?: boolean } = {},
): RouteMatch | undefined {
  const segments = path.split('/').filter(Boolean);
  const same = (a: string, b: string): boolean => (options.caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const template = route.path.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    let greedy = false;
    for (let i = 0; i < template.length && ok; i++) {
      const t = template[i] ?? '';
      const s = segments[i];
      if (s === undefined) {
        ok = false;
      } else if (/^\{\w+\+\}$/.test(t)) {
        params[t.slice(1, -2)] = segments.slice(i).map(safeDecode).join('/');
        score.push(-1);
        greedy = true;
        break;
      } else if (/^\{\w+\}$/.test(t)) {
        params[t.slice(1, -1)] = safeDecode(s);
        score.push(0);
      } else if (same(t, s)) {
        score.push(1);
      } else {
        ok = false;
      }
    }
    if (!ok || (!greedy && template.length !== segments.length)) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compareScores(score, best.score) > 0) {
      best = { match: { route, pathParameters: Object.keys(params).length ? params : null }, score };
    }
  }
  return best?.match;
}
