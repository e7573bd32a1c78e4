/**
 * Evaluation of a parsed filter against a resource (RFC 7644 section 3.4.2.2), schema-aware:
 * names and URNs match case-insensitively, strings honour `caseExact`, dateTime compares
 * chronologically, multi-valued attributes match when any value does.
 *
 * A filter is first compiled against a resource type: every attribute expression is checked
 * then (not only those a given resource reaches), so `active gt 3` fails with 400 invalidFilter
 * even when no resource exists. Decisions beyond the RFC:
 * - an attribute (or sub-attribute) the schemas do not define is 400 invalidFilter (a filter that
 *   could match nothing by a typo must not answer an empty 200); when searching several resource
 *   types at once, an attribute another type defines is absent here (`pr`, `eq` and every other
 *   comparison are false, `ne` and `eq null` are true, `not (...)` negates);
 * - `ne` is `not eq`: true when the attribute is absent; `eq null` is `not pr`, `ne null` is `pr`;
 * - a complex attribute without a sub-attribute compares its `value` sub-attribute (400 when it
 *   has none); `pr` applies to the attribute itself;
 * - present: not undefined/null/"", and an array or object is present when one of its values is;
 * - string and reference attributes accept number/boolean values, compared as their JSON text;
 *   boolean attributes accept "true"/"false" strings; binary compares exactly (eq/ne/pr only);
 * - co/sw/ew on dateTime compare the text, case-insensitively;
 * - `schemas` is a multi-valued, case-insensitive string attribute of every resource.
 * Paths resolve through the registry's resolveAttribute (so its tolerance for unqualified
 * extension names applies); extension values are read under their schema URN key only.
 */
import { ScimError } from '../messages/error';
import { findAttribute, resolveAttribute, type ResourceSchema } from '../schemas/registry';
import { attr, type AttributeDefinition } from '../schemas/types';
import type { AttrPath, CompareOp, CompValue, Filter } from './ast';
import { formatAttrPath, formatValue } from './format';

type Json = Record<string, unknown>;
export type Predicate = (container: Json) => boolean;
type Matcher = (v: unknown) => boolean;

/** A path bound to its definition and to a reader of its raw value in a container. */
interface Bound {
  readonly attribute: AttributeDefinition;
  readonly sub?: AttributeDefinition;
  readonly get: (container: Json) => unknown;
}
type Scope = (path: AttrPath) => Bound | undefined;

const SCHEMAS_ATTRIBUTE = attr('schemas', 'string', { multiValued: true, caseExact: false, returned: 'always' });

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of a property, its name matched case-insensitively (exact spelling first). */
export function property(obj: Json, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const key = Object.keys(obj).find((k) => same(k, name));
  return key === undefined ? undefined : obj[key];
}

const list = (v: unknown): readonly unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isRecord(v)) return Object.values(v).some(isPresent);
  return true;
}

function invalid(path: AttrPath, message: string): never {
  throw ScimError.typed('invalidFilter', `Invalid filter: ${formatAttrPath(path)} ${message}`);
}

// ---- dates ----

const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date or date-time (UTC when no offset), else undefined. */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((s) => Number(s ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return undefined;
  const zone = m[8] ?? 'Z';
  let offset = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const [h, mi] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')];
    if (h > 23 || mi > 59) return undefined;
    offset = (zone.startsWith('-') ? -1 : 1) * (h * 60 + mi) * 60_000;
  }
  // Date.UTC reads years 0-99 as 1900-1999: count from 400 years later (146097 days) instead.
  const time = Date.UTC(year + 400, month - 1, day, hour, minute, second) - 146_097 * 86_400_000;
  return time + Number(`0.${m[7] ?? '0'}`) * 1000 - offset;
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

// ---- comparisons ----

const TEXT_OPS: Readonly<Record<CompareOp, (a: string, b: string) => boolean>> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  co: (a, b) => a.includes(b),
  sw: (a, b) => a.startsWith(b),
  ew: (a, b) => a.endsWith(b),
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
};

const ORDER_OPS: Readonly<Partial<Record<CompareOp, (a: number, b: number) => boolean>>> = {
  eq: (a, b) => a === b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
};

