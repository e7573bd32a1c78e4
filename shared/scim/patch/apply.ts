/**
 * PATCH (RFC 7644 section 3.5.2) in every dialect identity providers send: add/replace/remove
 * with and without `path`; value-filtered paths (`emails[type eq "work"].value`); URN-qualified
 * paths and keys; dotted keys in a path-less value (`"name.givenName"`); `op` in any case
 * ("Replace"); booleans as strings ("False"); Entra's remove of `members` with a value list
 * (removes exactly those); `manager` as an object, a one-element list or a plain id.
 *
 * Pure and atomic: it works on a copy and either returns the whole result or throws a ScimError
 * having changed nothing. The result is normalised again, so every rule of POST/PUT holds.
 */
import { ScimError } from '../errors';
import { matchesFilter, parsePatchPath } from '../filter';
import type { Filter } from '../filter/ast';
import { coerceValue, normalizeResource } from '../resource';
import { isObject, splitSchemaUrn } from '../resource/types';
import { findAttribute, resolveAttribute, type ResourceSchema } from '../schemas/registry';
import type { AttributeDefinition, SchemaDefinition } from '../schemas/types';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_OPERATIONS = 1000;

type Json = Record<string, unknown>;
type Op = 'add' | 'replace' | 'remove';

export interface PatchResult {
  resource: Json;
  password?: string;
  /** False when the operations left the resource as it was (no write needed). */
  changed: boolean;
}

interface Target {
  schema: SchemaDefinition;
  inExtension: boolean;
  attribute: AttributeDefinition;
  /** Sub-attribute of a single-valued complex attribute (`name.givenName`) or after a filter. */
  sub?: AttributeDefinition;
  filter?: Filter;
}

/** The operations of a PatchOp body, validated; 400 invalidSyntax / invalidValue otherwise. */
export function readOperations(body: unknown): { op: Op; path?: string; value?: unknown }[] {
  if (!isObject(body)) throw ScimError.typed('invalidSyntax', 'A PATCH body must be a JSON object with "Operations".');
  const schemas = body.schemas;
  if (
    schemas !== undefined &&
    !(Array.isArray(schemas) && schemas.some((s) => String(s).toLowerCase() === PATCH_OP_SCHEMA.toLowerCase()))
  ) {
    throw ScimError.typed('invalidSyntax', `A PATCH body's schemas must include "${PATCH_OP_SCHEMA}".`);
  }
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = key === undefined ? undefined : body[key];
  if (!Array.isArray(ops) || ops.length === 0) throw ScimError.typed('invalidSyntax', 'A PATCH body needs a non-empty "Operations" list.');
  if (ops.length > MAX_OPERATIONS) throw ScimError.typed('tooMany', `A PATCH body may hold at most ${MAX_OPERATIONS} operations.`);
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw ScimError.typed('invalidSyntax', `Operations[${i}] must be an object.`);
    const get = (name: string): unknown => raw[Object.keys(raw).find((k) => k.toLowerCase() === name) ?? name];
    const op = String(get('op') ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw ScimError.typed('invalidValue', `Operations[${i}].op "${String(get('op'))}" is not supported; use add, replace or remove.`);
    }
    const path = get('path');
    if (path !== undefined && path !== null && (typeof path !== 'string' || path.trim() === '')) {
      throw ScimError.typed('invalidPath', `Operations[${i}].path must be a non-empty string.`);
    }
    const value = get('value');
    if (op !== 'remove' && value === undefined) throw ScimError.typed('invalidValue', `Operations[${i}] (${op}) needs a value.`);
    return { op, ...(typeof path === 'string' ? { path: path.trim() } : {}), ...(value !== undefined ? { value } : {}) };
  });
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

const mutabilityError = (name: string): ScimError =>
  ScimError.typed('mutability', `The attribute ${name} is readOnly and cannot be changed.`);

/** Resolves a PATCH path to its attribute definitions; 400 invalidPath for unknown attributes. */
function resolveTarget(rs: ResourceSchema, text: string): Target {
  const qualified = splitSchemaUrn(rs, text);
  if (qualified && qualified.rest === undefined) {
    throw ScimError.typed('invalidPath', `The path "${text}" names a whole schema; name an attribute of it.`);
  }
  const path = parsePatchPath(text);
  const resolved = resolveAttribute(rs, path.attr);
  if (!resolved) throw ScimError.typed('invalidPath', `The path "${text}" does not name an attribute of ${rs.resourceType.name}.`);
  let sub = resolved.subAttribute;
  if (path.subAfterFilter !== undefined) {
    sub = findAttribute(resolved.attribute.subAttributes, path.subAfterFilter);
    if (!sub) throw ScimError.typed('invalidPath', `The path "${text}" names no sub-attribute "${path.subAfterFilter}".`);
  }
  if (path.filter && !resolved.attribute.multiValued && resolved.attribute.type !== 'complex') {
    throw ScimError.typed('invalidPath', `The path "${text}" filters an attribute that is not complex.`);
  }
  return {
    schema: resolved.schema,
    inExtension: resolved.inExtension,
    attribute: resolved.attribute,
    ...(sub ? { sub } : {}),
    ...(path.filter ? { filter: path.filter } : {}),
  };
}

