/**
 * Filters on memberships: a group's `members` and a user's `groups` are not stored in the resource
 * (a membership is an item of its own), so an expression on them cannot be evaluated on the stored
 * resource. The planner finds each such expression and puts a term in its place, answered through
 * the membership index; an expression on them that no index answers is refused with 400
 * invalidFilter naming what is supported. The terms work anywhere in the filter: inside `or`,
 * under `not`.
 *
 * Groups: `members pr` (and `members.value pr`): the group has a member (its count);
 * `members eq "x"`, `members.value eq "x"`, `members[value eq "x"]`, `members[value eq "x" and type eq "User"]`.
 * Users: `groups eq "g"`, `groups.value eq "g"`, `groups[value eq "g"]`, `groups[value eq "g" and type eq "direct"]`
 * (`"indirect"`: through nested groups only).
 */
import type { Filter } from '../filter/ast';
import { formatFilter } from '../filter/format';
import { conjuncts } from '../filter/plan';
import { ScimError } from '../messages/error';
import type { ResourceKind } from '../ports';
import { resolveAttribute, type ResourceSchema } from '../schemas/registry';

export type MembershipTerm =
  /** Groups: the group has this member (of this type, when given). */
  | { readonly kind: 'hasMember'; readonly memberId: string; readonly memberType?: string }
  /** Groups: the group has at least one member. */
  | { readonly kind: 'hasMembers' }
  /** Users: the user is in this group (directly, only through nested groups, or either). */
  | { readonly kind: 'inGroup'; readonly groupId: string; readonly how?: 'direct' | 'indirect' };

export interface PlannedFilter {
  readonly filter: Filter;
  /** Indexed by the `id` of the term nodes in `filter`. */
  readonly terms: readonly MembershipTerm[];
}

const SUPPORTED: Record<ResourceKind, string> = {
  Group: 'members pr, members.value eq "<id>", members[value eq "<id>"] and members[value eq "<id>" and type eq "User"|"Group"]',
  User: 'groups.value eq "<id>", groups[value eq "<id>"] and groups[value eq "<id>" and type eq "direct"|"indirect"]',
};

const MEMBERSHIP_ATTRIBUTE: Record<ResourceKind, string> = { Group: 'members', User: 'groups' };

const same = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** `value eq "x"` and an optional `type eq "y"`, the inside of a value filter: the two strings. */
function valueAndType(inner: Filter): { value: string; type?: string } | undefined {
  let value: string | undefined;
  let type: string | undefined;
  for (const c of conjuncts(inner)) {
    if (c.kind !== 'compare' || c.op !== 'eq' || typeof c.value !== 'string' || c.path.uri !== undefined || c.path.sub !== undefined)
      return undefined;
    if (same(c.path.name, 'value') && value === undefined) value = c.value;
    else if (same(c.path.name, 'type') && type === undefined) type = c.value;
    else return undefined;
  }
  return value === undefined ? undefined : { value, ...(type !== undefined ? { type } : {}) };
}

function termFor(kind: ResourceKind, f: Filter): MembershipTerm | undefined {
  if (f.kind === 'present') {
    return kind === 'Group' && (f.path.sub === undefined || same(f.path.sub, 'value')) ? { kind: 'hasMembers' } : undefined;
  }
  let found: { value: string; type?: string } | undefined;
  if (f.kind === 'compare' && f.op === 'eq' && typeof f.value === 'string' && (f.path.sub === undefined || same(f.path.sub, 'value'))) {
    found = { value: f.value };
  } else if (f.kind === 'valuePath' && f.path.sub === undefined) {
    found = valueAndType(f.filter);
  }
  if (!found) return undefined;
  if (kind === 'Group')
    return { kind: 'hasMember', memberId: found.value, ...(found.type !== undefined ? { memberType: found.type } : {}) };
  if (found.type === undefined) return { kind: 'inGroup', groupId: found.value };
  const how = found.type.toLowerCase();
  if (how !== 'direct' && how !== 'indirect') return undefined;
  return { kind: 'inGroup', groupId: found.value, how };
}

/** Does this path name the membership attribute of the resource type (`members`, `groups`)? */
function namesMembership(kind: ResourceKind, rs: ResourceSchema, f: Filter): boolean {
  if (f.kind !== 'compare' && f.kind !== 'present' && f.kind !== 'valuePath') return false;
  const r = resolveAttribute(rs, { ...(f.path.uri !== undefined ? { uri: f.path.uri } : {}), name: f.path.name });
  return r !== undefined && !r.inExtension && r.attribute.name === MEMBERSHIP_ATTRIBUTE[kind];
}

/** Replaces every membership expression of a filter by a term; 400 invalidFilter for one no index answers. */
export function planMembershipTerms(filter: Filter, kind: ResourceKind, rs: ResourceSchema): PlannedFilter {
  const terms: MembershipTerm[] = [];
  const walk = (f: Filter): Filter => {
    switch (f.kind) {
      case 'and':
      case 'or':
        return { kind: f.kind, left: walk(f.left), right: walk(f.right) };
      case 'not':
        return { kind: 'not', filter: walk(f.filter) };
      case 'term':
        return f;
      default: {
        if (!namesMembership(kind, rs, f)) return f;
        const term = termFor(kind, f);
        const text = formatFilter(f);
        if (!term) {
          throw ScimError.typed(
            'invalidFilter',
            `Invalid filter: "${text}" is not supported; filters on ${MEMBERSHIP_ATTRIBUTE[kind]} support ${SUPPORTED[kind]}.`,
          );
        }
        terms.push(term);
        return { kind: 'term', id: terms.length - 1, text };
      }
    }
  };
  return { filter: walk(filter), terms };
}

/** The terms that are top-level conjuncts (every match satisfies them): candidates for an index read. */
export function requiredTerms(planned: PlannedFilter): MembershipTerm[] {
  return conjuncts(planned.filter).flatMap((c) => (c.kind === 'term' ? [planned.terms[c.id] as MembershipTerm] : []));
}
