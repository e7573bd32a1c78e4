/**
 * Query planning: which reads answer a filter. The plan names the cheapest access a filter allows;
 * the whole filter is still evaluated on every resource read, so an access only has to hold every
 * match (a superset), never to decide one.
 *
 *  - `id eq`: one read by key;
 *  - an attribute kept in an order (ResourceOrder) — userName/displayName, externalId, emails.value
 *    (users), meta.created, meta.lastModified — with `eq`, `sw` (strings), `gt`/`ge`/`lt`/`le` and
 *    `eq` (dateTimes: a range), or `pr`: a walk of that range of the order;
 *  - a membership term answered by the membership index (`groups.value eq`, `members.value eq`);
 *  - `and`: the most selective access of its sides (the other side is evaluated in memory);
 *  - `or`: the union of both sides' accesses, when both have one;
 *  - anything else (`co`, `ew`, `ne`, `not`, an attribute no order keeps): a scan of the listing.
 */
import type { AttrPath, Filter } from '../filter/ast';
import { conjuncts } from '../filter/plan';
import { parseDateTime } from '../filter/evaluate';
import type { OrderRange, ResourceKind, ResourceOrder } from '../ports';
import { resolveAttribute, type ResourceSchema } from '../schemas/registry';

export type Access =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'walk'; readonly order: ResourceOrder; readonly range: OrderRange }
  | { readonly kind: 'term'; readonly term: number }
  | { readonly kind: 'union'; readonly of: readonly Access[] }
  | { readonly kind: 'scan' };

/**
 * The attributes each resource type keeps in an order, by their path (sub-attributes dotted). One
 * table for the planner, sortBy, /ServiceProviderConfig's documentation and the README.
 */
export const ORDERED_ATTRIBUTES: Readonly<Record<ResourceKind, Readonly<Record<string, ResourceOrder>>>> = {
  User: {
    userName: 'name',
    externalId: 'externalId',
    'emails.value': 'email',
    'meta.created': 'created',
    'meta.lastModified': 'lastModified',
  },
  Group: { displayName: 'name', externalId: 'externalId', 'meta.created': 'created', 'meta.lastModified': 'lastModified' },
};

/** The sortBy attributes answered in index order at any size (each resource has one place in the order). */
export const SORT_ORDERS: Readonly<Record<ResourceKind, Readonly<Record<string, ResourceOrder>>>> = {
  User: { userName: 'name', 'meta.created': 'created', 'meta.lastModified': 'lastModified' },
  Group: { displayName: 'name', 'meta.created': 'created', 'meta.lastModified': 'lastModified' },
};

export interface PlanContext {
  readonly kind: ResourceKind;
  readonly rs: ResourceSchema;
  /** The membership terms (by id) an index answers with a set of ids. */
  readonly indexedTerms: ReadonlySet<number>;
}

/** The ordered attribute a path names (`emails` alone compares its `value`), or undefined. */
function orderedAttribute(ctx: PlanContext, path: AttrPath): { key: string; order: ResourceOrder; type: string } | undefined {
  const r = resolveAttribute(ctx.rs, path);
  if (!r || r.inExtension) return undefined;
  const def = r.subAttribute ?? r.attribute;
  let key: string;
  if (r.subAttribute) key = `${r.attribute.name}.${r.subAttribute.name}`;
  else if (r.attribute.type === 'complex' && r.attribute.multiValued) key = `${r.attribute.name}.value`;
  else key = r.attribute.name;
  const order = ORDERED_ATTRIBUTES[ctx.kind][key];
  if (!order) return undefined;
  if (!r.subAttribute && r.attribute.type === 'complex' && r.attribute.multiValued) {
    const value = r.attribute.subAttributes?.find((s) => s.name === 'value');
    return value ? { key, order, type: value.type } : undefined;
  }
  return { key, order, type: def.type };
}

/** Milliseconds as an index holds a dateTime (ISO 8601, UTC, milliseconds); undefined outside years 0–9999. */
function isoAt(ms: number): string | undefined {
  const text = new Date(ms).toISOString();
  return /^\d{4}-/.test(text) ? text : undefined;
}

/** The range of a dateTime comparison, widened to whole milliseconds (stored values have no finer part). */
function dateRange(op: string, value: unknown): OrderRange | undefined {
  const t = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (t === undefined) return undefined;
  const floor = isoAt(Math.floor(t));
  const ceil = isoAt(Math.ceil(t));
  switch (op) {
    case 'gt':
    case 'ge':
      return floor === undefined ? undefined : { kind: 'between', lower: floor };
    case 'lt':
    case 'le':
      return ceil === undefined ? undefined : { kind: 'between', upper: ceil };
    case 'eq':
      return floor === undefined || ceil === undefined ? undefined : { kind: 'between', lower: floor, upper: ceil };
    default:
      return undefined;
  }
}

const SCAN: Access = { kind: 'scan' };