/** Case-insensitive strings compare in Unicode NFC, case-folded (an NFD "é" equals an NFC one). */
function textMatcher(op: CompareOp, expected: string, caseExact: boolean): Matcher {
  const fold = caseExact ? (s: string): string => s : (s: string): string => s.normalize('NFC').toLowerCase();
  const want = fold(expected);
  const test = TEXT_OPS[op];
  return (v) => typeof v === 'string' && test(fold(v), want);
}

/** A matcher for one value of the attribute `def`; `op` is never `ne` and `value` never null. */
function matcher(path: AttrPath, def: AttributeDefinition, op: CompareOp, value: CompValue): Matcher {
  const text = String(value);
  switch (def.type) {
    case 'string':
    case 'reference':
      return textMatcher(op, text, def.caseExact);
    case 'binary':
      if (op !== 'eq') invalid(path, `is binary: only eq, ne and pr apply, not ${op}`);
      if (typeof value !== 'string') invalid(path, `is binary: ${formatValue(value)} is not a string`);
      return (v) => v === value;
    case 'boolean': {
      if (op !== 'eq') invalid(path, `is boolean: only eq, ne and pr apply, not ${op}`);
      const b =
        typeof value === 'boolean' ? value : typeof value === 'string' && /^(true|false)$/i.test(value) ? same(value, 'true') : undefined;
      if (b === undefined) return invalid(path, `is boolean: ${formatValue(value)} is not true or false`);
      return (v) => v === b;
    }
    case 'integer':
    case 'decimal': {
      const test = ORDER_OPS[op];
      if (!test) return invalid(path, `is a number: ${op} does not apply`);
      if (typeof value !== 'number') return invalid(path, `is a number: ${formatValue(value)} is not`);
      return (v) => typeof v === 'number' && test(v, value);
    }
    case 'dateTime': {
      const test = ORDER_OPS[op];
      if (!test) {
        if (typeof value !== 'string') invalid(path, `is a dateTime: ${op} needs a string, not ${formatValue(value)}`);
        return textMatcher(op, text, false);
      }
      const t = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (t === undefined) return invalid(path, `is a dateTime: ${formatValue(value)} is not an ISO 8601 date-time`);
      return (v) => {
        const d = typeof v === 'string' ? parseDateTime(v) : undefined;
        return d !== undefined && test(d, t);
      };
    }
    case 'complex':
      return invalid(path, `is complex: name one of its sub-attributes`);
  }
}

function comparison(
  path: AttrPath,
  def: AttributeDefinition,
  op: CompareOp,
  value: Exclude<CompValue, null>,
): (values: readonly unknown[]) => boolean {
  if (op === 'ne') {
    const eq = comparison(path, def, 'eq', value);
    return (values) => !eq(values);
  }
  const m = matcher(path, def, op, value);
  return (values) => values.some(m);
}

// ---- scopes and compilation ----

function resourceScope(rs: ResourceSchema, unknown: 'error' | 'absent'): Scope {
  return (path) => {
    if (same(path.name, 'schemas') && path.sub === undefined && (path.uri === undefined || same(path.uri, rs.core.id))) {
      return { attribute: SCHEMAS_ATTRIBUTE, get: (c) => property(c, 'schemas') };
    }
    const r = resolveAttribute(rs, path);
    if (!r) {
      if (unknown === 'error') invalid(path, `is not an attribute of ${rs.resourceType.name}`);
      return undefined;
    }
    const name = r.attribute.name;
    const get = r.inExtension
      ? (c: Json): unknown => {
          const ext = property(c, r.schema.id);
          return isRecord(ext) ? property(ext, name) : undefined;
        }
      : (c: Json): unknown => property(c, name);
    return { attribute: r.attribute, ...(r.subAttribute ? { sub: r.subAttribute } : {}), get };
  };
}

/** Inside `attr[...]`: paths name sub-attributes of one element. */
function elementScope(parent: AttributeDefinition): Scope {
  return (path) => {
    const a = path.uri === undefined && path.sub === undefined ? findAttribute(parent.subAttributes, path.name) : undefined;
    if (!a) invalid(path, `is not a sub-attribute of ${parent.name}`);
    return { attribute: a, get: (c) => property(c, a.name) };
  };
}

const subValues = (elements: readonly unknown[], name: string): unknown[] =>
  elements.flatMap((e) => (isRecord(e) ? list(property(e, name)) : []));

