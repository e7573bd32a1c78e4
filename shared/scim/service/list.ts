/**
 * Listing and searching (RFC 7644 section 3.4.2): filter, sort, index and cursor pagination.
 *
 * Cost rules (documented in the README):
 *  - no filter, creation order: one page Query from a remembered position, so paging through N
 *    resources reads O(N) items in total (page 1000 costs what page 1 costs); a remembered
 *    position is valid for one generation of the listing (every create, restore and delete moves
 *    it), so a page after a delete is what a fresh listing gives;
 *  - `id`, `userName`/`displayName` or `externalId` `eq` (alone or in an `and`): one read;
 *  - a membership term (`members[value eq "x"]`, `groups.value eq "g"`) in an `and`: its index;
 *  - any other filter, or a sort: evaluated in memory over at most MAX_SCAN resources read
 *    through the listing index; beyond that, 400 tooMany.
 * Cursors of lists built in memory hold the place of the last resource in the order (never an
 * offset), so a resource deleted between pages shifts nothing.
 */
import { definesPath, indexableEquality, outerPaths, parseAttrPath } from '../filter';
import type { Filter } from '../filter/ast';
import { compileFilter, type Predicate } from '../filter/evaluate';
import { UNLIMITED, type RequestBudget } from '../budget';
import { DEFAULT_COUNT, MAX_COUNT, MAX_SCAN } from '../limits';
import { ScimError } from '../messages/error';
import type { SearchRequest } from '../messages/search-request';
import type { ListPosition, ResourceKind, ResourceRepository, Sealer, StoredResource } from '../ports';
import { resolveAttribute, type ResourceSchema } from '../schemas/registry';
import { decodeCursor, encodeCursor, type SortPlace } from './cursor';
import { planMembershipTerms, requiredTerms, type MembershipTerm } from './membership-terms';
import { toScim, type ScimResource } from './meta';

export { DEFAULT_COUNT, MAX_COUNT, MAX_SCAN };

export interface ListResult {
  totalResults: number;
  startIndex: number;
  items: StoredResource[];
  /** Cursor pagination only: where the next page starts (absent on the last page). */
  nextCursor?: string;
  /**
   * The page cut to its first `n` items (fewer than `count`, as RFC 7644 allows, when a response
   * would outgrow its byte budget): where the page after them starts (a cursor, or with
   * startIndex a remembered position for startIndex + n).
   */
  cut(n: number): Promise<{ nextCursor?: string }>;
}

/** A page of resources as a service answers it, and how to cut it shorter (see ListResult.cut). */
export interface ResourcePage {
  totalResults: number;
  startIndex: number;
  resources: ScimResource[];
  nextCursor?: string;
  /** The first `n` resources, and where the page after them starts. */
  cut(n: number): Promise<ResourcePage>;
}

/**
 * The page a list gave, with the resources the service made of its items (one per item, in order;
 * fewer when the service keeps only the first ones, and then cuts the page there).
 */
export function pageOf(result: ListResult, resources: ScimResource[]): ResourcePage {
  return {
    totalResults: result.totalResults,
    startIndex: result.startIndex,
    resources,
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
    cut: async (n) => {
      if (n >= result.items.length) return pageOf(result, resources);
      const { nextCursor } = await result.cut(n);
      const shorter: ListResult = { ...result, items: result.items.slice(0, n), cut: (m) => result.cut(m) };
      if (nextCursor) shorter.nextCursor = nextCursor;
      else delete shorter.nextCursor;
      return pageOf(shorter, resources.slice(0, n));
    },
  };
}

/** A page that nothing follows when cut (startIndex pages of lists built in memory: the next index is all a client needs). */
const uncut = async (): Promise<{ nextCursor?: string }> => ({});

/** Answers the membership terms of a filter: the ids each one holds for. */
export interface TermIndex {
  /** The ids of the resources for which the term holds; `undefined`: it is decided per resource (`members pr`). */
  idsFor(term: MembershipTerm): Promise<Set<string> | undefined>;
  /** For a term decided per resource. */
  holds(term: MembershipTerm, item: StoredResource): boolean;
}

export interface ListDeps {
  kind: ResourceKind;
  rs: ResourceSchema;
  repo: ResourceRepository;
  baseUrl: string;
  now: Date;
  /** Seals and opens this list's cursors. */
  sealer: Sealer;
  /** Names of the attributes with an index (e.g. id, userName, externalId). */
  indexed: readonly string[];
  terms: TermIndex;
  /** Searching several resource types at once: an attribute another type defines is absent here. */
  unknownAttributes?: 'error' | 'absent';
  /** The request's work budget: every resource a filter is evaluated on spends the filter's size. */
  budget?: RequestBudget;
}

