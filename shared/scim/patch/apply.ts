/**
 * PATCH (RFC 7644 section 3.5.2) in every dialect identity providers send: add/replace/remove
 * with and without `path`; value-filtered paths (`emails[type eq "work"].value`); URN-qualified
 * paths and keys; a whole extension schema as the path, with an object value; dotted keys in a
 * path-less value (`"name.givenName"`); booleans as strings ("False"); Entra's remove of a
 * multi-valued attribute with a value list (removes exactly those); `manager` as an object, a
 * one-element list or a plain id.
 *
 * A sub-attribute of a multi-valued attribute without a filter (`emails.value`, `addresses.locality`)
 * applies to every value, keeping the values' other sub-attributes; when there is no value to apply
 * it to, or a remove of it finds nothing to remove, the answer is 400 noTarget, never a silent
 * rewrite of the list nor a 200 that changed nothing. A replace whose filter matches nothing adds
 * the value the filter describes (`emails[type eq "work"].value`: Entra ID sets a first work e-mail
 * so); a remove whose filter matches nothing leaves the resource as it was (identity providers
 * repeat removes). Removing a required or readOnly attribute is 400 mutability.
 *
 * Pure and atomic: it works on a copy and either returns the whole result or throws a ScimError
 * having changed nothing. The result is normalised again, so every rule of POST/PUT holds.
 */
import { UNLIMITED, type RequestBudget } from '../budget';
import { compileFilter, parsePatchPath, type PatchPath } from '../filter';
import type { Filter } from '../filter/ast';
import { ScimError } from '../messages/error';
import type { PatchOp, PatchOpName, PatchOperation } from '../messages/patch-op';
import { coerceValue, normalizeResource } from '../resource';
import { isObject, splitSchemaUrn } from '../resource/types';
import { findAttribute, resolveAttribute, type ResourceSchema } from '../schemas/registry';
import type { AttributeDefinition, SchemaDefinition } from '../schemas/types';

type Json = Record<string, unknown>;

export interface PatchResult {
  resource: Json;
  password?: string;
  /** False when the operations left the resource as it was (no write needed). */
  changed: boolean;
}

/** What one operation acts on: an attribute (or a sub-attribute, or the values a filter selects), or a whole extension. */
type Target =
  | {
      readonly kind: 'attribute';
      readonly text: string;
      readonly schema: SchemaDefinition;
      readonly inExtension: boolean;
      readonly attribute: AttributeDefinition;
      /** Sub-attribute (`name.givenName`, `emails.value`, `emails[type eq "work"].value`). */
      readonly sub?: AttributeDefinition;
      readonly filter?: Filter;
    }
  | { readonly kind: 'extension'; readonly text: string; readonly schema: SchemaDefinition };

/** What the steps of one PATCH share: the resource type, and the request's work budget. */
interface PatchEnv {
  readonly rs: ResourceSchema;
  readonly budget: RequestBudget;
}

/** One step: an operation on one target (a path-less operation is a step per key of its value). */
interface Step {
  readonly op: PatchOpName;
  readonly target: Target;
  readonly value: unknown;
}

export const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

const mutability = (detail: string): ScimError => ScimError.typed('mutability', detail);

/** Resolves a path to its definitions; 400 invalidPath for what the resource type does not define. */
function resolveTarget(rs: ResourceSchema, text: string, parsed: PatchPath): Target {
  const qualified = splitSchemaUrn(rs, text);
  if (qualified && qualified.rest === undefined) {
    if (qualified.schema.id === rs.core.id)
      throw ScimError.typed('invalidPath', `The path "${text}" names the core schema; name an attribute of it.`);
    return { kind: 'extension', text, schema: qualified.schema };
  }
  const resolved = resolveAttribute(rs, parsed.attr);
  if (!resolved) throw ScimError.typed('invalidPath', `The path "${text}" does not name an attribute of ${rs.resourceType.name}.`);
  let sub = resolved.subAttribute;
  if (parsed.subAfterFilter !== undefined) {
    sub = findAttribute(resolved.attribute.subAttributes, parsed.subAfterFilter);
    if (!sub) throw ScimError.typed('invalidPath', `The path "${text}" names no sub-attribute "${parsed.subAfterFilter}".`);
  }
  if (parsed.filter && resolved.attribute.type !== 'complex') {
    throw ScimError.typed('invalidPath', `The path "${text}" filters an attribute that is not complex.`);
  }
  return {
    kind: 'attribute',
    text,
    schema: resolved.schema,
    inExtension: resolved.inExtension,
    attribute: resolved.attribute,
    ...(sub ? { sub } : {}),
    ...(parsed.filter ? { filter: parsed.filter } : {}),
  };
}