/** The object holding the attribute: the resource, or its extension object (created on demand). */
function container(resource: Json, t: Target, create: boolean): Json | undefined {
  if (!t.inExtension) return resource;
  const key = Object.keys(resource).find((k) => k.toLowerCase() === t.schema.id.toLowerCase());
  const existing = key === undefined ? undefined : resource[key];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: Json = {};
  resource[t.schema.id] = fresh;
  return fresh;
}

/** Does one element of a multi-valued complex attribute satisfy a value filter? */
function elementMatches(rs: ResourceSchema, t: Target, element: unknown, filter: Filter): boolean {
  if (!isObject(element)) return false;
  const probe: Json = {};
  if (t.inExtension) probe[t.schema.id] = { [t.attribute.name]: t.attribute.multiValued ? [element] : element };
  else probe[t.attribute.name] = t.attribute.multiValued ? [element] : element;
  return matchesFilter(
    { kind: 'valuePath', path: { ...(t.inExtension ? { uri: t.schema.id } : {}), name: t.attribute.name }, filter },
    probe,
    rs,
  );
}

/** For a filter of `eq` comparisons joined by `and`: the element it describes (to add when nothing matches). */
function elementFromFilter(filter: Filter): Json | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.sub === undefined) return { [filter.path.name]: filter.value };
  if (filter.kind === 'and') {
    const l = elementFromFilter(filter.left);
    const r = elementFromFilter(filter.right);
    return l && r ? { ...l, ...r } : undefined;
  }
  return undefined;
}

/** A new `value` (e.g. another manager) makes it another thing: its other sub-attributes ($ref…) go too. */
function identityChanges(current: Json, incoming: Json): boolean {
  return 'value' in incoming && 'value' in current && canonical(incoming.value) !== canonical(current.value);
}

/**
 * RFC 7644 3.5.2: when a value becomes primary, the others stop being primary. `changed` holds
 * the indexes just written; if one of them is primary, every other element loses `primary`.
 */
function clearOtherPrimaries(list: unknown[], changed: ReadonlySet<number>): unknown[] {
  const newPrimary = [...changed].some((i) => isObject(list[i]) && (list[i] as Json).primary === true);
  if (!newPrimary) return list;
  return list.map((e, i) => (!changed.has(i) && isObject(e) && e.primary === true ? { ...e, primary: false } : e));
}

function setValue(c: Json, t: Target, op: Op, raw: unknown, rs: ResourceSchema): void {
  const a = t.attribute;
  const name = a.name;
  if (t.filter) {
    const list = a.multiValued ? (Array.isArray(c[name]) ? [...(c[name] as unknown[])] : []) : c[name] === undefined ? [] : [c[name]];
    const hits = list.map((e, i) => (elementMatches(rs, t, e, t.filter as Filter) ? i : -1)).filter((i) => i >= 0);
    const valueDef = t.sub ?? { ...a, multiValued: false };
    const value = coerceValue(raw, valueDef, t.sub ? `${name}.${t.sub.name}` : name);
    if (hits.length === 0) {
      const seed = elementFromFilter(t.filter);
      if (!seed) throw ScimError.typed('noTarget', `No value of ${name} matches the filter, and the filter does not describe a new one.`);
      const element = t.sub ? { ...seed, [t.sub.name]: value } : { ...seed, ...(isObject(value) ? value : {}) };
      list.push(element);
    } else {
      for (const i of hits) {
        const current = isObject(list[i]) ? (list[i] as Json) : {};
        list[i] = t.sub ? { ...current, [t.sub.name]: value } : op === 'add' ? { ...current, ...(isObject(value) ? value : {}) } : value;
      }
    }
    c[name] = a.multiValued ? clearOtherPrimaries(list, new Set(hits.length > 0 ? hits : [list.length - 1])) : list[0];
    return;
  }
  if (t.sub) {
    const current = isObject(c[name]) ? (c[name] as Json) : {};
    c[name] = { ...current, [t.sub.name]: coerceValue(raw, t.sub, `${name}.${t.sub.name}`) };
    return;
  }
  const value = coerceValue(raw, a, name);
  if (a.multiValued && op === 'add') {
    const existing = Array.isArray(c[name]) ? (c[name] as unknown[]) : [];
    const incoming = (value as unknown[] | undefined) ?? [];
    const seen = new Set(existing.map(canonical));
    const added = incoming.filter((v) => !seen.has(canonical(v)));
    // A new primary value takes over from the old one.
    const primaryAdded = added.some((v) => isObject(v) && v.primary === true);
    const kept = primaryAdded ? existing.map((v) => (isObject(v) && v.primary === true ? { ...v, primary: false } : v)) : existing;
    c[name] = [...kept, ...added];
  } else if (a.type === 'complex' && !a.multiValued && isObject(c[name]) && isObject(value) && !identityChanges(c[name] as Json, value)) {
    // RFC 7644 3.5.2.1/3.5.2.3: sub-attributes not in the value are left unchanged, for add and replace.
    c[name] = { ...(c[name] as Json), ...value };
  } else {
    c[name] = value;
  }
}

