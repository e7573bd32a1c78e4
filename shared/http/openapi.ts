/**
 * The OpenAPI 3.1 description of the admin API, generated from the route table (paths, methods,
 * which need a sign-in) and the operation docs (shared/http/admin-api.ts): nothing is kept twice.
 */
import { ADMIN_OPERATIONS, ADMIN_SCHEMAS, type OperationDoc } from './admin-api';
import { ADMIN_BASE_PATH, DECLARED_ROUTES, TOKEN_ENDPOINT_PATH, type Route } from './routes';
import { MAX_ACCESS_TOKEN_SECONDS, MIN_ACCESS_TOKEN_SECONDS } from '../tokens/access-token';
import { CLIENT_CREDENTIALS_GRANT } from '../tokens/token-endpoint';
import { JWT_BEARER_GRANT } from '../tokens/federation';

const PROBLEM_JSON = 'application/problem+json';

/** `{name}` path parameters of an API Gateway path. */
const pathParameters = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');

function operationObject(route: Route, doc: OperationDoc): Record<string, unknown> {
  const parameters = [
    ...pathParameters(route.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(doc.query ?? {}).map(([name, q]) => ({
      name,
      in: 'query',
      required: false,
      description: q.description,
      schema: q.schema,
    })),
  ];
  const responses = Object.fromEntries(
    Object.entries(doc.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.schema ? { content: { [Number(status) >= 400 ? PROBLEM_JSON : 'application/json']: { schema: r.schema } } } : {}),
      },
    ]),
  );
  return {
    operationId: route.operation,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.requestBody ? { requestBody: { required: true, content: { 'application/json': { schema: doc.requestBody } } } } : {}),
    responses,
    security: route.authorizer === 'none' ? [] : [{ adminSignIn: [] }],
  };
}

/**
 * The token endpoint (its own API and host): what Microsoft Entra ID's "OAuth 2.0 client credentials
 * grant" settings take (token endpoint, client identifier, client secret), described beside the admin
 * API that issues the SCIM clients.
 */
function tokenEndpointPath(tokenEndpoint: string): Record<string, unknown> {
  const oauthError = (description: string): Record<string, unknown> => ({
    description,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type'] },
            error_description: { type: 'string' },
          },
        },
      },
    },
  });
  return {
    servers: [{ url: tokenEndpoint.slice(0, tokenEndpoint.length - TOKEN_ENDPOINT_PATH.length) }],
    post: {
      operationId: 'issueToken',
      summary: 'An access token for a SCIM client (RFC 6749 client credentials, or an RFC 7523 assertion)',
      description:
        'The client authenticates with HTTP Basic (client id and secret) or with client_id and client_secret in the form, never both; ' +
        'or, with a federated credential registered (PUT /provisioning/clients/{id}/federation), sends only an assertion of its issuer. ' +
        'The access token is sent to the SCIM API as "Authorization: Bearer <access_token>".',
      security: [{}, { clientBasic: [] }],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              required: ['grant_type'],
              properties: {
                grant_type: { enum: [CLIENT_CREDENTIALS_GRANT, JWT_BEARER_GRANT] },
                client_id: { type: 'string' },
                client_secret: { type: 'string' },
                assertion: { type: 'string', description: 'The issuer-signed JWT (jwt-bearer grant only).' },
              },
            },
          },
        },
      },
      responses: {
        200: {
          description: 'The access token (Cache-Control: no-store).',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['access_token', 'token_type', 'expires_in'],
                properties: {
                  access_token: { type: 'string', description: 'An ES256 JWT (typ at+jwt) for the SCIM API only.' },
                  token_type: { const: 'Bearer' },
                  expires_in: { type: 'integer', minimum: MIN_ACCESS_TOKEN_SECONDS, maximum: MAX_ACCESS_TOKEN_SECONDS },
                },
              },
            },
          },
        },
        400: oauthError('invalid_request, unsupported_grant_type, or (for an assertion) invalid_grant.'),
        401: oauthError('invalid_client: no, unknown, wrong or expired client credentials (with WWW-Authenticate: Basic).'),
      },
    },
  };
}

/** The document, for an admin API served at `serverUrl` (…/api/admin/v1), and the token endpoint at `tokenEndpoint`. */
export function adminOpenApi(serverUrl: string, tokenEndpoint: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of DECLARED_ROUTES.filter((r) => r.api === 'admin')) {
    const doc = (ADMIN_OPERATIONS as Record<string, OperationDoc>)[route.operation];
    if (!doc) throw new Error(`The admin operation ${route.operation} has no description in shared/http/admin-api.ts`);
    const path = route.path.slice(ADMIN_BASE_PATH.length) || '/';
    (paths[path] ??= {})[route.method.toLowerCase()] = operationObject(route, doc);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SCIM provisioning admin API',
      version: '1',
      description:
        'Turn SCIM provisioning on and off, manage SCIM tokens and SCIM clients (OAuth 2.0), read the provisioned users and groups, the audit log and the change events. ' +
        'Any signed-in administrator reads; Owner and System Admin change. The token endpoint (its own server) issues access tokens to SCIM clients. ' +
        'Errors are RFC 9457 problem details. The SCIM API itself is described by its own /ServiceProviderConfig, /Schemas and /ResourceTypes.',
    },
    servers: [{ url: serverUrl }],
    paths: { ...paths, [TOKEN_ENDPOINT_PATH]: tokenEndpointPath(tokenEndpoint) },
    components: {
      schemas: ADMIN_SCHEMAS,
      securitySchemes: {
        adminSignIn: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The ID token of an administrator of the admin user pool (locally: adminToken of .local/dev.json).',
        },
        clientBasic: { type: 'http', scheme: 'basic', description: "A SCIM client's id and secret, at the token endpoint only." },
      },
    },
  };
}
