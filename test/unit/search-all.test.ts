/**
 * The root search (`POST /.search`) shares one page between users and groups. These tests drive it
 * over two stand-in lists of known sizes, each of which pages the way a type's list does (at most
 * 1,000 a page, RFC 7644's `count` being a maximum), and check what the shared page holds.
 */
import type { SearchRequest } from '../../shared/scim/messages/search-request';
import { buildRegistry } from '../../shared/scim/schemas/registry';
import type { GroupService } from '../../shared/scim/service/groups';
import { searchAll } from '../../shared/scim/service/search-all';
import type { ResourcePage } from '../../shared/scim/service/list';
import type { UserService } from '../../shared/scim/service/users';
import type { RequestContext } from '../../shared/scim/service/writer';

const LARGEST_PAGE = 1000;

/** A type's list of `total` resources named `${prefix}${i}`, paged by cursor (the cursor is the next index). */
function standIn(prefix: string, total: number): (q: SearchRequest) => Promise<ResourcePage> {
  return async (q) => {
    const from = q.cursor ? Number(q.cursor) : 0;
    const n = Math.min(q.count ?? 100, LARGEST_PAGE, total - from);
    const resources = Array.from({ length: Math.max(0, n) }, (_, i) => ({ id: `${prefix}${from + i}` }));
    const page = (shown: { id: string }[]): ResourcePage => {
      const next = from + shown.length;
      return {
        totalResults: total,
        startIndex: 1,
        resources: shown,
        ...(next < total && shown.length > 0 ? { nextCursor: String(next) } : {}),
        cut: async (m) => page(shown.slice(0, m)),
      };
    };
    return page(resources);
  };
}

function deps(users: number, groups: number): Parameters<typeof searchAll>[2] {
  const registry = buildRegistry();
  return {
    users: { list: standIn('u', users) } as unknown as UserService,
    groups: { list: standIn('g', groups) } as unknown as GroupService,
    schemas: { user: registry.user, group: registry.group },
  };
}

const ctx: RequestContext = { actor: { type: 'scimToken', id: 't' }, baseUrl: 'https://scim.example.com/api/scim/v2' };
const search = (extra: Partial<SearchRequest>): SearchRequest => ({ ...extra }) as SearchRequest;

describe('searching every resource type at once', () => {
  it('never returns more than the largest page of one type, whatever count asks for', async () => {
    const page = await searchAll(search({ count: 100_000, cursor: '' }), ctx, deps(1500, 1500), false);
    expect(page.resources).toHaveLength(LARGEST_PAGE);
    const indexed = await searchAll(search({ count: 100_000 }), ctx, deps(600, 600), false);
    expect(indexed.resources).toHaveLength(LARGEST_PAGE);
  });

  it('a cursor walk returns each user and each group once, also when the users fill a page exactly', async () => {
    for (const [users, groups, count] of [
      [4, 3, 2],
      [2, 2, 2],
      [3, 0, 3],
      [0, 5, 2],
      [5, 5, 10],
    ] as const) {
      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 20; pages++) {
        const page = await searchAll(search({ count, cursor }), ctx, deps(users, groups), false);
        expect(page.totalResults).toBe(users + groups);
        seen.push(...page.resources.map((r) => String(r.id)));
        if (page.nextCursor === undefined) break;
        cursor = page.nextCursor;
      }
      const expected = [...Array.from({ length: users }, (_, i) => `u${i}`), ...Array.from({ length: groups }, (_, i) => `g${i}`)];
      expect({ users, groups, count, seen }).toEqual({ users, groups, count, seen: expected });
    }
  });

  it('gives no next cursor when no group is left to come', async () => {
    const page = await searchAll(search({ count: 2, cursor: '' }), ctx, deps(2, 0), false);
    expect(page.resources).toHaveLength(2);
    expect(page.nextCursor).toBeUndefined();
  });
});