/** The object holding the attribute: the resource, or its extension object (created on demand). */
function container(resource: Json, schema: SchemaDefinition, inExtension: boolean, create: boolean): Json | undefined {
  if (!inExtension) return resource;
  const key = Object.keys(resource).find((k) => k.toLowerCase() === schema.id.toLowerCase());
  const existing = key === undefined ? undefined : resource[key];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: Json = {};
  resource[schema.id] = fresh;
  return fresh;
}

type AttributeTarget = Extract<Target, { kind: 'attribute' }>;

/** A test of one element of a (multi-valued) complex attribute against a value filter, compiled once. */
function elementTest(env: PatchEnv, t: AttributeTarget, filter: Filter): (element: unknown) => boolean {
  const path = { ...(t.inExtension ? { uri: t.schema.id } : {}), name: t.attribute.name };
  const predicate = compileFilter({ kind: 'valuePath', path, filter }, env.rs);
  return (element) => {
    env.budget.spend(1, `the filter of "${t.text}" on every value`);
    if (!isObject(element)) return false;
    const value = t.attribute.multiValued ? [element] : element;
    return predicate(t.inExtension ? { [t.schema.id]: { [t.attribute.name]: value } } : { [t.attribute.name]: value });
  };
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

const listOf = (c: Json, a: AttributeDefinition): unknown[] =>
  a.multiValued ? (Array.isArray(c[a.name]) ? [...(c[a.name] as unknown[])] : []) : c[a.name] === undefined ? [] : [c[a.name]];

function setFiltered(c: Json, t: AttributeTarget, filter: Filter, op: PatchOpName, raw: unknown, env: PatchEnv): void {
  const a = t.attribute;
  const list = listOf(c, a);
  const matches = elementTest(env, t, filter);
  const hits = list.map((e, i) => (matches(e) ? i : -1)).filter((i) => i >= 0);
  const value = coerceValue(raw, t.sub ?? { ...a, multiValued: false }, t.sub ? `${a.name}.${t.sub.name}` : a.name);
  if (hits.length === 0) {
    // A single value that does not match is not replaced by a new one: the filter names nothing.
    if (!a.multiValued && list.length > 0)
      throw ScimError.typed('noTarget', `The value of ${a.name} does not match the filter of "${t.text}"; nothing was changed.`);
    const seed = elementFromFilter(filter);
    if (!seed)
      throw ScimError.typed(
        'noTarget',
        `No value of ${a.name} matches the filter of "${t.text}", and the filter does not describe a new one.`,
      );
    list.push(t.sub ? { ...seed, [t.sub.name]: value } : { ...seed, ...(isObject(value) ? value : {}) });
  } else {
    for (const i of hits) {
      const current = isObject(list[i]) ? (list[i] as Json) : {};
      list[i] = t.sub ? { ...current, [t.sub.name]: value } : op === 'add' ? { ...current, ...(isObject(value) ? value : {}) } : value;
    }
  }
  c[a.name] = a.multiValued ? clearOtherPrimaries(list, new Set(hits.length > 0 ? hits : [list.length - 1])) : list[0];
}

function setValue(c: Json, t: AttributeTarget, op: PatchOpName, raw: unknown, env: PatchEnv): void {
  const a = t.attribute;
  const name = a.name;
  if (t.filter) return setFiltered(c, t, t.filter, op, raw, env);
  if (t.sub && a.multiValued) {
    // `emails.value` without a filter: every value gets it, keeping its other sub-attributes.
    const list = listOf(c, a);
    if (list.length === 0) {
      throw ScimError.typed(
        'noTarget',
        `${name} has no value to set ${t.sub.name} on: add a value of ${name}, or name one with a filter (${name}[type eq "work"].${t.sub.name}).`,
      );
    }
    const value = coerceValue(raw, t.sub, `${name}.${t.sub.name}`);
    c[name] = list.map((e) => ({ ...(isObject(e) ? e : {}), [t.sub?.name ?? '']: value }));
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

function removeValue(c: Json, t: AttributeTarget, raw: unknown, env: PatchEnv): void {
  const a = t.attribute;
  const name = a.name;
  if (t.filter || (raw !== undefined && a.multiValued)) {
    const list = listOf(c, a);
    let hit: (e: unknown) => boolean;
    if (t.filter) {
      hit = elementTest(env, t, t.filter);
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
    c[name] = a.multiValued ? kept : kept[0];
    return;
  }
  if (t.sub && a.multiValued) {
    // `emails.type` without a filter: removed from every value; a remove that finds none is no remove.
    const list = listOf(c, a);
    const sub = t.sub.name;
    if (!list.some((e) => isObject(e) && e[sub] !== undefined)) {
      throw ScimError.typed('noTarget', `No value of ${name} has ${sub}: "${t.text}" removes nothing.`);
    }
    c[name] = list.map((e) => {
      if (!isObject(e)) return e;
      const { [sub]: _gone, ...rest } = e;
      return rest;
    });
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

/** The key of a path-less value, or of a whole extension's value, as a target. */
function keyTarget(rs: ResourceSchema, key: string): Target {
  return resolveTarget(rs, key, parsePatchPath(key));
}

/** The steps of one operation: itself, or (path-less, or a whole extension) one per key of its value. */
function stepsOf(operation: PatchOperation, rs: ResourceSchema, currentId: string | undefined): Step[] {
  const { op, value } = operation;
  const target = operation.path ? resolveTarget(rs, operation.path.text, operation.path.parsed) : undefined;
  if (target?.kind === 'attribute') return [{ op, target, value }];
  if (target?.kind === 'extension' && op === 'remove') return [{ op, target, value }];
  // Path-less, or a whole extension: each key of the object value is a path of its own.
  if (!isObject(value)) {
    throw ScimError.typed(
      'invalidValue',
      target
        ? `The value for "${target.text}" must be an object of its attributes.`
        : 'An add or replace without a path needs an object value.',
    );
  }
  const steps: Step[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (target) {
      steps.push({ op, target: keyTarget(rs, `${target.schema.id}:${key}`), value: v });
      continue;
    }
    const lower = key.toLowerCase();
    if (lower === 'schemas') continue;
    if (lower === 'id') {
      if (currentId !== undefined && v !== currentId) throw mutability('The attribute id is readOnly and cannot be changed.');
      continue; // Okta sends the group's own id with a rename
    }
    const t = keyTarget(rs, key);
    if (t.kind === 'extension') {
      if (!isObject(v)) throw ScimError.typed('invalidValue', `The value for ${key} must be an object.`);
      for (const [k, x] of Object.entries(v)) steps.push({ op, target: keyTarget(rs, `${t.schema.id}:${k}`), value: x });
      continue;
    }
    steps.push({ op, target: t, value: v });
  }
  return steps;
}

function applyStep(work: Json, step: Step, env: PatchEnv): void {
  env.budget.spend(1, 'the operations');
  const { rs } = env;
  const t = step.target;
  if (t.kind === 'extension') {
    // remove of a whole extension (add and replace became steps per attribute)
    const declared = rs.resourceType.schemaExtensions.find((e) => e.schema.toLowerCase() === t.schema.id.toLowerCase());
    if (declared?.required) throw mutability(`The extension ${t.schema.id} is required and cannot be removed.`);
    const key = Object.keys(work).find((k) => k.toLowerCase() === t.schema.id.toLowerCase());
    if (key !== undefined) delete work[key];
    return;
  }
  if (t.attribute.mutability === 'readOnly' || t.sub?.mutability === 'readOnly') {
    throw mutability(`The attribute ${t.text} is readOnly and cannot be changed.`);
  }
  if (step.op === 'remove' && !t.sub && !t.filter && step.value === undefined && t.attribute.required) {
    throw mutability(`The attribute ${t.attribute.name} is required and cannot be removed.`);
  }
  const c = container(work, t.schema, t.inExtension, step.op !== 'remove');
  if (!c) return;
  if (step.op === 'remove') removeValue(c, t, step.value, env);
  else setValue(c, t, step.op, step.value, env);
}

/**
 * Applies a parsed PatchOp to a stored resource (no id, no meta); `currentId` is the resource's id.
 * Every operation and every value a filter is compared with spends the request's budget: a PATCH
 * that would do more work than a request may is refused (400 tooMany) before anything is written.
 */
export function applyPatch(
  resource: Json,
  patch: PatchOp,
  rs: ResourceSchema,
  currentId?: string,
  budget: RequestBudget = UNLIMITED,
): PatchResult {
  const work = structuredClone(resource);
  const env: PatchEnv = { rs, budget };
  for (const operation of patch.operations) {
    for (const step of stepsOf(operation, rs, currentId)) applyStep(work, step, env);
  }
  const { resource: normalized, password } = normalizeResource(work, rs);
  return {
    resource: normalized,
    ...(password !== undefined ? { password } : {}),
    changed: canonical(normalized) !== canonical(resource) || password !== undefined,
  };
}