const clampCount = (count: number | undefined): number => Math.min(Math.max(count ?? DEFAULT_COUNT, 0), MAX_COUNT);

export async function listResources(search: SearchRequest, deps: ListDeps): Promise<ListResult> {
  let q = search;
  if (q.filter && deps.unknownAttributes === 'absent' && !outerPaths(q.filter).some((p) => definesPath(deps.rs, p))) {
    // Searching several types, a filter on attributes this type does not have: its answer is the
    // same for every resource of the type (all absent), so it is decided once, without reading them.
    const all = compileFilter(q.filter, deps.rs, { unknownAttributes: 'absent' })({});
    if (!all) return { totalResults: 0, startIndex: q.cursor !== undefined ? 1 : Math.max(q.startIndex ?? 1, 1), items: [], cut: uncut };
    const { filter: _all, ...rest } = q;
    q = rest;
  }
  const sortBy = q.sortBy?.trim() || undefined;
  const descending = q.sortOrder === 'descending';
  const natural = sortBy === undefined || sortBy.toLowerCase() === 'meta.created';
  const count = clampCount(q.count);
  const listKey = JSON.stringify([q.filter ? formatForKey(q.filter) : '', sortBy ?? '', descending]);
  if (!q.filter && natural) return indexPage(q, deps, { count, descending, listKey });

  const sortKey = sortKeyOf(sortBy, deps.rs);
  const matches = (await matching(q.filter, deps)).map((item) => ({ item, place: sortKey(item) }));
  const order = (a: SortPlace, b: SortPlace): number => comparePlaces(a, b) * (descending ? -1 : 1);
  matches.sort((a, b) => order(a.place, b.place));

  if (q.cursor !== undefined) {
    let from = 0;
    let offset = 0;
    if (q.cursor !== '') {
      const state = decodeCursor(q.cursor, listKey, deps.now, deps.sealer);
      if (state.mode !== 'after') throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
      const after = state.place;
      from = matches.findIndex((m) => order(m.place, after) > 0);
      if (from < 0) from = matches.length;
      offset = state.offset;
    }
    const page = matches.slice(from, from + count);
    const after = (n: number): string | undefined => {
      const last = page[n - 1];
      const more = from + n < matches.length && n > 0;
      return more && last
        ? encodeCursor(listKey, { mode: 'after', place: last.place, offset: offset + n }, deps.now, deps.sealer)
        : undefined;
    };
    const nextCursor = after(page.length);
    return {
      totalResults: matches.length,
      startIndex: offset + 1,
      items: page.map((m) => m.item),
      ...(nextCursor ? { nextCursor } : {}),
      cut: async (n) => {
        const next = after(n);
        return next ? { nextCursor: next } : {};
      },
    };
  }
  const startIndex = Math.max(q.startIndex ?? 1, 1);
  return {
    totalResults: matches.length,
    startIndex,
    items: matches.slice(startIndex - 1, startIndex - 1 + count).map((m) => m.item),
    cut: uncut,
  };
}

/** How many expressions a filter holds: what evaluating it on one resource costs. */
function filterSize(f: Filter): number {
  switch (f.kind) {
    case 'and':
    case 'or':
      return 1 + filterSize(f.left) + filterSize(f.right);
    case 'not':
      return 1 + filterSize(f.filter);
    case 'valuePath':
      return 1 + filterSize(f.filter);
    default:
      return 1;
  }
}

/** A stable text for the cursor's list key (the parsed filter, so equal filters share cursors). */
function formatForKey(filter: Filter): string {
  return JSON.stringify(filter);
}

