/** The SCIM API's operations: parse the request, call the SCIM engine, map the result. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { listResponse, resourceTypeById, resourceTypes, schemaById, schemas } from '../scim/discovery';
import { ScimError } from '../scim/errors';
import { projectResource } from '../scim/resource';
import type { SchemaRegistry } from '../scim/schemas/registry';
import { serviceProviderConfig } from '../scim/service-provider-config';
import { etagMatches, etagOf } from '../scim/service/meta';
import type { RequestContext, ResourceService, Written } from '../scim/service/resources';
import { scimBaseUrl } from './request';
import { scimResponse } from './responses';
import { allowedMethods, findRoute, matchRoute, ROUTES } from './routes';
import {
  ifMatch,
  ifNoneMatch,
  listQuery,
  queryParams,
  readOptions,
  scimActor,
  scimBody,
  searchParams,
  type ReadOptions,
} from './scim-request';

export interface ScimDeps {
  registry: SchemaRegistry;
  users: ResourceService;
}

type Operation = (event: APIGatewayProxyEvent, ctx: RequestContext) => Promise<APIGatewayProxyResult>;

export function scimOperations(deps: ScimDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const rs = deps.registry.user;
  const scimRoutes = ROUTES.filter((r) => r.api === 'scim' && r.operation !== 'dispatchByPath');
  const id = (event: APIGatewayProxyEvent): string => event.pathParameters?.id ?? '';

  const resourceResponse = (
    status: number,
    written: Written,
    options: ReadOptions,
    extra: Record<string, string> = {},
  ): APIGatewayProxyResult =>
    scimResponse(status, projectResource(written.resource, rs, options), { ETag: etagOf(written.version), ...extra });

  const list = async (params: Record<string, string | undefined>, ctx: RequestContext): Promise<APIGatewayProxyResult> => {
    const options = readOptions(params);
    const result = await deps.users.list(listQuery(params), ctx);
    const body = listResponse(
      result.resources.map((r) => projectResource(r, rs, options)),
      result.totalResults,
      result.startIndex,
    );
    return scimResponse(200, result.nextCursor ? { ...body, nextCursor: result.nextCursor } : body);
  };

  const operations: Record<string, Operation> = {
    getServiceProviderConfig: async (_e, ctx) => scimResponse(200, serviceProviderConfig(ctx.baseUrl)),
    listSchemas: async (_e, ctx) => scimResponse(200, schemas(deps.registry, ctx.baseUrl)),
    getSchema: async (e, ctx) => scimResponse(200, schemaById(deps.registry, id(e), ctx.baseUrl)),
    listResourceTypes: async (_e, ctx) => scimResponse(200, resourceTypes(deps.registry, ctx.baseUrl)),
    getResourceType: async (e, ctx) => scimResponse(200, resourceTypeById(deps.registry, id(e), ctx.baseUrl)),
    bulk: async () => {
      throw ScimError.of(501, 'Bulk operations are not supported (see /ServiceProviderConfig).');
    },

    listUsers: async (e, ctx) => list(queryParams(e), ctx),
    searchUsers: async (e, ctx) => list(searchParams(scimBody(e)), ctx),
    createUser: async (e, ctx) => {
      const written = await deps.users.create(scimBody(e), ctx);
      const location = String((written.resource.meta as { location: string }).location);
      return resourceResponse(201, written, readOptions(queryParams(e)), { Location: location });
    },
    getUser: async (e, ctx) => {
      const written = await deps.users.get(id(e), ctx);
      const tags = ifNoneMatch(e);
      if (tags && etagMatches(tags, written.version)) return scimResponse(304, undefined, { ETag: etagOf(written.version) });
      return resourceResponse(200, written, readOptions(queryParams(e)));
    },
    replaceUser: async (e, ctx) =>
      resourceResponse(200, await deps.users.replace(id(e), scimBody(e), ctx, ifMatch(e)), readOptions(queryParams(e))),
    patchUser: async (e, ctx) =>
      resourceResponse(200, await deps.users.patch(id(e), scimBody(e), ctx, ifMatch(e)), readOptions(queryParams(e))),
    deleteUser: async (e, ctx) => {
      await deps.users.delete(id(e), ctx, ifMatch(e));
      return scimResponse(204);
    },

    // A path in another case than the route table's (e.g. /users): dispatch ignoring case.
    dispatchByPath: async (e, ctx) => {
      const match = matchRoute(scimRoutes, e.httpMethod, e.path, { caseInsensitive: true });
      const operation = match ? operations[match.route.operation] : undefined;
      if (!match || !operation) throw ScimError.of(404, `No SCIM endpoint ${e.httpMethod} ${e.path}.`);
      return operation({ ...e, resource: match.route.path, pathParameters: match.pathParameters }, ctx);
    },
    methodNotAllowed: async (e) => {
      const allow = allowedMethods(e.resource).join(', ');
      throw ScimError.of(405, `${e.httpMethod} is not allowed on this endpoint; allowed: ${allow}.`, { headers: { Allow: allow } });
    },
  };

  return async (event) => {
    const route = findRoute(event.resource, event.httpMethod);
    const operation = route && route.function === 'scim' ? operations[route.operation] : undefined;
    if (!operation) throw ScimError.of(404, `No SCIM endpoint ${event.httpMethod} ${event.path}.`);
    return operation(event, { actor: scimActor(event), baseUrl: scimBaseUrl(event) });
  };
}
