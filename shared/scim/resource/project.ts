/**
 * Output projection: which attributes of a stored resource a response carries, per RFC 7643
 * section 7 (`returned`: always, never, default, request) and RFC 7644 sections 3.4.2.5 and 3.9
 * (`attributes`, `excludedAttributes`). Nothing here mutates its input.
 */
import { COMMON_ATTRIBUTES } from '../schemas/core';
import { findAttribute, resolveAttribute, type ResourceSchema } from '../schemas/registry';
import type { AttributeDefinition, SchemaDefinition } from '../schemas/types';
import { isObject, splitSchemaUrn, type ProjectionOptions, type ScimResource } from './types';

/** The attributes a list of paths names. */
interface Selection {
  /** Attributes named as a whole (`emails`, `urn:…:enterprise:2.0:User:manager`). */
  readonly whole: Set<AttributeDefinition>;
  /** Sub-attributes named, by attribute (`emails.value`, `meta.lastModified`). */
  readonly subs: Map<AttributeDefinition, Set<AttributeDefinition>>;
  /** Schemas named by their URN alone (the whole extension). */
  readonly schemas: Set<SchemaDefinition>;
}

/** How an included attribute is cut: which sub-attributes stay. */
interface Cut {
  readonly whole: boolean;
  readonly named: ReadonlySet<AttributeDefinition>;
  readonly excluded: ReadonlySet<AttributeDefinition>;
}

const NONE: ReadonlySet<AttributeDefinition> = new Set();
const emptySelection = (): Selection => ({ whole: new Set(), subs: new Map(), schemas: new Set() });

/**
 * Parses the `attributes` or `excludedAttributes` query parameter: comma-separated attribute
 * paths, trimmed; undefined when absent or empty.
 */
export function parseAttributeList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const paths = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return paths.length > 0 ? paths : undefined;
}

/** Adds one path to a selection; false when it names nothing of `rs` (ignored). */
function addPath(selection: Selection, rs: ResourceSchema, raw: string): boolean {
  const path = raw.trim();
  const qualified = splitSchemaUrn(rs, path);
  if (qualified && qualified.rest === undefined) {
    selection.schemas.add(qualified.schema);
    return true;
  }
  const parts = (qualified?.rest ?? path).split('.');
  const [name, sub] = parts;
  if (!name || parts.length > 2) return false;
  const resolved = resolveAttribute(rs, { uri: qualified?.schema.id, name, sub });
  if (!resolved) return false;
  if (!resolved.subAttribute) {
    selection.whole.add(resolved.attribute);
    return true;
  }
  const named = selection.subs.get(resolved.attribute) ?? new Set();
  named.add(resolved.subAttribute);
  selection.subs.set(resolved.attribute, named);
  return true;
}

/** The selection a list of paths makes; undefined when the list is absent or names nothing known. */
/** Selections already made for a list of paths (a page projects every resource with the same lists). */
const SELECTIONS = new WeakMap<readonly string[], Map<ResourceSchema, Selection | undefined>>();

function select(rs: ResourceSchema, paths: readonly string[] | undefined): Selection | undefined {
  if (!paths) return undefined;
  const known = SELECTIONS.get(paths)?.get(rs);
  if (known !== undefined || SELECTIONS.get(paths)?.has(rs)) return known;
  const selection = emptySelection();
  let any = false;
  for (const path of paths) any = addPath(selection, rs, path) || any;
  const made = any ? selection : undefined;
  let bySchema = SELECTIONS.get(paths);
  if (!bySchema) SELECTIONS.set(paths, (bySchema = new Map()));
  bySchema.set(rs, made);
  return made;
}

