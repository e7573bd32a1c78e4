/**
 * The admin API's read-only views of the provisioned users and groups (the console's Users and
 * Groups pages). They search and page exactly as SCIM does (the same services: filter, sortBy,
 * sortOrder, startIndex, count, cursor per RFC 7644 and RFC 9865), with the admin sign-in instead of
 * a SCIM token, and answer the admin API's JSON: summaries for lists, the SCIM resource for one.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../scim/messages/error';
import { searchFromQuery, type SearchRequest } from '../scim/messages/search-request';
import { RequestBudget } from '../scim/budget';
import type { GroupService } from '../scim/service/groups';
import type { ResourcePage } from '../scim/service/list';
import type { ScimResource } from '../scim/service/meta';
import type { UserService } from '../scim/service/users';
import type { RequestContext } from '../scim/service/writer';
import { isObject } from '../scim/resource/types';
import { adminActor } from './admin';
import { ProblemError } from './problems';
import { scimBaseUrl } from './request';
import { jsonResponse } from './responses';

export interface Directory {
  users: UserService;
  groups: GroupService;
  /** The SCIM API's public base URL (meta.location of the resources); from the request when unset. */
  scimEndpoint?: string;
}

/** Resources per page of the admin views (SCIM's own default and bound are larger: these pages are for people). */
export const DIRECTORY_PAGE = { default: 50, max: 200 } as const;

/** A SCIM refusal (a filter that does not parse, an unknown attribute, tooMany) as the admin API's problem details. */
function asProblem(e: unknown): unknown {
  if (!(e instanceof ScimError)) return e;
  const title = e.status === 404 ? 'Not Found' : e.status === 409 ? 'Conflict' : e.status >= 500 ? 'Service Unavailable' : 'Bad Request';
  const detail = e.scimType ? `${e.message} (SCIM ${e.scimType})` : e.message;
  return new ProblemError(e.status, title, detail, e.headers, { cause: e });
}

function search(event: APIGatewayProxyEvent): SearchRequest {
  const q = event.queryStringParameters ?? {};
  const request = searchFromQuery(q);
  const count = request.count ?? DIRECTORY_PAGE.default;
  if (count < 1 || count > DIRECTORY_PAGE.max) throw ProblemError.badRequest(`count must be an integer from 1 to ${DIRECTORY_PAGE.max}.`);
  return { ...request, count };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What a list shows of a user: who (userName, name, the primary e-mail), whether active, when it last changed. */
export function userSummary(user: ScimResource): Record<string, unknown> {
  const name = isObject(user.name) ? user.name : {};
  const formatted = text(name.formatted) ?? ([text(name.givenName), text(name.familyName)].filter(Boolean).join(' ') || undefined);
  const emails = Array.isArray(user.emails) ? user.emails.filter(isObject) : [];
  const email = text((emails.find((e) => e.primary === true) ?? emails[0])?.value);
  const meta = isObject(user.meta) ? user.meta : {};
  return {
    id: user.id,
    userName: user.userName,
    ...(text(user.displayName) ? { displayName: user.displayName } : {}),
    ...(formatted ? { name: formatted } : {}),
    ...(email ? { email } : {}),
    active: user.active !== false,
    ...(text(user.externalId) ? { externalId: user.externalId } : {}),
    created: meta.created,
    lastModified: meta.lastModified,
  };
}

function groupSummary(group: ScimResource, memberCount: number): Record<string, unknown> {
  const meta = isObject(group.meta) ? group.meta : {};
  return {
    id: group.id,
    displayName: group.displayName,
    ...(text(group.externalId) ? { externalId: group.externalId } : {}),
    memberCount,
    created: meta.created,
    lastModified: meta.lastModified,
  };
}

/** A page's paging, as SCIM's ListResponse gives it (totalResults null where a cursor page cannot know it). */
const paging = (page: ResourcePage): Record<string, unknown> => ({
  totalResults: page.totalResults ?? null,
  startIndex: page.startIndex,
  itemsPerPage: page.resources.length,
  nextCursor: page.nextCursor ?? null,
});

export type DirectoryOperation = 'listProvisionedUsers' | 'getProvisionedUser' | 'listProvisionedGroups' | 'getProvisionedGroup';

type Operation = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function directoryOperations(deps: Directory): Record<DirectoryOperation, Operation> {
  const context = (event: APIGatewayProxyEvent): RequestContext => ({
    actor: adminActor(event),
    baseUrl: deps.scimEndpoint ?? scimBaseUrl(event),
    budget: RequestBudget.forRequest(() => Date.now()),
  });
  const id = (event: APIGatewayProxyEvent): string => event.pathParameters?.id ?? '';
  const guarded =
    (op: Operation): Operation =>
    async (event) => {
      try {
        return await op(event);
      } catch (e: unknown) {
        throw asProblem(e);
      }
    };
  return {
    listProvisionedUsers: guarded(async (event) => {
      const page = await deps.users.list(search(event), context(event), false);
      return jsonResponse(200, { ...paging(page), users: page.resources.map(userSummary) });
    }),
    getProvisionedUser: guarded(async (event) => jsonResponse(200, (await deps.users.get(id(event), context(event))).resource)),
    listProvisionedGroups: guarded(async (event) => {
      const page = await deps.groups.list(search(event), context(event), false);
      const counts = await deps.groups.memberCounts(page.resources.map((g) => String(g.id)));
      return jsonResponse(200, { ...paging(page), groups: page.resources.map((g) => groupSummary(g, counts.get(String(g.id)) ?? 0)) });
    }),
    getProvisionedGroup: guarded(async (event) => {
      const written = await deps.groups.get(id(event), context(event), true);
      const counts = await deps.groups.memberCounts([id(event)]);
      return jsonResponse(200, { ...written.resource, memberCount: counts.get(id(event)) ?? 0 });
    }),
  };
}
