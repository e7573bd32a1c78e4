/**
 * The member planner of a group PATCH: sorts a parsed PatchOp into what it does to `members`
 * (kept as items of their own, never as a list inside the group) and the operations on the group's
 * other attributes (for the PATCH engine). Pure: it reads no member and resolves no id; the group
 * service turns the intents into exact additions and removals.
 *
 * Every dialect Okta and Entra ID send:
 *  - `add members [{value}]`, and path-less `add {members: [...]}`;
 *  - `remove members[value eq "x"]` (one member), any other member filter (checked against every member);
 *  - Entra's legacy `remove members` with a value list: exactly those, not all;
 *  - `remove members` without a value: all;
 *  - `replace members [...]`, and Okta's path-less `replace {members: [...], displayName, id}`.
 */
import type { Filter } from '../filter/ast';
import { ScimError } from '../messages/error';
import type { PatchOperation } from '../messages/patch-op';
import { isObject } from '../resource/types';
import { GROUP_SCHEMA } from '../schemas/core';

export type MemberType = 'User' | 'Group';

/** A member as a request names it: its id, and its type when the request says. */
export interface MemberRef {
  readonly id: string;
  readonly type?: MemberType;
}

export type MemberIntent =
  | { readonly kind: 'add'; readonly members: readonly MemberRef[] }
  | { readonly kind: 'remove'; readonly ids: readonly string[] }
  /** Remove the members a filter selects (`members[type eq "Group"]`); the service reads them to decide. */
  | { readonly kind: 'removeWhere'; readonly filter: Filter; readonly text: string }
  /** The members become exactly these (an empty list: none). */
  | { readonly kind: 'replaceAll'; readonly members: readonly MemberRef[] };

export interface MemberPlan {
  /** In the order of the operations. */
  readonly intents: readonly MemberIntent[];
  /** The operations on the group's other attributes, for the PATCH engine. */
  readonly attributeOperations: readonly PatchOperation[];
}

/** The member references of a value: `[{value, type?}]`, one object, or bare ids. */
export function memberRefs(value: unknown, where: string): MemberRef[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((m, i) => {
    const v = isObject(m) ? m.value : m;
    if (typeof v !== 'string' || v.trim() === '') throw ScimError.typed('invalidValue', `${where}[${i}].value must be a member id.`);
    const type = isObject(m) && typeof m.type === 'string' ? m.type.toLowerCase() : undefined;
    return { id: v, ...(type === 'user' ? { type: 'User' as const } : type === 'group' ? { type: 'Group' as const } : {}) };
  });
}

const FULL_MEMBERS = `${GROUP_SCHEMA}:members`.toLowerCase();
/** `members`, or its full name `urn:ietf:params:scim:schemas:core:2.0:Group:members` (a key of a path-less value may be either). */
const isMembers = (name: string): boolean => name.toLowerCase() === 'members' || name.toLowerCase() === FULL_MEMBERS;

/** `members[value eq "x"]`: the one member a filter names exactly, or undefined. */
function exactMember(filter: Filter): string | undefined {
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.name.toLowerCase() === 'value' &&
    !filter.path.sub &&
    typeof filter.value === 'string'
  ) {
    return filter.value;
  }
  return undefined;
}

function planOperation(operation: PatchOperation, intents: MemberIntent[], attributeOperations: PatchOperation[]): void {
  const { op, value } = operation;
  if (!operation.path) {
    // Path-less add/replace (Okta): a "members" key (short or full name) is a member change, the rest are attributes.
    const keys = isObject(value) ? Object.keys(value).filter(isMembers) : [];
    if (!isObject(value) || keys.length === 0) {
      attributeOperations.push(operation);
      return;
    }
    const members = keys.flatMap((key) => memberRefs(value[key], 'members'));
    intents.push(op === 'replace' ? { kind: 'replaceAll', members } : { kind: 'add', members });
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !isMembers(key)));
    if (Object.keys(rest).length > 0) attributeOperations.push({ ...operation, value: rest });
    return;
  }
  const { parsed, text } = operation.path;
  if (!isMembers(parsed.attr.name) || parsed.attr.sub !== undefined) {
    attributeOperations.push(operation);
    return;
  }
  if (parsed.subAfterFilter !== undefined) {
    throw ScimError.typed('mutability', `Members cannot be changed through "${text}"; add or remove the member.`);
  }
  if (op === 'add') {
    intents.push({ kind: 'add', members: memberRefs(value, 'members') });
    return;
  }
  if (op === 'replace') {
    if (parsed.filter) throw ScimError.typed('invalidPath', 'Replace the members list as a whole, or add and remove members.');
    intents.push({ kind: 'replaceAll', members: memberRefs(value, 'members') });
    return;
  }
  if (parsed.filter) {
    const one = exactMember(parsed.filter);
    intents.push(one !== undefined ? { kind: 'remove', ids: [one] } : { kind: 'removeWhere', filter: parsed.filter, text });
    return;
  }
  // Entra's legacy form: remove "members" with a value list removes exactly those (not all).
  if (value !== undefined && value !== null) {
    intents.push({ kind: 'remove', ids: memberRefs(value, 'value').map((m) => m.id) });
    return;
  }
  intents.push({ kind: 'replaceAll', members: [] });
}

/** Sorts the operations of a group PATCH into member intents and attribute operations. */
export function planMemberChanges(operations: readonly PatchOperation[]): MemberPlan {
  const intents: MemberIntent[] = [];
  const attributeOperations: PatchOperation[] = [];
  for (const operation of operations) planOperation(operation, intents, attributeOperations);
  return { intents, attributeOperations };
}
