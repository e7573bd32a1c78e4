/**
 * Input normalisation for POST and PUT bodies (RFC 7643 section 2, RFC 7644 sections 3.3 and 3.5.1),
 * tolerant of what identity providers actually send: keys in any case, `null` for absent values,
 * booleans and numbers as strings, unknown attributes and schema URNs, readOnly attributes echoed
 * back. The result is a resource in canonical form; nothing here mutates its input.
 */
import { MAX_BINARY_LENGTH, MAX_STRING_LENGTH } from '../limits';
import { ScimError } from '../messages/error';
import { COMMON_ATTRIBUTES } from '../schemas/core';
import { findAttribute, type ResourceSchema } from '../schemas/registry';
import type { AttributeDefinition, SchemaDefinition } from '../schemas/types';
import { isObject, splitSchemaUrn, type NormalizedResource, type ScimResource } from './types';

const invalidValue = (detail: string): ScimError => ScimError.typed('invalidValue', detail);

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const mismatch = (path: string, expected: string, value: unknown): ScimError =>
  invalidValue(`${path} must be ${expected}; got ${describe(value)}`);

/** xsd:dateTime (RFC 7643 section 2.3.5): date, time, optional fraction, optional offset. */
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Enterprise `manager` given as a bare string (seen from real clients) means `{ value: <string> }`. */
const acceptsBareValue = (attribute: AttributeDefinition): boolean =>
  attribute.name.toLowerCase() === 'manager' && !attribute.multiValued && findAttribute(attribute.subAttributes, 'value') !== undefined;

function coerceBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw mismatch(path, 'a boolean', value);
}

function coerceNumber(value: unknown, path: string, integer: boolean): number {
  const expected = integer ? 'an integer' : 'a decimal number';
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && (integer ? INTEGER : DECIMAL).test(value.trim())) n = Number(value.trim());
  if (n === undefined || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) throw mismatch(path, expected, value);
  return n;
}

function coerceString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  throw mismatch(path, 'a string', value);
}

function coerceDateTime(value: unknown, path: string): string {
  if (typeof value !== 'string') throw mismatch(path, 'a dateTime string', value);
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) throw invalidValue(`${path} must be an ISO 8601 dateTime`);
  return value;
}

function coerceComplex(value: unknown, attribute: AttributeDefinition, path: string): ScimResource | undefined {
  const input = typeof value === 'string' && acceptsBareValue(attribute) ? { value } : value;
  if (!isObject(input)) throw mismatch(path, 'an object', value);
  const out = new Map<string, unknown>();
  for (const [key, raw] of Object.entries(input)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (!sub || sub.mutability === 'readOnly') continue;
    const coerced = coerceValue(raw, sub, `${path}.${sub.name}`);
    if (coerced === undefined) out.delete(sub.name);
    else out.set(sub.name, coerced);
  }
  return out.size === 0 ? undefined : Object.fromEntries(out);
}

/** One value of an attribute (an element, for a multi-valued one); undefined means absent. */
function coerceOne(value: unknown, attribute: AttributeDefinition, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (attribute.type) {
    case 'complex':
      return coerceComplex(value, attribute, path);
    case 'boolean':
      return coerceBoolean(value, path);
    case 'integer':
      return coerceNumber(value, path, true);
    case 'decimal':
      return coerceNumber(value, path, false);
    case 'dateTime':
      return coerceDateTime(value, path);
    case 'string':
      return bounded(coerceString(value, path), MAX_STRING_LENGTH, path);
    case 'reference':
    case 'binary':
      return bounded(coerceString(value, path), MAX_BINARY_LENGTH, path);
  }
}

/** A string value within its documented maximum length (limits.ts), or 400 invalidValue. */
function bounded(value: string, max: number, path: string): string {
  if (value.length > max) throw invalidValue(`${path} is ${value.length} characters long; at most ${max} are accepted`);
  return value;
}

function coerceMultiValued(value: unknown, attribute: AttributeDefinition, path: string): unknown[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  const out = items.map((item) => coerceOne(item, attribute, path)).filter((item) => item !== undefined);
  if (out.length === 0) return undefined;
  if (attribute.type === 'complex' && out.filter((item) => isObject(item) && item.primary === true).length > 1) {
    throw invalidValue(`${path}: at most one value may have primary set to true`);
  }
  return out;
}

/**
 * Coerces a value sent for `attribute` (at `path`, used in error details) to its canonical form:
 * strings to booleans and numbers, numbers and booleans to strings, sub-attribute keys to their
 * canonical names, readOnly and unknown sub-attributes dropped, a single value for a multi-valued
 * attribute wrapped in an array (and a one-element array for a single-valued complex attribute
 * unwrapped, as Entra sends for `manager`). Returns undefined when the value counts as absent:
 * `null`, `[]`, or a complex value left empty. Throws ScimError invalidValue on a type mismatch.
 */
export function coerceValue(value: unknown, attribute: AttributeDefinition, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (attribute.multiValued) return coerceMultiValued(value, attribute, path);
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    if (attribute.type === 'complex' && value.length === 1) return coerceOne(value[0], attribute, path);
    throw mismatch(path, attribute.type === 'complex' ? 'an object' : `a single ${attribute.type}`, value);
  }
  return coerceOne(value, attribute, path);
}

/**
 * Puts `value` for the attribute named by `key` (`name` or `name.sub`) into `bucket`, coerced;
 * unknown and readOnly attributes are dropped. Later keys win over earlier ones that differ only in
 * case; a single-valued complex value is merged into what earlier keys set (`name` + `name.givenName`).
 */
