/**
 * The route table: the one list of HTTP routes. The CDK stack builds API Gateway resources,
 * methods and authorizers from it, the local gateway serves it, and each function dispatches
 * on the `operation` of the route API Gateway matched (`event.resource` + `event.httpMethod`).
 */
export type ApiName = 'scim' | 'admin';
export type FunctionName = 'scim' | 'admin';
export type AuthorizerName = 'scimToken' | 'adminJwt';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  readonly api: ApiName;
  /** `ANY` only for the generated method-not-allowed fallbacks. */
  readonly method: HttpMethod | 'ANY';
  /** API Gateway resource path, with `{name}` path parameters. */
  readonly path: string;
  readonly function: FunctionName;
  readonly authorizer: AuthorizerName;
  /** What the function does for this route. */
  readonly operation: string;
}

export const SCIM_BASE_PATH = '/api/scim/v2';
export const ADMIN_BASE_PATH = '/api/admin/v1';

/** Which API owns a request path (by prefix); undefined for paths outside both. */
export function apiForPath(path: string): ApiName | undefined {
  if (path === SCIM_BASE_PATH || path.startsWith(`${SCIM_BASE_PATH}/`)) return 'scim';
  if (path === ADMIN_BASE_PATH || path.startsWith(`${ADMIN_BASE_PATH}/`)) return 'admin';
  return undefined;
}

const scim = (method: HttpMethod, path: string, operation: string): Route => ({
  api: 'scim',
  method,
  path: `${SCIM_BASE_PATH}${path}`,
  function: 'scim',
  authorizer: 'scimToken',
  operation,
});

const admin = (method: HttpMethod, path: string, operation: string): Route => ({
  api: 'admin',
  method,
  path: `${ADMIN_BASE_PATH}${path}`,
  function: 'admin',
  authorizer: 'adminJwt',
  operation,
});

/** The routes as written; `ROUTES` adds the fallbacks. */
const DECLARED: readonly Route[] = [
  scim('GET', '/ServiceProviderConfig', 'getServiceProviderConfig'),

  admin('GET', '/provisioning', 'getProvisioning'),
  admin('PUT', '/provisioning', 'setProvisioning'),
  admin('POST', '/provisioning/tokens', 'generateToken'),
  admin('GET', '/provisioning/tokens', 'listTokens'),
  admin('DELETE', '/provisioning/tokens/{id}', 'deleteToken'),
  admin('GET', '/audit', 'listAudit'),
];

/**
 * API Gateway answers a known path with an unknown method like an unknown path. HTTP wants 405,
 * so every resource path also gets an `ANY` method that reaches its function (behind the same
 * authorizer), which answers 405 with the methods the path allows. Explicit methods win over `ANY`.
 */
function withMethodFallbacks(routes: readonly Route[]): Route[] {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  return [...routes, ...[...byPath.values()].map((r): Route => ({ ...r, method: 'ANY', operation: 'methodNotAllowed' }))];
}

export const ROUTES: readonly Route[] = withMethodFallbacks(DECLARED);

/** The route API Gateway matched, from the proxy event's `resource` and `httpMethod`. */
export function findRoute(resource: string, method: string, routes: readonly Route[] = ROUTES): Route | undefined {
  return routes.find((r) => r.path === resource && r.method === method) ?? routes.find((r) => r.path === resource && r.method === 'ANY');
}

/** The methods a resource path allows (for 405 `Allow`). */
export function allowedMethods(resource: string, routes: readonly Route[] = ROUTES): HttpMethod[] {
  return routes.filter((r) => r.path === resource && r.method !== 'ANY').map((r) => r.method as HttpMethod);
}
