/** The SCIM API's operations: parse the request (the RFC's messages), call the SCIM engine, map the result. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { LogSink } from '../observability';
import { RequestBudget } from '../scim/budget';
import { resourceTypeById, resourceTypes, schemaById, schemas } from '../scim/discovery';
import { bulkResponse, parseBulkRequest } from '../scim/messages/bulk';
import { ScimError } from '../scim/messages/error';
import { fittingCount, listResponse } from '../scim/messages/list-response';
import { MAX_RESPONSE_BYTES } from '../scim/limits';
import { parsePatchOp } from '../scim/messages/patch-op';
import {
  readOptionsFromQuery,
  searchFromBody,
  searchFromQuery,
  type ReadOptions,
  type SearchRequest,
} from '../scim/messages/search-request';
import { projectResource } from '../scim/resource';
import type { ResourceSchema, SchemaRegistry } from '../scim/schemas/registry';
import { serviceProviderConfig } from '../scim/service-provider-config';
import { runBulk, type BulkServices } from '../scim/service/bulk';
import type { GroupService } from '../scim/service/groups';
import { etagMatches, etagOf, type Preconditions } from '../scim/service/meta';
import { searchAll } from '../scim/service/search-all';
import type { ResourcePage } from '../scim/service/list';
import type { UserService, Written } from '../scim/service/users';
import type { RequestContext } from '../scim/service/writer';
import { publicBaseUrl, scimBaseUrl } from './request';
import { scimResponse } from './responses';
import { allowedMethods, findRoute, matchRoute, ROUTES, TOKEN_ENDPOINT_PATH, type ScimOperation } from './routes';
import { bulkBody, ifMatch, ifNoneMatch, queryParams, scimActor, scimBody } from './scim-request';

export interface ScimDeps {
  registry: SchemaRegistry;
  users: UserService;
  groups: GroupService;
  /** The OAuth 2.0 token endpoint's URL, as the stack configures it (unset: on the request's origin, as locally). */
  tokenEndpoint?: string | undefined;
  /** How long a request may take (default REQUEST_DEADLINE_MS, 10 s). */
  deadlineMs?: number;
  /** Where a bulk operation's unexpected error is logged (its name and message, never the operation's data). */
  log?: LogSink;
}

type Operation = (event: APIGatewayProxyEvent, ctx: RequestContext) => Promise<APIGatewayProxyResult>;

/** Does a response with these options return the attribute `name` (returned "default")? */
export function returns(name: string, options: ReadOptions): boolean {
  const lower = name.toLowerCase();
  const names = (list: readonly string[] | undefined): string[] => (list ?? []).map((a) => a.toLowerCase().split('.')[0] ?? '');
  if (options.attributes) return names(options.attributes).some((a) => a === lower || a.endsWith(`:${lower}`));
  return !names(options.excludedAttributes).some((a) => a === lower || a.endsWith(`:${lower}`));
}

const id = (event: APIGatewayProxyEvent): string => event.pathParameters?.id ?? '';

const preconditions = (event: APIGatewayProxyEvent): Preconditions => {
  const match = ifMatch(event);
  const noneMatch = ifNoneMatch(event);
  return { ...(match ? { ifMatch: match } : {}), ...(noneMatch ? { ifNoneMatch: noneMatch } : {}) };
};

/** RFC 7644 section 4: the discovery endpoints do not filter, and say so (403) rather than ignore it. */
const noFilter = (event: APIGatewayProxyEvent): void => {
  if (queryParams(event).filter !== undefined) {
    throw ScimError.of(403, 'Discovery endpoints (/ServiceProviderConfig, /Schemas, /ResourceTypes) do not support filter.');
  }
};

const respond = (
  status: number,
  written: Written,
  rs: ResourceSchema,
  options: ReadOptions,
  extra: Record<string, string> = {},
): APIGatewayProxyResult =>
  scimResponse(status, projectResource(written.resource, rs, options), { ETag: etagOf(written.version), ...extra });