/** Whether and how a top-level attribute of `schema` is returned; undefined when it is left out. */
function cutFor(
  attribute: AttributeDefinition,
  schema: SchemaDefinition,
  include: Selection | undefined,
  exclude: Selection,
): Cut | undefined {
  if (attribute.returned === 'never') return undefined;
  const excluded = exclude.subs.get(attribute) ?? NONE;
  if (attribute.returned === 'always') return { whole: true, named: NONE, excluded };
  if (exclude.whole.has(attribute) || exclude.schemas.has(schema)) return undefined;
  if (!include) return attribute.returned === 'default' ? { whole: true, named: NONE, excluded } : undefined;
  const named = include.subs.get(attribute) ?? NONE;
  // `request` attributes only when named themselves; `default` ones also when their schema is named.
  const whole = include.whole.has(attribute) || (attribute.returned === 'default' && include.schemas.has(schema));
  return whole || named.size > 0 ? { whole, named, excluded } : undefined;
}

function keepSub(sub: AttributeDefinition, cut: Cut): boolean {
  if (sub.returned === 'never') return false;
  if (sub.returned === 'always') return true;
  if (cut.excluded.has(sub)) return false;
  return cut.named.has(sub) || (cut.whole && sub.returned === 'default');
}

function projectComplex(value: Record<string, unknown>, attribute: AttributeDefinition, cut: Cut): ScimResource | undefined {
  const out: ScimResource = {};
  for (const [key, subValue] of Object.entries(value)) {
    const sub = findAttribute(attribute.subAttributes, key);
    if (!sub || subValue === undefined || !keepSub(sub, cut)) continue;
    out[sub.name] = structuredClone(subValue);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function projectValue(value: unknown, attribute: AttributeDefinition, cut: Cut): unknown {
  if (value === undefined || value === null) return undefined;
  if (attribute.type !== 'complex') return structuredClone(value);
  const one = (v: unknown): ScimResource | undefined => (isObject(v) ? projectComplex(v, attribute, cut) : undefined);
  if (!Array.isArray(value)) return attribute.multiValued ? projectValue([value], attribute, cut) : one(value);
  // An empty multi-valued attribute is omitted (RFC 7643 section 2.5: unassigned), as is one the projection empties.
  const items = value.map(one).filter((v) => v !== undefined);
  return items.length > 0 ? items : undefined;
}

function projectSchema(
  value: Record<string, unknown>,
  schema: SchemaDefinition,
  attributes: readonly AttributeDefinition[],
  include: Selection | undefined,
  exclude: Selection,
): ScimResource {
  const out: ScimResource = {};
  for (const [key, attrValue] of Object.entries(value)) {
    const attribute = findAttribute(attributes, key);
    if (!attribute) continue;
    const cut = cutFor(attribute, schema, include, exclude);
    if (!cut) continue;
    const projected = projectValue(attrValue, attribute, cut);
    if (projected !== undefined) out[attribute.name] = projected;
  }
  return out;
}

/**
 * The resource as a response carries it. `schemas` is always returned and lists the core URN and
 * each extension left in the output; `returned: always` attributes (id) are always included,
 * `never` (password) never, `request` only when named in `attributes`, `default` unless
 * `attributes` is given without naming it (or a sub-attribute of it, or its extension URN) or
 * `excludedAttributes` names it. Paths are case-insensitive and may be URN-qualified; names not
 * in the schema are ignored, and so are keys of the resource that no schema defines.
 */
export function projectResource(resource: ScimResource, rs: ResourceSchema, options: ProjectionOptions = {}): ScimResource {
  const include = select(rs, options.attributes);
  const exclude = select(rs, options.excludedAttributes) ?? emptySelection();
  const core = projectSchema(resource, rs.core, [...COMMON_ATTRIBUTES, ...rs.core.attributes], include, exclude);
  const extensions: [string, ScimResource][] = [];
  for (const ext of rs.extensions) {
    const key = Object.keys(resource).find((k) => k.toLowerCase() === ext.id.toLowerCase());
    const value = key === undefined ? undefined : resource[key];
    if (!isObject(value)) continue;
    const projected = projectSchema(value, ext, ext.attributes, include, exclude);
    if (Object.keys(projected).length > 0) extensions.push([ext.id, projected]);
  }
  return { schemas: [rs.core.id, ...extensions.map(([id]) => id)], ...core, ...Object.fromEntries(extensions) };
}