function removeValue(c: Json, t: Target, raw: unknown, rs: ResourceSchema): void {
  const name = t.attribute.name;
  if (t.filter || (raw !== undefined && t.attribute.multiValued)) {
    const list = t.attribute.multiValued ? (Array.isArray(c[name]) ? (c[name] as unknown[]) : []) : c[name] === undefined ? [] : [c[name]];
    let hit: (e: unknown) => boolean;
    if (t.filter) {
      const filter = t.filter;
      hit = (e) => elementMatches(rs, t, e, filter);
    } else {
      // Entra's legacy remove: {"op":"Remove","path":"members","value":[{"value":"id"}]} removes exactly those.
      const wanted = (Array.isArray(raw) ? raw : [raw]).map((v) => (isObject(v) && 'value' in v ? canonical(v.value) : canonical(v)));
      hit = (e) => wanted.includes(isObject(e) && 'value' in e ? canonical(e.value) : canonical(e));
    }
    const kept: unknown[] = [];
    for (const e of list) {
      if (!hit(e)) kept.push(e);
      else if (t.sub && isObject(e)) {
        const { [t.sub.name]: _gone, ...rest } = e;
        kept.push(rest);
      }
    }
    c[name] = t.attribute.multiValued ? kept : kept[0];
    return;
  }
  if (t.sub) {
    if (isObject(c[name])) {
      const { [t.sub.name]: _gone, ...rest } = c[name] as Json;
      c[name] = rest;
    }
    return;
  }
  delete c[name];
}

/** A path-less add/replace: each key of the value is a path of its own (dotted, URN-qualified, or an extension URN). */
function expandPathless(value: unknown, rs: ResourceSchema, currentId: string | undefined): { path: string; value: unknown }[] {
  if (!isObject(value)) throw ScimError.typed('invalidValue', 'An add or replace without a path needs an object value.');
  const out: { path: string; value: unknown }[] = [];
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas') continue;
    if (lower === 'id') {
      if (currentId !== undefined && v !== currentId) throw mutabilityError('id');
      continue; // Okta sends the group's own id with a rename
    }
    const qualified = splitSchemaUrn(rs, key);
    if (qualified && qualified.rest === undefined) {
      if (!isObject(v)) throw ScimError.typed('invalidValue', `The value for ${key} must be an object.`);
      for (const [k, x] of Object.entries(v)) out.push({ path: `${qualified.schema.id}:${k}`, value: x });
      continue;
    }
    out.push({ path: key, value: v });
  }
  return out;
}

export function applyPatch(resource: Json, body: unknown, rs: ResourceSchema, currentId?: string): PatchResult {
  const operations = readOperations(body);
  const work = structuredClone(resource);
  for (const operation of operations) {
    const steps =
      operation.path === undefined
        ? operation.op === 'remove'
          ? (() => {
              throw ScimError.typed('noTarget', 'A remove operation needs a path.');
            })()
          : expandPathless(operation.value, rs, currentId)
        : [{ path: operation.path, value: operation.value }];
    for (const step of steps) {
      const t = resolveTarget(rs, step.path);
      if (t.attribute.mutability === 'readOnly' || t.sub?.mutability === 'readOnly') throw mutabilityError(step.path);
      const c = container(work, t, operation.op !== 'remove');
      if (!c) continue;
      if (operation.op === 'remove') removeValue(c, t, step.value, rs);
      else setValue(c, t, operation.op, step.value, rs);
    }
  }
  const { resource: normalized, password } = normalizeResource(work, rs);
  return {
    resource: normalized,
    ...(password !== undefined ? { password } : {}),
    changed: canonical(normalized) !== canonical(resource) || password !== undefined,
  };
}