function presence(path: AttrPath, scope: Scope): Predicate {
  const b = scope(path);
  if (!b) return () => false;
  const { sub, get } = b;
  return sub ? (c) => subValues(list(get(c)), sub.name).some(isPresent) : (c) => isPresent(get(c));
}

function compile(filter: Filter, scope: Scope, options: CompileOptions): Predicate {
  switch (filter.kind) {
    case 'and': {
      const [l, r] = [compile(filter.left, scope, options), compile(filter.right, scope, options)];
      return (c) => l(c) && r(c);
    }
    case 'or': {
      const [l, r] = [compile(filter.left, scope, options), compile(filter.right, scope, options)];
      return (c) => l(c) || r(c);
    }
    case 'not': {
      const inner = compile(filter.filter, scope, options);
      return (c) => !inner(c);
    }
    case 'term': {
      const term = options.terms?.(filter.id);
      if (!term) throw ScimError.typed('invalidFilter', `Invalid filter: ${filter.text} cannot be evaluated here`);
      return term;
    }
    case 'present':
      return presence(filter.path, scope);
    case 'compare': {
      if (filter.value === null) {
        // `eq null` is `not pr`, `ne null` is `pr` (whatever the attribute's type).
        if (filter.op !== 'eq' && filter.op !== 'ne') invalid(filter.path, `cannot be compared with null by ${filter.op}`);
        const present = presence(filter.path, scope);
        return filter.op === 'ne' ? present : (c) => !present(c);
      }
      const b = scope(filter.path);
      // An attribute this type does not have is absent: only `ne` (not eq) holds.
      if (!b) return filter.op === 'ne' ? () => true : () => false;
      const { get } = b;
      const leafName = b.sub?.name ?? (b.attribute.type === 'complex' ? 'value' : undefined);
      const leaf = b.sub ?? (leafName === undefined ? b.attribute : findAttribute(b.attribute.subAttributes, leafName));
      if (!leaf) return invalid(filter.path, 'is complex without a "value" sub-attribute: name one of its sub-attributes');
      const test = comparison(filter.path, leaf, filter.op, filter.value);
      return leafName === undefined ? (c) => test(list(get(c))) : (c) => test(subValues(list(get(c)), leafName));
    }
    case 'valuePath': {
      const b = scope(filter.path);
      if (!b) return () => false;
      if (b.sub || b.attribute.type !== 'complex') invalid(filter.path, 'is not a complex attribute: a value filter does not apply');
      const inner = compile(filter.filter, elementScope(b.attribute), options);
      const { get } = b;
      return (c) => list(get(c)).some((e) => isRecord(e) && inner(e));
    }
    default:
      throw ScimError.typed('invalidFilter', 'Invalid filter: unknown expression');
  }
}

const compiled = new WeakMap<Filter, WeakMap<ResourceSchema, Predicate>>();

export interface CompileOptions {
  /** An attribute the resource type does not define: 400 invalidFilter (default), or absent (searching several types). */
  readonly unknownAttributes?: 'error' | 'absent';
  /** The predicates of the filter's `term` nodes (put there by the query planner). */
  readonly terms?: (id: number) => Predicate | undefined;
}

/**
 * Checks a filter against a resource type (400 invalidFilter when an attribute does not exist or
 * an operator or value does not suit it) and returns its predicate. Cached per filter object when
 * compiled without options.
 */
export function compileFilter(
  filter: Filter,
  rs: ResourceSchema,
  options?: CompileOptions,
): (resource: Record<string, unknown>) => boolean {
  if (options) return compile(filter, resourceScope(rs, options.unknownAttributes ?? 'error'), options);
  let byType = compiled.get(filter);
  const cached = byType?.get(rs);
  if (cached) return cached;
  const predicate = compile(filter, resourceScope(rs, 'error'), {});
  if (!byType) compiled.set(filter, (byType = new WeakMap()));
  byType.set(rs, predicate);
  return predicate;
}

/** True when the resource matches the filter. Throws ScimError 400 invalidFilter on unknown attributes and type mismatches. */
export function matchesFilter(filter: Filter, resource: Record<string, unknown>, rs: ResourceSchema): boolean {
  return compileFilter(filter, rs)(resource);
}