function place(
  bucket: Map<string, unknown>,
  attributes: readonly AttributeDefinition[],
  key: string,
  value: unknown,
  prefix: string,
): void {
  const dot = key.indexOf('.');
  const attribute = findAttribute(attributes, dot < 0 ? key : key.slice(0, dot));
  if (!attribute || attribute.mutability === 'readOnly') return;
  const path = `${prefix}${attribute.name}`;
  const current = bucket.get(attribute.name);
  const mergeable = attribute.type === 'complex' && !attribute.multiValued;

  let next: unknown;
  if (dot < 0) {
    const coerced = coerceValue(value, attribute, path);
    next = mergeable && isObject(current) && isObject(coerced) ? { ...current, ...coerced } : coerced;
  } else {
    const sub = mergeable ? findAttribute(attribute.subAttributes, key.slice(dot + 1)) : undefined;
    if (!sub || sub.mutability === 'readOnly') return;
    const coerced = coerceValue(value, sub, `${path}.${sub.name}`);
    const merged = new Map(Object.entries(isObject(current) ? current : {}));
    if (coerced === undefined) merged.delete(sub.name);
    else merged.set(sub.name, coerced);
    next = merged.size === 0 ? undefined : Object.fromEntries(merged);
  }
  if (next === undefined) bucket.delete(attribute.name);
  else bucket.set(attribute.name, next);
}

const isEmpty = (value: unknown): boolean => value === undefined || (typeof value === 'string' && value.trim() === '');

function checkRequired(attributes: readonly AttributeDefinition[], bucket: Map<string, unknown>, prefix: string): void {
  for (const attribute of attributes) {
    if (attribute.required && attribute.mutability !== 'readOnly' && isEmpty(bucket.get(attribute.name))) {
      throw invalidValue(`${prefix}${attribute.name} is required`);
    }
  }
}

/**
 * Normalises a POST or PUT body for the resource type `rs` (see the module comment). Keys are
 * matched case-insensitively and written with their canonical names; `"<extension urn>:<attr>"`
 * keys go under the extension and `"<core urn>:<attr>"` keys to the top; an unqualified name that
 * the core schema lacks goes to the first extension that defines it (`"department"`, `"manager"`);
 * `schemas` is recomputed (core URN, then every extension with at least one attribute). The writeOnly `password` is
 * returned apart from the resource. Throws ScimError 400 invalidSyntax when the body is not an
 * object, invalidValue on a type mismatch, two primary values, or a missing required attribute.
 */
export function normalizeResource(input: unknown, rs: ResourceSchema): NormalizedResource {
  if (!isObject(input)) throw ScimError.typed('invalidSyntax', 'The request body must be a JSON object');
  const coreAttributes = [...COMMON_ATTRIBUTES, ...rs.core.attributes];
  const core = new Map<string, unknown>();
  const extensions = new Map<SchemaDefinition, Map<string, unknown>>(rs.extensions.map((ext) => [ext, new Map()]));
  const target = (
    schema: SchemaDefinition,
  ): { bucket: Map<string, unknown>; attributes: readonly AttributeDefinition[]; prefix: string } => {
    const bucket = extensions.get(schema);
    return bucket
      ? { bucket, attributes: schema.attributes, prefix: `${schema.id}:` }
      : { bucket: core, attributes: coreAttributes, prefix: '' };
  };

  for (const [key, value] of Object.entries(input)) {
    if (key.toLowerCase() === 'schemas') continue;
    const qualified = splitSchemaUrn(rs, key);
    if (!qualified) {
      // Unqualified: the core schema wins, then the first extension defining the name (as resolveAttribute does).
      const name = key.split('.')[0] ?? key;
      const home = findAttribute(coreAttributes, name)
        ? rs.core
        : (rs.extensions.find((ext) => findAttribute(ext.attributes, name)) ?? rs.core);
      const { bucket, attributes, prefix } = target(home);
      place(bucket, attributes, key, value, prefix);
      continue;
    }
    const { bucket, attributes, prefix } = target(qualified.schema);
    if (qualified.rest !== undefined) {
      place(bucket, attributes, qualified.rest, value, prefix);
      continue;
    }
    // The schema URN alone: an object of that schema's attributes.
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw mismatch(qualified.schema.id, 'an object', value);
    for (const [subKey, subValue] of Object.entries(value)) place(bucket, attributes, subKey, subValue, prefix);
  }

  checkRequired(coreAttributes, core, '');
  for (const [ext, bucket] of extensions) {
    const declared = rs.resourceType.schemaExtensions.find((e) => e.schema.toLowerCase() === ext.id.toLowerCase());
    if (bucket.size === 0) {
      if (declared?.required) throw invalidValue(`${ext.id} is required`);
      continue;
    }
    checkRequired(ext.attributes, bucket, `${ext.id}:`);
  }

  let password: string | undefined;
  const passwordAttribute = findAttribute(rs.core.attributes, 'password');
  if (passwordAttribute?.mutability === 'writeOnly') {
    const sent = core.get(passwordAttribute.name);
    core.delete(passwordAttribute.name);
    if (typeof sent === 'string') password = sent;
  }

  const present = [...extensions].filter(([, bucket]) => bucket.size > 0);
  const resource: ScimResource = {
    schemas: [rs.core.id, ...present.map(([ext]) => ext.id)],
    ...Object.fromEntries(core),
    ...Object.fromEntries(present.map(([ext, bucket]) => [ext.id, Object.fromEntries(bucket)])),
  };
  return password === undefined ? { resource } : { resource, password };
}
