/**
 * The OpenAPI 3.1 description of the admin API, generated from the route table (paths, methods,
 * which need a sign-in) and the operation docs (shared/http/admin-api.ts): nothing is kept twice.
 */
import { ADMIN_OPERATIONS, ADMIN_SCHEMAS, type OperationDoc } from './admin-api';
import { ADMIN_BASE_PATH, DECLARED_ROUTES, type Route } from './routes';

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

/** The document, for an admin API served at `serverUrl` (…/api/admin/v1). */
export function adminOpenApi(serverUrl: string): Record<string, unknown> {
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
        'Turn SCIM provisioning on and off, manage SCIM tokens and read the audit log. Roles Owner and System Admin only. ' +
        'Errors are RFC 9457 problem details. The SCIM API itself is described by its own /ServiceProviderConfig, /Schemas and /ResourceTypes.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: ADMIN_SCHEMAS,
      securitySchemes: {
        adminSignIn: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The ID token of an administrator of the admin user pool (locally: adminToken of .local/dev.json).',
        },
      },
    },
  };
}
