/**
 * User.groups, derived from memberships (shared/scim/service/memberships.ts), over a stand-in of
 * the membership index: direct and indirect groups, and the bound past which a user is returned
 * without them (a user in thousands of groups would outgrow Lambda's response limit).
 */
import type { MembershipRepository, ResourceRepository, StoredResource } from '../../shared/scim/ports';
import { userGroups } from '../../shared/scim/service/memberships';

/** `parents[x]`: the groups x is a direct member of. */
function deps(parents: Record<string, string[]>): Parameters<typeof userGroups>[1] {
  const memberships = {
    groupsOf: async (id: string, limit = Infinity) => (parents[id] ?? []).slice(0, limit),
  } as unknown as MembershipRepository;
  const groups = {
    getMany: async (ids: string[]) => ids.map((id) => ({ id, resource: { displayName: `Name of ${id}` } }) as unknown as StoredResource),
  } as unknown as ResourceRepository;
  return { memberships, groups, baseUrl: 'https://scim.example/v2' };
}

const many = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("a user's groups", () => {
  it('lists direct groups, then the groups they are nested in as indirect', async () => {
    const { refs } = await userGroups('u', deps({ u: ['g2', 'g1'], g1: ['outer'], outer: ['top'] }));
    expect(refs?.map((g) => [g.value, g.type, g.display])).toEqual([
      ['g1', 'direct', 'Name of g1'],
      ['g2', 'direct', 'Name of g2'],
      ['outer', 'indirect', 'Name of outer'],
      ['top', 'indirect', 'Name of top'],
    ]);
  });

  it('returns 1,000 groups, and none (omitted) past 1,000, direct or through nesting; the version still moves', async () => {
    expect((await userGroups('u', deps({ u: many('g', 1000) }))).refs).toHaveLength(1000);
    const direct = await userGroups('u', deps({ u: many('g', 1001) }));
    expect(direct.refs).toBeUndefined();
    const nested = await userGroups('u', deps({ u: many('g', 600), g0: many('p', 401) }));
    expect(nested.refs).toBeUndefined();
    const oneMore = await userGroups('u', deps({ u: [...many('g', 1001), 'h'] }));
    expect(oneMore.digest).not.toEqual((await userGroups('u', deps({ u: [...many('g', 1000), 'h', 'i'] }))).digest);
  });
});