/** A ListResponse of the page as projected, cut before it would outgrow Lambda's response limit. */
const page = async (
  whole: ResourcePage,
  rs: ResourceSchema | ((r: Record<string, unknown>) => ResourceSchema),
  options: ReadOptions,
): Promise<APIGatewayProxyResult> => {
  const schemaOf = typeof rs === 'function' ? rs : (): ResourceSchema => rs;
  const projected = whole.resources.map((r) => projectResource(r, schemaOf(r), options));
  const fits = fittingCount(projected, MAX_RESPONSE_BYTES);
  const result = fits < projected.length ? await whole.cut(fits) : whole;
  return scimResponse(
    200,
    listResponse(projected.slice(0, fits), {
      totalResults: result.totalResults ?? 'unknown',
      startIndex: result.startIndex,
      nextCursor: result.nextCursor,
    }),
  );
};

const notModified = (event: APIGatewayProxyEvent, written: Written): APIGatewayProxyResult | undefined => {
  const tags = ifNoneMatch(event);
  return tags && etagMatches(tags, written.version) ? scimResponse(304, undefined, { ETag: etagOf(written.version) }) : undefined;
};

export function scimOperations(
  deps: ScimDeps,
): (event: APIGatewayProxyEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<APIGatewayProxyResult> {
  const { users, groups, registry } = deps;
  const user = registry.user;
  const group = registry.group;
  const scimRoutes = ROUTES.filter((r) => r.api === 'scim' && r.operation !== 'dispatchByPath');

  const listUsers = async (search: SearchRequest, ctx: RequestContext): Promise<APIGatewayProxyResult> =>
    page(await users.list(search, ctx, returns('groups', search) || returns('meta', search)), user, search);
  const listGroups = async (search: SearchRequest, ctx: RequestContext): Promise<APIGatewayProxyResult> =>
    page(await groups.list(search, ctx, returns('members', search)), group, search);
  // Bulk results carry no resource: a group's writes skip reading its members back.
  const bulkServices: BulkServices = {
    Users: users,
    Groups: {
      create: (input, ctx) => groups.create(input, ctx),
      replace: (gid, input, ctx, p) => groups.replace(gid, input, ctx, p, false),
      patch: (gid, patch, ctx, p) => groups.patch(gid, patch, ctx, p, false),
      delete: (gid, ctx, p) => groups.delete(gid, ctx, p),
    },
  };
  const onUnexpected = (error: unknown, op: { index: number; method: string; endpoint: string }): void =>
    deps.log?.error('Unhandled error in a bulk operation', {
      errorName: error instanceof Error ? error.name : typeof error,
      errorMessage: error instanceof Error ? error.message : undefined,
      operation: op.index,
      method: op.method,
      endpoint: op.endpoint,
    });
  // Groups answer a PATCH with 204 (Entra ID requires it) unless the client asks for attributes.
  const quietPatch = (e: APIGatewayProxyEvent): boolean => readOptionsFromQuery(queryParams(e)).attributes === undefined;

  const operations: Record<ScimOperation, Operation> = {
    getServiceProviderConfig: async (e, ctx) => (
      noFilter(e),
      scimResponse(200, serviceProviderConfig(ctx.baseUrl, deps.tokenEndpoint || publicBaseUrl(e, TOKEN_ENDPOINT_PATH)))
    ),
    listSchemas: async (e, ctx) => (noFilter(e), scimResponse(200, schemas(registry, ctx.baseUrl))),
    getSchema: async (e, ctx) => (noFilter(e), scimResponse(200, schemaById(registry, id(e), ctx.baseUrl))),
    listResourceTypes: async (e, ctx) => (noFilter(e), scimResponse(200, resourceTypes(registry, ctx.baseUrl))),
    getResourceType: async (e, ctx) => (noFilter(e), scimResponse(200, resourceTypeById(registry, id(e), ctx.baseUrl))),
    bulk: async (e, ctx) =>
      scimResponse(200, bulkResponse(await runBulk(parseBulkRequest(bulkBody(e)), bulkServices, ctx, { onUnexpected }))),
    searchAll: async (e, ctx) => {
      const search = searchFromBody(scimBody(e));
      const withDerived = returns('groups', search) || returns('members', search) || returns('meta', search);
      const result = await searchAll(search, ctx, { users, groups, schemas: { user, group } }, withDerived);
      return page(result, (r) => ((r.meta as { resourceType?: string } | undefined)?.resourceType === 'Group' ? group : user), search);
    },

    listUsers: async (e, ctx) => listUsers(searchFromQuery(queryParams(e)), ctx),
    searchUsers: async (e, ctx) => listUsers(searchFromBody(scimBody(e)), ctx),
    createUser: async (e, ctx) => {
      const written = await users.create(scimBody(e), ctx);
      return respond(201, written, user, readOptionsFromQuery(queryParams(e)), {
        Location: String((written.resource.meta as { location: string }).location),
      });
    },
    getUser: async (e, ctx) => {
      const written = await users.get(id(e), ctx);
      return notModified(e, written) ?? respond(200, written, user, readOptionsFromQuery(queryParams(e)));
    },
    replaceUser: async (e, ctx) =>
      respond(200, await users.replace(id(e), scimBody(e), ctx, preconditions(e)), user, readOptionsFromQuery(queryParams(e))),
    patchUser: async (e, ctx) =>
      respond(200, await users.patch(id(e), parsePatchOp(scimBody(e)), ctx, preconditions(e)), user, readOptionsFromQuery(queryParams(e))),
    deleteUser: async (e, ctx) => {
      await users.delete(id(e), ctx, preconditions(e));
      return scimResponse(204);
    },

    listGroups: async (e, ctx) => listGroups(searchFromQuery(queryParams(e)), ctx),
    searchGroups: async (e, ctx) => listGroups(searchFromBody(scimBody(e)), ctx),
    createGroup: async (e, ctx) => {
      const written = await groups.create(scimBody(e), ctx);
      return respond(201, written, group, readOptionsFromQuery(queryParams(e)), {
        Location: String((written.resource.meta as { location: string }).location),
      });
    },
    getGroup: async (e, ctx) => {
      const options = readOptionsFromQuery(queryParams(e));
      const written = await groups.get(id(e), ctx, returns('members', options));
      return notModified(e, written) ?? respond(200, written, group, options);
    },
    replaceGroup: async (e, ctx) => {
      const options = readOptionsFromQuery(queryParams(e));
      return respond(200, await groups.replace(id(e), scimBody(e), ctx, preconditions(e), returns('members', options)), group, options);
    },
    patchGroup: async (e, ctx) => {
      const options = readOptionsFromQuery(queryParams(e));
      const quiet = quietPatch(e);
      const written = await groups.patch(id(e), parsePatchOp(scimBody(e)), ctx, preconditions(e), !quiet && returns('members', options));
      return quiet ? scimResponse(204, undefined, { ETag: etagOf(written.version) }) : respond(200, written, group, options);
    },
    deleteGroup: async (e, ctx) => {
      await groups.delete(id(e), ctx, preconditions(e));
      return scimResponse(204);
    },

    // A path in another case than the route table's (e.g. /users): dispatch ignoring case.
    dispatchByPath: async (e, ctx) => {
      const match = matchRoute(scimRoutes, e.httpMethod, e.path, { caseInsensitive: true });
      const name = match?.route.operation as ScimOperation | undefined;
      if (!match || !name || name === 'dispatchByPath') throw ScimError.of(404, `No SCIM endpoint ${e.httpMethod} ${e.path}.`);
      return operations[name]({ ...e, resource: match.route.path, pathParameters: match.pathParameters }, ctx);
    },
    methodNotAllowed: async (e) => {
      const allow = allowedMethods(e.resource).join(', ');
      throw ScimError.of(405, `${e.httpMethod} is not allowed on this endpoint; allowed: ${allow}.`, { headers: { Allow: allow } });
    },
  };

  return async (event, context) => {
    const route = findRoute(event.resource, event.httpMethod);
    const name = route && route.function === 'scim' ? (route.operation as ScimOperation) : undefined;
    if (!name || !(name in operations)) throw ScimError.of(404, `No SCIM endpoint ${event.httpMethod} ${event.path}.`);
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
    const budget = RequestBudget.forRequest(() => Date.now(), remaining, deps.deadlineMs);
    return operations[name](event, { actor: scimActor(event), baseUrl: scimBaseUrl(event), budget });
  };
}
