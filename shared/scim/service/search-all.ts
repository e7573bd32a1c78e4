/**
 * A search at the root (`POST /.search`, RFC 7644 section 3.4.3): every resource type, users then
 * groups, in one ListResponse. A filter is evaluated against each type (an attribute only the
 * other type defines is absent there; one neither defines is 400 invalidFilter); `startIndex` and
 * cursors run over the users, then the groups. Sorting across types is refused (400): sort within
 * `/Users/.search` or `/Groups/.search`.
 */
import { definesPath, outerPaths } from '../filter/plan';
import { DEFAULT_COUNT, MAX_COUNT } from '../limits';
import { ScimError } from '../messages/error';
import type { SearchRequest } from '../messages/search-request';
import type { ResourceSchema } from '../schemas/registry';
import type { GroupService } from './groups';
import type { ResourcePage } from './list';
import type { UserService } from './users';
import type { RequestContext } from './writer';

export interface SearchAllDeps {
  users: UserService;
  groups: GroupService;
  schemas: { user: ResourceSchema; group: ResourceSchema };
}

const CURSOR_PREFIX = { users: 'U.', groups: 'G.' } as const;

export async function searchAll(
  search: SearchRequest,
  ctx: RequestContext,
  deps: SearchAllDeps,
  withDerived: boolean,
): Promise<ResourcePage> {
  if (search.sortBy)
    throw ScimError.typed(
      'invalidValue',
      'sortBy is not supported when searching every resource type; search /Users/.search or /Groups/.search.',
    );
  if (search.filter) {
    for (const p of outerPaths(search.filter)) {
      if (!definesPath(deps.schemas.user, p) && !definesPath(deps.schemas.group, p)) {
        throw ScimError.typed(
          'invalidFilter',
          `Invalid filter: ${p.uri ? `${p.uri}:` : ''}${p.name}${p.sub ? `.${p.sub}` : ''} is not an attribute of User or Group`,
        );
      }
    }
  }
  // One page across both types: never more than a single type's page may hold.
  const pageSize = Math.max(0, Math.min(search.count ?? DEFAULT_COUNT, MAX_COUNT));
  const users = (q: SearchRequest): Promise<ResourcePage> => deps.users.list(q, ctx, withDerived, true);
  const groups = (q: SearchRequest): Promise<ResourcePage> => deps.groups.list(q, ctx, withDerived, true);

  if (search.cursor !== undefined) {
    const inGroups = search.cursor.startsWith(CURSOR_PREFIX.groups);
    if (search.cursor !== '' && !inGroups && !search.cursor.startsWith(CURSOR_PREFIX.users)) {
      throw ScimError.typed('invalidCursor', 'The cursor is not one this service issued.');
    }
    const inner = search.cursor.slice(2);
    const first = inGroups ? undefined : await users({ ...search, cursor: inner, count: pageSize });
    const room = pageSize - (first?.resources.length ?? 0);
    const second = first?.nextCursor || room <= 0 ? undefined : await groups({ ...search, cursor: inGroups ? inner : '', count: room });
    const userTotal = first?.totalResults ?? (await users({ ...search, cursor: '', count: 0 })).totalResults;
    const groupTotal = second?.totalResults ?? (await groups({ ...search, cursor: '', count: 0 })).totalResults;
    const next = first?.nextCursor
      ? `${CURSOR_PREFIX.users}${first.nextCursor}`
      : second?.nextCursor
        ? `${CURSOR_PREFIX.groups}${second.nextCursor}`
        : // The users filled the page exactly: the groups, if any match, are still to come.
          first && !second && pageSize > 0 && (groupTotal === undefined || groupTotal > 0)
          ? CURSOR_PREFIX.groups
          : undefined;
    const resources = [...(first?.resources ?? []), ...(second?.resources ?? [])];
    // A cursor page of a walk may not know its total (RFC 9865): then neither does the sum.
    const total = userTotal !== undefined && groupTotal !== undefined ? userTotal + groupTotal : undefined;
    const joined = (shown: ResourcePage['resources'], nextCursor: string | undefined): ResourcePage => ({
      ...(total !== undefined ? { totalResults: total } : {}),
      startIndex: 1,
      resources: shown,
      ...(nextCursor ? { nextCursor } : {}),
      cut: async (n) => {
        if (n >= shown.length) return joined(shown, nextCursor);
        const users = first?.resources.length ?? 0;
        // Cut among the users: the users' page says where the next starts; among the groups, the groups' page.
        const rest = n < users && first ? await first.cut(n) : await (second as ResourcePage).cut(n - users);
        const prefix = n < users ? CURSOR_PREFIX.users : CURSOR_PREFIX.groups;
        return joined(shown.slice(0, n), rest.nextCursor ? `${prefix}${rest.nextCursor}` : undefined);
      },
    });
    return joined(resources, next);
  }

  const startIndex = Math.max(search.startIndex ?? 1, 1);
  const first = await users({ ...search, startIndex, count: pageSize });
  // Pages by startIndex are built whole (or from the counter): their totals are known.
  const usersTotal = first.totalResults ?? 0;
  const room = pageSize - first.resources.length;
  const second = await groups({ ...search, startIndex: Math.max(1, startIndex - usersTotal), count: Math.max(0, room) });
  const shownGroups = startIndex + first.resources.length > usersTotal ? second.resources : [];
  const indexed = (shown: ResourcePage['resources']): ResourcePage => ({
    totalResults: usersTotal + (second.totalResults ?? 0),
    startIndex,
    resources: shown,
    cut: async (n) => {
      if (n >= shown.length) return indexed(shown);
      // The next page asks for startIndex + n: the type it falls in remembers where that is.
      if (n < first.resources.length) await first.cut(n);
      else await second.cut(n - first.resources.length);
      return indexed(shown.slice(0, n));
    },
  });
  return indexed([...first.resources, ...shownGroups]);
}
