/** Membership rules: a user's groups (direct and indirect), the members of a group seen from a filter, cycle checks, member references. */
import { UNLIMITED, type RequestBudget } from '../budget';
import { MAX_GROUP_NESTING_VISITS, MAX_GROUPS_RETURNED, MAX_SCAN, READ_WORK } from '../limits';
import { ScimError } from '../messages/error';
import type { Member, MembershipRepository, ResourceRepository } from '../ports';
import { locationOf } from './meta';

export interface GroupRef {
  value: string;
  $ref: string;
  display?: string;
  type: 'direct' | 'indirect';
}

/** A user's groups as its representation and version see them. */
export interface UserGroups {
  /** Direct, then indirect; undefined past MAX_GROUPS_RETURNED (the user is returned without `groups`). */
  readonly refs?: GroupRef[];
  /** What the user's version covers: its groups, with their display names and types (past the limit: the ids seen). */
  readonly digest: unknown[];
}

/**
 * `User.groups`, derived from memberships through the inverted index: the groups the user is
 * a member of (direct), and the groups those groups are members of, transitively (indirect).
 */
export async function userGroups(
  userId: string,
  deps: { memberships: MembershipRepository; groups: ResourceRepository; baseUrl: string; budget?: RequestBudget },
): Promise<UserGroups> {
  const budget = deps.budget ?? UNLIMITED;
  budget.spend(READ_WORK, "the user's groups");
  const tooMany = (ids: Iterable<string>): UserGroups => ({ digest: ['more than', MAX_GROUPS_RETURNED, ...ids] });
  const direct = await deps.memberships.groupsOf(userId, MAX_GROUPS_RETURNED + 1);
  if (direct.length > MAX_GROUPS_RETURNED) return tooMany(direct);
  const types = new Map<string, 'direct' | 'indirect'>(direct.map((g) => [g, 'direct']));
  let frontier = direct;
  while (frontier.length > 0) {
    budget.spend(READ_WORK * frontier.length, "the user's groups through nested groups");
    const parents = (await Promise.all(frontier.map((g) => deps.memberships.groupsOf(g, MAX_GROUPS_RETURNED + 1)))).flat();
    frontier = [...new Set(parents.filter((p) => !types.has(p)))];
    for (const p of frontier) types.set(p, 'indirect');
    if (types.size > MAX_GROUPS_RETURNED) return tooMany(types.keys());
  }
  if (types.size === 0) return { refs: [], digest: [] };
  budget.spend(READ_WORK * Math.ceil(types.size / 100), "the user's groups' names");
  const groups = await deps.groups.getMany([...types.keys()]);
  const refs = groups
    .map((g) => ({
      value: g.id,
      $ref: locationOf(deps.baseUrl, 'Group', g.id),
      ...(typeof g.resource.displayName === 'string' ? { display: g.resource.displayName } : {}),
      type: types.get(g.id) ?? 'direct',
    }))
    .sort((a, b) => (a.type === b.type ? a.value.localeCompare(b.value) : a.type === 'direct' ? -1 : 1));
  return { refs, digest: refs.map((g) => [g.value, g.display ?? null, g.type]) };
}

/** The groups with this member (of this type, when given: a type it is not matches none). */
export async function groupsWithMember(
  memberId: string,
  memberType: string | undefined,
  memberships: MembershipRepository,
): Promise<Set<string>> {
  if (memberType !== undefined) {
    const actual = (await memberships.resolve([memberId])).get(memberId);
    if (actual === undefined || actual.toLowerCase() !== memberType.toLowerCase()) return new Set();
  }
  return new Set(await memberships.groupsOf(memberId));
}

const tooMany = (groupId: string): ScimError =>
  ScimError.typed(
    'tooMany',
    `Group ${groupId} has more than ${MAX_SCAN} members (with its nested groups): filter on one of its members, or list the group.`,
  );

/**
 * The users who have `groupId` in their `groups`: its user members (direct), and the user members
 * of the groups nested in it, transitively (indirect); `how` keeps one kind. At most MAX_SCAN
 * members are read (400 tooMany beyond).
 */
export async function usersInGroup(
  groupId: string,
  how: 'direct' | 'indirect' | undefined,
  memberships: MembershipRepository,
  budget: RequestBudget = UNLIMITED,
): Promise<Set<string>> {
  let read = 0;
  const membersOf = async (gid: string): Promise<Member[]> => {
    budget.spend(READ_WORK, 'the members of the group in the filter');
    const members = await memberships.listMembers(gid, MAX_SCAN + 1 - read);
    read += members.length;
    if (read > MAX_SCAN) throw tooMany(groupId);
    return members;
  };
  const top = await membersOf(groupId);
  const direct = new Set(top.filter((m) => m.type === 'User').map((m) => m.id));
  if (how === 'direct') return direct;
  const indirect = new Set<string>();
  const seen = new Set([groupId]);
  let frontier = top.filter((m) => m.type === 'Group').map((m) => m.id);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const gid of frontier) {
      if (seen.has(gid)) continue;
      seen.add(gid);
      if (seen.size > MAX_GROUP_NESTING_VISITS) throw tooMany(groupId);
      for (const m of await membersOf(gid)) {
        if (m.type === 'Group') next.push(m.id);
        else if (!direct.has(m.id)) indirect.add(m.id);
      }
    }
    frontier = next;
  }
  return how === 'indirect' ? indirect : new Set([...direct, ...indirect]);
}

/**
 * Refuses to make any of `candidates` a member of `groupId` when `groupId` is one of them or nested
 * inside one: one walk down from all of them together, each nested group read once, however many
 * times the request names it.
 */
export async function checkNoCycles(
  groupId: string,
  candidates: readonly string[],
  memberships: MembershipRepository,
  budget: RequestBudget = UNLIMITED,
): Promise<void> {
  const cycle = (via: string): ScimError =>
    ScimError.typed('invalidValue', `Group ${via} cannot be a member of group ${groupId}: that would make a cycle of nested groups.`);
  const distinct = [...new Set(candidates)];
  if (distinct.includes(groupId)) throw cycle(groupId);
  const seen = new Set<string>(distinct);
  let frontier = distinct;
  while (frontier.length > 0) {
    budget.spend(READ_WORK * frontier.length, 'the nested groups of the new members');
    const children = (await Promise.all(frontier.map((g) => memberships.nestedGroups(g)))).flat();
    if (children.includes(groupId)) throw cycle(distinct.length === 1 ? (distinct[0] ?? groupId) : 'one of the new members');
    frontier = children.filter((c) => !seen.has(c));
    for (const c of frontier) seen.add(c);
    if (seen.size > MAX_GROUP_NESTING_VISITS) {
      throw ScimError.typed('invalidValue', `The new members nest more than ${MAX_GROUP_NESTING_VISITS} groups; nesting them is refused.`);
    }
  }
}

/** Group.members as SCIM returns them. */
export function memberRefs(members: readonly Member[], baseUrl: string): Record<string, string>[] {
  return members.map((m) => ({ value: m.id, $ref: locationOf(baseUrl, m.type, m.id), type: m.type }));
}