/** The resources a filter selects (all, without one), read through the cheapest index that answers it. */
async function matching(filter: Filter | undefined, deps: ListDeps): Promise<StoredResource[]> {
  const scim = (s: StoredResource): ScimResource => toScim(s, deps.kind, deps.rs, deps.baseUrl);
  if (!filter) return scanAll(deps, () => true);
  const planned = planMembershipTerms(filter, deps.kind, deps.rs);
  // Every term's answer, read once; a term decided per resource is asked per resource.
  const answers = await Promise.all(planned.terms.map((t) => deps.terms.idsFor(t)));
  const byId = new Map<string, StoredResource>();
  const predicate = compileFilter(planned.filter, deps.rs, {
    unknownAttributes: deps.unknownAttributes ?? 'error',
    terms: (id): Predicate => {
      const ids = answers[id];
      const term = planned.terms[id] as MembershipTerm;
      if (ids) return (r) => ids.has(String(r.id));
      return (r) => {
        const item = byId.get(String(r.id));
        return item !== undefined && deps.terms.holds(term, item);
      };
    },
  });
  const size = filterSize(planned.filter);
  const budget = deps.budget ?? UNLIMITED;
  const test = (item: StoredResource): boolean => {
    budget.spend(size, 'the filter on every resource it reads');
    byId.set(item.id, item);
    return predicate(scim(item));
  };

  const equality = indexableEquality(planned.filter, deps.rs, deps.indexed);
  if (equality) return (await lookup(deps, equality.attribute, equality.value)).filter(test);
  const indexed = requiredTerms(planned)
    .map((t) => answers[planned.terms.indexOf(t)])
    .find((ids): ids is Set<string> => ids !== undefined);
  if (indexed) {
    if (indexed.size > MAX_SCAN) throw tooMany(deps);
    return (await deps.repo.getMany([...indexed])).filter(test);
  }
  return scanAll(deps, test);
}

const tooMany = (deps: ListDeps): ScimError =>
  ScimError.typed(
    'tooMany',
    `This filter or sort would read more than ${MAX_SCAN} resources. Filter by id, ${deps.indexed.filter((n) => n !== 'id').join(' or ')} with eq, or page without a filter.`,
  );

async function lookup(deps: ListDeps, attribute: string, value: string): Promise<StoredResource[]> {
  const one = (r: StoredResource | undefined): StoredResource[] => (r ? [r] : []);
  if (attribute === 'id') return one(await deps.repo.get(value));
  if (attribute === 'externalId') return deps.repo.findByExternalId(value);
  return one(await deps.repo.findByName(value));
}

async function scanAll(deps: ListDeps, test: (item: StoredResource) => boolean): Promise<StoredResource[]> {
  const out: StoredResource[] = [];
  let after: ListPosition | undefined;
  let scanned = 0;
  do {
    const page = await deps.repo.page({ ...(after ? { after } : {}), limit: 1000 });
    scanned += page.items.length;
    if (scanned > MAX_SCAN) throw tooMany(deps);
    for (const item of page.items) if (test(item)) out.push(item);
    after = page.last;
  } while (after);
  return out;
}

/**
 * Where a resource stands in a sort (RFC 7644 section 3.4.2.3): by the attribute's value (a
 * multi-valued one: its primary or first value), case-insensitively unless caseExact; resources
 * without the value after the others (ascending; before them descending); ties by creation.
 */
function sortKeyOf(sortBy: string | undefined, rs: ResourceSchema): (item: StoredResource) => SortPlace {
  const tieOf = (item: StoredResource): string => `${item.created}#${item.id}`;
  if (sortBy === undefined || sortBy.toLowerCase() === 'meta.created') {
    return (item) => ({ missing: false, key: item.created, tie: tieOf(item) });
  }
  const path = parseAttrPath(sortBy, 'invalidValue');
  const resolved = resolveAttribute(rs, path);
  if (!resolved) throw ScimError.typed('invalidValue', `sortBy "${sortBy}" names no attribute of ${rs.resourceType.name}.`);
  const def = resolved.subAttribute ?? resolved.attribute;
  if (def.type === 'complex')
    throw ScimError.typed('invalidValue', `sortBy "${sortBy}" is a complex attribute: name one of its sub-attributes.`);
  // id and meta are not in the stored resource: they come from the item.
  const common = !resolved.inExtension && (resolved.attribute.name === 'meta' || resolved.attribute.name === 'id');
  return (item) => {
    const r: Record<string, unknown> = common
      ? { id: item.id, meta: { created: item.created, lastModified: item.lastModified } }
      : item.resource;
    let v: unknown = resolved.inExtension
      ? (r[resolved.schema.id] as Record<string, unknown> | undefined)?.[resolved.attribute.name]
      : r[resolved.attribute.name];
    if (Array.isArray(v)) v = v.find((e) => (e as { primary?: unknown })?.primary === true) ?? v[0];
    if (resolved.subAttribute || (resolved.attribute.type === 'complex' && resolved.attribute.multiValued)) {
      v = (v as Record<string, unknown> | undefined)?.[resolved.subAttribute?.name ?? 'value'];
    }
    const tie = tieOf(item);
    if (v === undefined || v === null || v === '') return { missing: true, key: '', tie };
    if (typeof v === 'number') return { missing: false, key: v, tie };
    if (def.type === 'dateTime') return { missing: false, key: Date.parse(String(v)), tie };
    if (typeof v === 'boolean') return { missing: false, key: v ? 1 : 0, tie };
    return { missing: false, key: def.caseExact ? String(v) : String(v).toLowerCase(), tie };
  };
}

