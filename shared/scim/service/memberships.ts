/** Membership rules: a user's groups (direct and indirect), cycle checks, member references. */
import { ScimError } from '../errors';
import type { Member, MembershipRepository, ResourceRepository } from '../ports';
import { locationOf } from './meta';

/** How far nested groups are followed (for indirect groups and cycle checks). */
export const MAX_GROUP_NESTING_VISITS = 1000;

export interface GroupRef {
  value: string;
  $ref: string;
  display?: string;
  type: 'direct' | 'indirect';
}

/**
 * `User.groups`, derived from memberships through the inverted index: the groups the user is
 * a member of (direct), and the groups those groups are members of, transitively (indirect).
 */
export async function userGroups(
  userId: string,
  deps: { memberships: MembershipRepository; groups: ResourceRepository; baseUrl: string },
): Promise<GroupRef[]> {
  const direct = await deps.memberships.groupsOf(userId);
  const types = new Map<string, 'direct' | 'indirect'>(direct.map((g) => [g, 'direct']));
  let frontier = direct;
  while (frontier.length > 0 && types.size < MAX_GROUP_NESTING_VISITS) {
    const parents = (await Promise.all(frontier.map((g) => deps.memberships.groupsOf(g)))).flat();
    frontier = parents.filter((p) => !types.has(p));
    for (const p of frontier) types.set(p, 'indirect');
  }
  if (types.size === 0) return [];
  const groups = await deps.groups.getMany([...types.keys()]);
  return groups
    .map((g) => ({
      value: g.id,
      $ref: locationOf(deps.baseUrl, 'Group', g.id),
      ...(typeof g.resource.displayName === 'string' ? { display: g.resource.displayName } : {}),
      type: types.get(g.id) ?? 'direct',
    }))
    .sort((a, b) => (a.type === b.type ? a.value.localeCompare(b.value) : a.type === 'direct' ? -1 : 1));
}

/** Refuses to make `candidate` a member of `groupId` when `groupId` is `candidate` or nested inside it. */
export async function checkNoCycle(groupId: string, candidate: string, memberships: MembershipRepository): Promise<void> {
  const cycle = (): ScimError =>
    ScimError.typed('invalidValue', `Group ${candidate} cannot be a member of group ${groupId}: that would make a cycle of nested groups.`);
  if (candidate === groupId) throw cycle();
  const seen = new Set<string>([candidate]);
  let frontier = [candidate];
  while (frontier.length > 0) {
    const children = (await Promise.all(frontier.map((g) => memberships.nestedGroups(g)))).flat();
    if (children.includes(groupId)) throw cycle();
    frontier = children.filter((c) => !seen.has(c));
    for (const c of frontier) seen.add(c);
    if (seen.size > MAX_GROUP_NESTING_VISITS) {
      throw ScimError.typed(
        'invalidValue',
        `Group ${candidate} has more than ${MAX_GROUP_NESTING_VISITS} nested groups; nesting it is refused.`,
      );
    }
  }
}

/** Group.members as SCIM returns them. */
export function memberRefs(members: readonly Member[], baseUrl: string): Record<string, string>[] {
  return members.map((m) => ({ value: m.id, $ref: locationOf(baseUrl, m.type, m.id), type: m.type }));
}