/** The access of one attribute expression (`emails[...]` plans its inside as `emails.<sub>`). */
function leafAccess(f: Filter, ctx: PlanContext): Access {
  if (f.kind === 'term') return ctx.indexedTerms.has(f.id) ? { kind: 'term', term: f.id } : SCAN;
  if (f.kind === 'valuePath') {
    const inner = (g: Filter): Filter => {
      if (g.kind === 'compare' || g.kind === 'present') return { ...g, path: { ...f.path, sub: g.path.name } };
      if (g.kind === 'and' || g.kind === 'or') return { kind: g.kind, left: inner(g.left), right: inner(g.right) };
      if (g.kind === 'not') return { kind: 'not', filter: inner(g.filter) };
      return g;
    };
    return planAccess(inner(f.filter), ctx);
  }
  if (f.kind === 'present') {
    const a = orderedAttribute(ctx, f.path);
    return a ? { kind: 'walk', order: a.order, range: { kind: 'all' } } : SCAN;
  }
  if (f.kind !== 'compare') return SCAN;
  if (
    f.op === 'eq' &&
    typeof f.value === 'string' &&
    f.path.uri === undefined &&
    f.path.sub === undefined &&
    f.path.name.toLowerCase() === 'id'
  ) {
    return { kind: 'id', id: f.value };
  }
  const a = orderedAttribute(ctx, f.path);
  if (!a) return SCAN;
  if (a.type === 'dateTime') {
    const range = dateRange(f.op, f.value);
    return range ? { kind: 'walk', order: a.order, range } : SCAN;
  }
  if ((a.type === 'string' || a.type === 'reference') && typeof f.value === 'string') {
    if (f.op === 'eq') return { kind: 'walk', order: a.order, range: { kind: 'eq', value: f.value } };
    // `sw ""` holds for every value: the whole order, as `pr` (a resource without the value is not in it, and does not match).
    if (f.op === 'sw')
      return { kind: 'walk', order: a.order, range: f.value === '' ? { kind: 'all' } : { kind: 'prefix', value: f.value } };
  }
  return SCAN;
}

/** How selective an access is (lower reads fewer): the planner keeps the lowest side of an `and`. */
export function cost(a: Access): number {
  switch (a.kind) {
    case 'id':
      return 0;
    case 'term':
      return 5;
    case 'union':
      return Math.min(
        99,
        a.of.reduce((n, x) => n + cost(x), 0),
      );
    case 'scan':
      return 100;
    case 'walk': {
      const r = a.range;
      if (r.kind === 'eq') return a.order === 'name' ? 1 : a.order === 'externalId' ? 2 : 3;
      if (r.kind === 'prefix') return 20 - Math.min(r.value.length, 10);
      if (r.kind === 'between') return r.lower !== undefined && r.upper !== undefined ? 15 : 25;
      return 30;
    }
  }
}

/** The access plan of a filter (after its membership expressions became terms). */
export function planAccess(filter: Filter, ctx: PlanContext): Access {
  if (filter.kind === 'and') {
    const sides = conjuncts(filter).map((c) => planAccess(c, ctx));
    // Bounds on one dateTime order (`meta.lastModified ge A and meta.lastModified lt B`) are one range.
    const bounds = new Map<ResourceOrder, { lower?: string; upper?: string }>();
    for (const a of sides) {
      if (a.kind !== 'walk' || a.range.kind !== 'between') continue;
      const b = bounds.get(a.order) ?? {};
      if (a.range.lower !== undefined && (b.lower === undefined || a.range.lower > b.lower)) b.lower = a.range.lower;
      if (a.range.upper !== undefined && (b.upper === undefined || a.range.upper < b.upper)) b.upper = a.range.upper;
      bounds.set(a.order, b);
    }
    for (const [order, b] of bounds) sides.push({ kind: 'walk', order, range: { kind: 'between', ...b } });
    return sides.reduce((best, a) => (cost(a) < cost(best) ? a : best), SCAN);
  }
  if (filter.kind === 'or') {
    const left = planAccess(filter.left, ctx);
    const right = planAccess(filter.right, ctx);
    if (left.kind === 'scan' || right.kind === 'scan') return SCAN;
    const parts = (a: Access): readonly Access[] => (a.kind === 'union' ? a.of : [a]);
    return { kind: 'union', of: [...parts(left), ...parts(right)] };
  }
  if (filter.kind === 'not') return SCAN;
  return leafAccess(filter, ctx);
}

/** Whether an access reads few resources (read whole, then sorted and paged in memory) rather than a range walked page by page. */
export function isSmall(a: Access): boolean {
  if (a.kind === 'id' || a.kind === 'term') return true;
  if (a.kind === 'walk') return a.range.kind === 'eq';
  if (a.kind === 'union') return a.of.every(isSmall);
  return false;
}

export type CallCounts = Record<string, number>;

/**
 * The DynamoDB calls that read an access's first page (at most 100 resources, one index page each),
 * given which orders are read by key after their index (keys-only index or address entries). A
 * membership term is one membership Query and one BatchGetItem. A scan is a walk of the listing.
 */
export function planCalls(a: Access, readByKey: (order: ResourceOrder) => boolean): CallCounts {
  const add = (x: CallCounts, y: CallCounts): CallCounts => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  switch (a.kind) {
    case 'id':
      return { GetItem: 1 };
    case 'term':
      return { Query: 1, BatchGetItem: 1 };
    case 'walk':
      return readByKey(a.order) ? { Query: 1, BatchGetItem: 1 } : { Query: 1 };
    case 'scan':
      return { Query: 1 };
    case 'union':
      return a.of.reduce<CallCounts>((n, x) => add(n, planCalls(x, readByKey)), {});
  }
}
