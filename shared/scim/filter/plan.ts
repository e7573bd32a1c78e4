/**
 * Query planning for the store layer: the equality a filter pins down on an indexed attribute.
 * The caller still evaluates the whole filter on the items it fetches, so for `and` it is enough
 * to find one indexable conjunct.
 */
import { GROUP_SCHEMA } from '../schemas/core';
import { resolveAttribute, type ResourceSchema } from '../schemas/registry';
import type { AttrPath, CompValue, Filter } from './ast';

export interface IndexableEquality {
  /** The attribute's canonical name, e.g. `userName`. */
  readonly attribute: string;
  readonly value: string;
  /** False when the index must hold (and be queried with) a case-folded value. */
  readonly caseExact: boolean;
}

/** Preferred order among indexable conjuncts; attributes not listed here come after, in the caller's order. */
const PREFERENCE = ['id', 'userName', 'displayName', 'externalId'];

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The conjuncts of a top-level chain of `and`s (the filter itself when it is not an `and`). */
export function conjuncts(filter: Filter): Filter[] {
  return filter.kind === 'and' ? [...conjuncts(filter.left), ...conjuncts(filter.right)] : [filter];
}

const asString = (v: CompValue): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/**
 * `X eq "value"` (the whole filter, or one conjunct of a top-level `and`) where X is a singular,
 * top-level core attribute whose canonical name is in `names`.
 */
export function indexableEquality(filter: Filter, rs: ResourceSchema, names: readonly string[]): IndexableEquality | undefined {
  const rank = (name: string): number => {
    const i = PREFERENCE.indexOf(name);
    return i >= 0 ? i : PREFERENCE.length + names.indexOf(name);
  };
  let best: IndexableEquality | undefined;
  for (const f of conjuncts(filter)) {
    if (f.kind !== 'compare' || f.op !== 'eq') continue;
    const value = asString(f.value);
    const r = value === undefined ? undefined : resolveAttribute(rs, f.path);
    if (value === undefined || !r || r.inExtension || r.subAttribute || r.attribute.multiValued || r.attribute.type === 'complex') continue;
    if (!names.includes(r.attribute.name)) continue;
    if (!best || rank(r.attribute.name) < rank(best.attribute))
      best = { attribute: r.attribute.name, value, caseExact: r.attribute.caseExact };
  }
  return best;
}

const isMembers = (p: AttrPath): boolean => same(p.name, 'members') && (p.uri === undefined || same(p.uri, GROUP_SCHEMA));

/**
 * The member id a Group filter pins down: `members[value eq "x"]` or `members.value eq "x"`,
 * alone or as a conjunct of a top-level `and` (also inside the brackets).
 */
export function memberEquality(filter: Filter): string | undefined {
  for (const f of conjuncts(filter)) {
    if (f.kind === 'compare' && f.op === 'eq' && isMembers(f.path) && f.path.sub !== undefined && same(f.path.sub, 'value')) {
      const value = asString(f.value);
      if (value !== undefined) return value;
    }
    if (f.kind === 'valuePath' && isMembers(f.path) && f.path.sub === undefined) {
      for (const inner of conjuncts(f.filter)) {
        if (inner.kind !== 'compare' || inner.op !== 'eq' || inner.path.uri !== undefined || inner.path.sub !== undefined) continue;
        const value = same(inner.path.name, 'value') ? asString(inner.value) : undefined;
        if (value !== undefined) return value;
      }
    }
  }
  return undefined;
}

/** The attribute paths of a filter (the outer ones: paths inside `x[...]` name sub-attributes of x). */
export function outerPaths(f: Filter): AttrPath[] {
  switch (f.kind) {
    case 'and':
    case 'or':
      return [...outerPaths(f.left), ...outerPaths(f.right)];
    case 'not':
      return outerPaths(f.filter);
    case 'term':
      return [];
    default:
      return [f.path];
  }
}

/** Whether a resource type defines an attribute a path names (`schemas` is every resource's). */
export const definesPath = (rs: ResourceSchema, p: AttrPath): boolean =>
  (same(p.name, 'schemas') && p.sub === undefined) || resolveAttribute(rs, p) !== undefined;