/** Ascending order of places: present values by value, then the missing ones; ties by creation and id. */
export function comparePlaces(a: SortPlace, b: SortPlace): number {
  if (a.missing !== b.missing) return a.missing ? 1 : -1;
  if (a.key !== b.key) {
    if (typeof a.key === typeof b.key) return a.key < b.key ? -1 : 1;
    return typeof a.key === 'number' ? -1 : 1;
  }
  return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
}

/** Creation order straight from the listing index, resuming from a remembered position. */
async function indexPage(
  q: SearchRequest,
  deps: ListDeps,
  o: { count: number; descending: boolean; listKey: string },
): Promise<ListResult> {
  const { count: totalResults, generation } = await deps.repo.listState();
  if (q.cursor !== undefined) {
    let after: ListPosition | undefined;
    let offset = 0;
    if (q.cursor !== '') {
      const state = decodeCursor(q.cursor, o.listKey, deps.now, deps.sealer);
      if (state.mode !== 'position' || !deps.repo.isPosition(state.position)) {
        throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
      }
      after = state.position;
      offset = state.offset;
    }
    if (o.count === 0) return { totalResults, startIndex: offset + 1, items: [], cut: uncut };
    // One item more than the page tells whether there is a next page (no empty last page). A Query
    // answers at most 1 MB: large resources take several.
    const read: StoredResource[] = [];
    let from = after;
    do {
      const part = await deps.repo.page({ ...(from ? { after: from } : {}), limit: o.count + 1 - read.length, descending: o.descending });
      read.push(...part.items);
      from = part.last;
    } while (from && read.length <= o.count);
    const items = read.slice(0, o.count);
    const cursorAfter = (n: number): string | undefined => {
      const lastItem = items[n - 1];
      const more = n < items.length || read.length > o.count;
      return more && lastItem
        ? encodeCursor(o.listKey, { mode: 'position', position: deps.repo.positionOf(lastItem), offset: offset + n }, deps.now, deps.sealer)
        : undefined;
    };
    const nextCursor = cursorAfter(items.length);
    return {
      totalResults,
      startIndex: offset + 1,
      items,
      ...(nextCursor ? { nextCursor } : {}),
      cut: async (n) => {
        const next = cursorAfter(n);
        return next ? { nextCursor: next } : {};
      },
    };
  }

  const startIndex = Math.max(q.startIndex ?? 1, 1);
  if (o.count === 0 || startIndex > totalResults) return { totalResults, startIndex, items: [], cut: uncut };
  let after: ListPosition | undefined;
  if (startIndex > 1) {
    after = await deps.repo.getMarker(o.listKey, startIndex, generation, deps.now);
    if (!after) after = await walkTo(deps, startIndex, o.descending); // random access: read the items before it
  }
  const items: StoredResource[] = [];
  let cursor = after;
  do {
    const page = await deps.repo.page({ ...(cursor ? { after: cursor } : {}), limit: o.count - items.length, descending: o.descending });
    items.push(...page.items);
    cursor = page.last;
  } while (cursor && items.length < o.count);
  // The position after the page's n-th item is remembered for the page that starts there.
  const remember = async (n: number): Promise<void> => {
    const lastItem = items[n - 1];
    if (lastItem && startIndex + n <= totalResults) {
      await deps.repo.putMarker(
        o.listKey,
        startIndex + n,
        { position: deps.repo.positionOf(lastItem), generation },
        deps.now.toISOString(),
      );
    }
  };
  if (items.length === o.count) await remember(o.count);
  return {
    totalResults,
    startIndex,
    items,
    cut: async (n) => {
      await remember(n);
      return {};
    },
  };
}

/** The position just before `startIndex`, found by reading the items before it (O(startIndex)). */
async function walkTo(deps: ListDeps, startIndex: number, descending: boolean): Promise<ListPosition | undefined> {
  let remaining = startIndex - 1;
  let after: ListPosition | undefined;
  while (remaining > 0) {
    const page = await deps.repo.page({ ...(after ? { after } : {}), limit: Math.min(remaining, 1000), descending });
    const lastItem = page.items[page.items.length - 1];
    if (!lastItem) return after;
    remaining -= page.items.length;
    after = deps.repo.positionOf(lastItem);
    if (!page.last) break;
  }
  return after;
}
