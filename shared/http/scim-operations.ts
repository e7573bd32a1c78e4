/** The SCIM API's operations: parse the request, call the SCIM engine, map the result. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { listResponse, resourceTypeById, resourceTypes, schemaById, schemas } from '../scim/discovery';
import { ScimError } from '../scim/errors';
import { projectResource } from '../scim/resource';
import type { ResourceSchema, SchemaRegistry } from '../scim/schemas/registry';
import { serviceProviderConfig } from '../scim/service-provider-config';
import { etagMatches, etagOf } from '../scim/service/meta';
import type { Needs, RequestContext, ResourceService, Written } from '../scim/service/resources';
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
  groups: ResourceService;
}

type Operation = (event: APIGatewayProxyEvent, ctx: RequestContext) => Promise<APIGatewayProxyResult>;

/** Does a response with these options return the attribute `name` (returned "default")? */
export function returns(name: string, options: ReadOptions): boolean {
  const lower = name.toLowerCase();
  const names = (list: readonly string[] | undefined): string[] => (list ?? []).map((a) => a.toLowerCase().split('.')[0] ?? '');
  if (options.attributes) return names(options.attributes).some((a) => a === lower || a.endsWith(`:${lower}`));
  return !names(options.excludedAttributes).some((a) => a === lower || a.endsWith(`:${lower}`));
}

const needsFor = (options: ReadOptions): Needs => ({ groups: returns('groups', options), members: returns('members', options) });

/** The seven operations on one resource type (Users or Groups). */
function resourceOperations(kind: 'User' | 'Group', service: ResourceService, rs: ResourceSchema): Record<string, Operation> {
  const id = (event: APIGatewayProxyEvent): string => event.pathParameters?.id ?? '';
  const respond = (status: number, written: Written, options: ReadOptions, extra: Record<string, string> = {}): APIGatewayProxyResult =>
    scimResponse(status, projectResource(written.resource, rs, options), { ETag: etagOf(written.version), ...extra });
  const list = async (params: Record<string, string | undefined>, ctx: RequestContext): Promise<APIGatewayProxyResult> => {
    const options = readOptions(params);
    // In lists, a user's groups (one index query per user) come only when asked for by name.
    const needs = { ...needsFor(options), groups: options.attributes !== undefined && returns('groups', options) };
    const result = await service.list(listQuery(params), ctx, needs);
    const body = listResponse(
      result.resources.map((r) => projectResource(r, rs, options)),
      result.totalResults,
      result.startIndex,
    );
    return scimResponse(200, result.nextCursor ? { ...body, nextCursor: result.nextCursor } : body);
  };
  const plural = `${kind}s`;
  return {
    [`list${plural}`]: async (e, ctx) => list(queryParams(e), ctx),
    [`search${plural}`]: async (e, ctx) => list(searchParams(scimBody(e)), ctx),
    [`create${kind}`]: async (e, ctx) => {
      const written = await service.create(scimBody(e), ctx);
      const location = String((written.resource.meta as { location: string }).location);
      return respond(201, written, readOptions(queryParams(e)), { Location: location });
    },
    [`get${kind}`]: async (e, ctx) => {
      const options = readOptions(queryParams(e));
      const written = await service.get(id(e), ctx, needsFor(options));
      const tags = ifNoneMatch(e);
      if (tags && etagMatches(tags, written.version)) return scimResponse(304, undefined, { ETag: etagOf(written.version) });
      return respond(200, written, options);
    },
    [`replace${kind}`]: async (e, ctx) => {
      const options = readOptions(queryParams(e));
      return respond(200, await service.replace(id(e), scimBody(e), ctx, ifMatch(e), needsFor(options)), options);
    },
    [`patch${kind}`]: async (e, ctx) => {
      const options = readOptions(queryParams(e));
      // Groups answer 204 (Entra requires it) unless the client asks for attributes; users answer 200 with the user.
      const quiet = kind === 'Group' && !options.attributes;
      const written = await service.patch(id(e), scimBody(e), ctx, ifMatch(e), quiet ? { members: false } : needsFor(options));
      return quiet ? scimResponse(204, undefined, { ETag: etagOf(written.version) }) : respond(200, written, options);
    },
    [`delete${kind}`]: async (e, ctx) => {
      await service.delete(id(e), ctx, ifMatch(e));
      return scimResponse(204);
    },
  };
}

export function scimOperations(deps: ScimDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const scimRoutes = ROUTES.filter((r) => r.api === 'scim' && r.operation !== 'dispatchByPath');
  const id = (event: APIGatewayProxyEvent): string => event.pathParameters?.id ?? '';

  const operations: Record<string, Operation> = {
    getServiceProviderConfig: async (_e, ctx) => scimResponse(200, serviceProviderConfig(ctx.baseUrl)),
    listSchemas: async (_e, ctx) => scimResponse(200, schemas(deps.registry, ctx.baseUrl)),
    getSchema: async (e, ctx) => scimResponse(200, schemaById(deps.registry, id(e), ctx.baseUrl)),
    listResourceTypes: async (_e, ctx) => scimResponse(200, resourceTypes(deps.registry, ctx.baseUrl)),
    getResourceType: async (e, ctx) => scimResponse(200, resourceTypeById(deps.registry, id(e), ctx.baseUrl)),
    bulk: async () => {
      throw ScimError.of(501, 'Bulk operations are not supported (see /ServiceProviderConfig).');
    },
    ...resourceOperations('User', deps.users, deps.registry.user),
    ...resourceOperations('Group', deps.groups, deps.registry.group),

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
