/**
 * Listing and searching (RFC 7644 section 3.4.2): filter, sort, index and cursor pagination.
 *
 * Cost rules (documented in the README):
 *  - no filter, in creation order or sorted by an attribute an index keeps in order (SORT_ORDERS:
 *    userName/displayName, meta.created, meta.lastModified, ascending or descending): one page
 *    Query from a remembered position, so paging through N resources reads O(N) items in total
 *    (page 1000 costs what page 1 costs); a remembered startIndex position is valid for one
 *    generation of the listing (every create, restore and delete moves it);
 *  - a filter is planned (query-plan.ts) to its cheapest access: `id eq` one read; `eq` on an
 *    ordered attribute one index Query; a membership term its index; `and` the most selective
 *    side; `or` the union of both sides; the whole filter is then evaluated on what was read;
 *  - an access that reads few resources (id, `eq`, memberships and their unions), a page by
 *    startIndex, or a sort by an attribute no index keeps: the matches are read whole (at most
 *    MAX_SCAN resources: beyond that 400 tooMany, which says to page by cursor), sorted and paged
 *    in memory, with an exact totalResults;
 *  - by cursor, a range of an order (`sw`, `pr`, `meta.lastModified gt`…) or a filter no index
 *    answers (`co`, `ew`, …): a walk along the order (the sort's, else the access's, else creation);
 *    a page of a range that is the whole filter reads `count` entries; any other page is one index
 *    read of at most MAX_READS_PER_PAGE entries (1 MB) and returns the matches found (possibly
 *    fewer than count, even none, RFC 9865), with a nextCursor from where it stopped; totalResults is given
 *    when the first page holds every match, and omitted otherwise (RFC 9865 section 2: a total it
 *    cannot know without reading everything).
 * Cursors of lists built in memory hold the place of the last resource in the order (never an
 * offset), so a resource deleted between pages shifts nothing; cursors of walks hold the position
 * in the index.
 */
import { definesPath, outerPaths, parseAttrPath } from '../filter';
import type { Filter } from '../filter/ast';
import { compileFilter, type Predicate } from '../filter/evaluate';
import { UNLIMITED, type RequestBudget } from '../budget';
import { DEFAULT_COUNT, MAX_COUNT, MAX_READS_PER_PAGE, MAX_SCAN } from '../limits';
import { ScimError } from '../messages/error';
import type { SearchRequest } from '../messages/search-request';
import type { ListPosition, OrderRange, ResourceKind, ResourceOrder, ResourceRepository, Sealer, StoredResource } from '../ports';
import { resolveAttribute, type ResourceSchema } from '../schemas/registry';
import { decodeCursor, encodeCursor, type CursorState, type SortPlace } from './cursor';
import { planMembershipTerms, type MembershipTerm } from './membership-terms';
import { toScim, type ScimResource } from './meta';
import { isSmall, planAccess, SORT_ORDERS, type Access } from './query-plan';

export { DEFAULT_COUNT, MAX_COUNT, MAX_SCAN };

export interface ListResult {
  /** Absent when a cursor page cannot know it without reading every match (RFC 9865 section 2). */
  totalResults?: number;
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
  totalResults?: number;
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
    ...(result.totalResults !== undefined ? { totalResults: result.totalResults } : {}),
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
  const count = clampCount(q.count);
  const listKey = JSON.stringify([q.filter ? formatForKey(q.filter) : '', sortBy ?? '', descending]);
  // The order an index keeps for the sort (creation without one); undefined: sorted in memory.
  const sortOrder = sortBy === undefined ? 'created' : sortOrderOf(sortBy, deps);
  if (!q.filter && sortOrder !== undefined) return indexPage(q, deps, { count, descending, listKey, order: sortOrder });

  const sortKey = sortKeyOf(sortBy, deps.rs);
  const state = q.cursor !== undefined && q.cursor !== '' ? decodeCursor(q.cursor, listKey, deps.now, deps.sealer) : undefined;
  const f = await prepare(q.filter, deps);
  const page = { count, descending, listKey, sortKey, state };
  // The filter is one expression whose range the walk reads: every entry read is a match.
  const exact = (order: ResourceOrder, range: OrderRange): boolean =>
    q.filter !== undefined && isLeaf(q.filter) && f.access.kind === 'walk' && f.access.order === order && sameRange(f.access.range, range);

  if (q.cursor !== undefined && state?.mode === 'position') {
    const order = state.order ?? 'created';
    const range = state.range ?? ALL;
    return walkPage(deps, f, { ...page, order, range, after: state.position, offset: state.offset, exact: exact(order, range) });
  }
  if (q.cursor !== undefined && state === undefined && sortOrder !== undefined && !isSmall(f.access)) {
    const walk = walkFor(f.access, sortBy === undefined ? undefined : sortOrder);
    if (walk) return walkPage(deps, f, { ...page, ...walk, offset: 0, exact: exact(walk.order, walk.range) });
    // A range of another order than the sort's: sorted in memory when it is small enough, else a
    // walk along the sort's order that evaluates the whole filter.
    const within = await collect(f, deps, 'try');
    if (within) return memoryPage(within, q, deps, page);
    return walkPage(deps, f, { ...page, order: sortOrder, range: ALL, offset: 0 });
  }
  const matches = (await collect(f, deps, sortOrder === undefined ? 'sort' : q.cursor !== undefined ? 'cursor' : 'startIndex')) ?? [];
  return memoryPage(matches, q, deps, page);
}

const ALL: OrderRange = { kind: 'all' };

const sameRange = (a: OrderRange, b: OrderRange): boolean => JSON.stringify(a) === JSON.stringify(b);

/** One attribute expression (a range can be all of it), not a combination of them. */
const isLeaf = (f: Filter): boolean => f.kind === 'compare' || f.kind === 'present' || f.kind === 'valuePath';

/** The order an index keeps for a sortBy (undefined: sorted in memory). */
function sortOrderOf(sortBy: string, deps: ListDeps): ResourceOrder | undefined {
  const path = parseAttrPath(sortBy, 'invalidValue');
  const resolved = resolveAttribute(deps.rs, path);
  if (!resolved || resolved.inExtension) return undefined;
  const key = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
  const order = SORT_ORDERS[deps.kind][key];
  return order !== undefined && deps.repo.orders.includes(order) ? order : undefined;
}

/** The walk a cursor listing takes: along the access's range (no sort, or the sort's own order), or along the sort's order. */
function walkFor(access: Access, sortOrder: ResourceOrder | undefined): { order: ResourceOrder; range: OrderRange } | undefined {
  if (access.kind === 'walk')
    return sortOrder === undefined || access.order === sortOrder ? { order: access.order, range: access.range } : undefined;
  return { order: sortOrder ?? 'created', range: ALL };
}

/** A filter ready to run: its access plan and the test of each resource read (spending the request's budget). */
interface PreparedFilter {
  readonly access: Access;
  readonly test: (item: StoredResource) => boolean;
  /** The ids a membership term holds for, when its index answered it. */
  readonly answers: readonly (Set<string> | undefined)[];
}

/** Reads the membership terms' answers (each once), compiles the filter and plans its access. */
async function prepare(filter: Filter | undefined, deps: ListDeps): Promise<PreparedFilter> {
  if (!filter) return { access: { kind: 'scan' }, test: () => true, answers: [] };
  const planned = planMembershipTerms(filter, deps.kind, deps.rs);
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
  const indexedTerms = new Set(answers.flatMap((a, i) => (a ? [i] : [])));
  return {
    access: planAccess(planned.filter, { kind: deps.kind, rs: deps.rs, indexedTerms }),
    answers,
    test: (item) => {
      budget.spend(size, 'the filter on every resource it reads');
      byId.set(item.id, item);
      return predicate(toScim(item, deps.kind, deps.rs, deps.baseUrl));
    },
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

const SORTED_ATTRIBUTES = (deps: ListDeps): string => Object.keys(SORT_ORDERS[deps.kind]).join(', ');

function tooMany(deps: ListDeps, why: 'startIndex' | 'cursor' | 'sort'): ScimError {
  const what = `This list reads more than ${MAX_SCAN} resources`;
  if (why === 'sort') {
    return ScimError.typed(
      'tooMany',
      `${what}, the most a sort by an attribute without an index is built from: sort by ${SORTED_ATTRIBUTES(deps)} (any size), or narrow the filter.`,
    );
  }
  if (why === 'cursor') {
    // By cursor only the lists read whole come here: memberships and unions of lookups.
    return ScimError.typed('tooMany', `${what}, the most a list of lookups or memberships is built from: narrow the filter.`);
  }
  return ScimError.typed(
    'tooMany',
    `${what}, the most a page by startIndex is built from: page it by cursor (RFC 9865: cursor= in the query, then each answer's nextCursor), which answers it at any size, or narrow the filter.`,
  );
}

/**
 * Every resource the filter selects, read through its access (each read resource tested once).
 * More than MAX_SCAN read: 400 tooMany, or undefined when only trying.
 */
async function collect(
  f: PreparedFilter,
  deps: ListDeps,
  mode: 'startIndex' | 'cursor' | 'sort' | 'try',
): Promise<StoredResource[] | undefined> {
  const out = new Map<string, StoredResource>();
  const tested = new Set<string>();
  let reads = 0;
  const over = (): boolean => {
    if (reads <= MAX_SCAN) return false;
    if (mode === 'try') return true;
    throw tooMany(deps, mode);
  };
  const take = (item: StoredResource): void => {
    if (tested.has(item.id)) return;
    tested.add(item.id);
    if (f.test(item)) out.set(item.id, item);
  };
  const read = async (a: Access): Promise<boolean> => {
    switch (a.kind) {
      case 'id': {
        reads += 1;
        const item = await deps.repo.get(a.id);
        if (item) take(item);
        return true;
      }
      case 'term': {
        const ids = f.answers[a.term] ?? new Set<string>();
        reads += ids.size;
        if (over()) return false;
        for (const item of await deps.repo.getMany([...ids])) take(item);
        return true;
      }
      case 'union':
        for (const part of a.of) if (!(await read(part))) return false;
        return true;
      case 'walk':
      case 'scan': {
        const order = a.kind === 'walk' ? a.order : 'created';
        const range = a.kind === 'walk' ? a.range : ALL;
        let after: ListPosition | undefined;
        do {
          const page = await deps.repo.walk({ order, range, limit: 1000, ...(after ? { after } : {}) });
          reads += page.read;
          if (over()) return false;
          for (const item of page.items) take(item);
          after = page.last;
        } while (after);
        return true;
      }
    }
  };
  return (await read(f.access)) ? [...out.values()] : undefined;
}

/** A page of a list built in memory: sorted, then cut by startIndex or after the cursor's place. */
function memoryPage(
  items: StoredResource[],
  q: SearchRequest,
  deps: ListDeps,
  o: { count: number; descending: boolean; listKey: string; sortKey: (item: StoredResource) => SortPlace; state: CursorState | undefined },
): ListResult {
  const matches = items.map((item) => ({ item, place: o.sortKey(item) }));
  const order = (a: SortPlace, b: SortPlace): number => comparePlaces(a, b) * (o.descending ? -1 : 1);
  matches.sort((a, b) => order(a.place, b.place));
  if (q.cursor !== undefined) {
    let from = 0;
    let offset = 0;
    if (o.state) {
      if (o.state.mode !== 'after') throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
      const after = o.state.place;
      from = matches.findIndex((m) => order(m.place, after) > 0);
      if (from < 0) from = matches.length;
      offset = o.state.offset;
    }
    const page = matches.slice(from, from + o.count);
    const after = (n: number): string | undefined => {
      const last = page[n - 1];
      const more = from + n < matches.length && n > 0;
      return more && last
        ? encodeCursor(o.listKey, { mode: 'after', place: last.place, offset: offset + n }, deps.now, deps.sealer)
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
    items: matches.slice(startIndex - 1, startIndex - 1 + o.count).map((m) => m.item),
    cut: uncut,
  };
}

/**
 * A cursor page walked along an order: at most MAX_READS_PER_PAGE entries read, the matches among
 * them (up to count), and a cursor from the last match shown, or from where the reading stopped.
 */
async function walkPage(
  deps: ListDeps,
  f: PreparedFilter,
  o: {
    order: ResourceOrder;
    range: OrderRange;
    descending: boolean;
    count: number;
    listKey: string;
    after?: ListPosition;
    offset: number;
    /** The range is the whole filter: every entry it reads is a match (but for cut index values). */
    exact?: boolean;
  },
): Promise<ListResult> {
  if (o.after && !deps.repo.isPosition(o.after, o.order)) {
    throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
  }
  const cursorAt = (position: ListPosition, offset: number): string =>
    encodeCursor(o.listKey, { mode: 'position', position, offset, order: o.order, range: o.range }, deps.now, deps.sealer);
  if (o.count === 0) return { startIndex: o.offset + 1, items: [], cut: uncut };
  const matches: { item: StoredResource; position: ListPosition }[] = [];
  let from = o.after;
  let read = 0;
  let exhausted = false;
  // A range that answers the filter whole reads a page's worth (its entries are the matches), in
  // more Queries only when one is cut short (1 MB). One that answers it in part, or a scan, makes
  // one index read a page: its budget in one Query (up to 1 MB), or, when the entries are keys
  // whose items are read after, a hundred of them (one BatchGetItem).
  let chunk = o.exact || deps.repo.readsByKey(o.order) ? o.count : MAX_READS_PER_PAGE;
  for (;;) {
    const page = await deps.repo.walk({
      order: o.order,
      range: o.range,
      limit: Math.min(chunk, MAX_READS_PER_PAGE - read),
      descending: o.descending,
      ...(from ? { after: from } : {}),
    });
    read += page.read;
    page.items.forEach((item, i) => {
      const position = page.positions[i];
      if (position && f.test(item)) matches.push({ item, position });
    });
    from = page.last;
    if (!from) {
      exhausted = true;
      break;
    }
    if (!o.exact || matches.length >= o.count || read >= MAX_READS_PER_PAGE) break;
    chunk = Math.min(chunk * 4, MAX_READS_PER_PAGE);
  }
  const items = matches.slice(0, o.count).map((m) => m.item);
  const after = (n: number): string | undefined => {
    const last = matches[n - 1];
    if (n < matches.length && last) return cursorAt(last.position, o.offset + n);
    return !exhausted && from ? cursorAt(from, o.offset + n) : undefined;
  };
  const nextCursor = after(items.length);
  const whole = o.after === undefined && exhausted && matches.length <= o.count;
  return {
    ...(whole ? { totalResults: matches.length } : {}),
    startIndex: o.offset + 1,
    items,
    ...(nextCursor ? { nextCursor } : {}),
    cut: async (n) => {
      const next = after(n);
      return next ? { nextCursor: next } : {};
    },
  };
}

/**
 * Where a resource stands in a sort (RFC 7644 section 3.4.2.3): by the attribute's value (a
 * multi-valued one: its primary or first value), case-insensitively (NFC, lower case, as filters
 * compare) unless caseExact; resources without the value after the others (ascending; before them
 * descending); ties by creation.
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
    return { missing: false, key: def.caseExact ? String(v) : String(v).normalize('NFC').toLowerCase(), tie };
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

/** Every resource in an order that has one entry per resource, straight from its index, resuming from a remembered position. */
async function indexPage(
  q: SearchRequest,
  deps: ListDeps,
  o: { count: number; descending: boolean; listKey: string; order: ResourceOrder },
): Promise<ListResult> {
  // The count is read beside the page (a cursor page needs nothing from it before reading).
  const listState = deps.repo.listState();
  listState.catch(() => undefined); // awaited below; a failure surfaces there
  const walk = async (
    after: ListPosition | undefined,
    limit: number,
  ): Promise<{ items: StoredResource[]; positions: ListPosition[]; last?: ListPosition }> =>
    deps.repo.walk({ order: o.order, limit, descending: o.descending, ...(after ? { after } : {}) });
  if (q.cursor !== undefined) {
    let after: ListPosition | undefined;
    let offset = 0;
    if (q.cursor !== '') {
      const state = decodeCursor(q.cursor, o.listKey, deps.now, deps.sealer);
      if (state.mode !== 'position' || (state.order ?? 'created') !== o.order || !deps.repo.isPosition(state.position, o.order)) {
        throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
      }
      after = state.position;
      offset = state.offset;
    }
    if (o.count === 0) return { totalResults: (await listState).count, startIndex: offset + 1, items: [], cut: uncut };
    // One item more than the page tells whether there is a next page (no empty last page). A Query
    // answers at most 1 MB: large resources take several.
    const read: StoredResource[] = [];
    const positions: ListPosition[] = [];
    let from = after;
    do {
      const part = await walk(from, o.count + 1 - read.length);
      read.push(...part.items);
      positions.push(...part.positions);
      from = part.last;
    } while (from && read.length <= o.count);
    const totalResults = (await listState).count;
    const items = read.slice(0, o.count);
    const cursorAfter = (n: number): string | undefined => {
      const position = positions[n - 1];
      const more = n < items.length || read.length > o.count || (from !== undefined && n === items.length);
      return more && position
        ? encodeCursor(o.listKey, { mode: 'position', position, offset: offset + n, order: o.order }, deps.now, deps.sealer)
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

  const { count: totalResults, generation } = await listState;
  const startIndex = Math.max(q.startIndex ?? 1, 1);
  if (o.count === 0 || startIndex > totalResults) return { totalResults, startIndex, items: [], cut: uncut };
  let after: ListPosition | undefined;
  if (startIndex > 1) {
    after = await deps.repo.getMarker(o.listKey, startIndex, generation, deps.now);
    if (!after) after = await walkTo(deps, startIndex, o); // random access: read the items before it
  }
  const items: StoredResource[] = [];
  const positions: ListPosition[] = [];
  let cursor = after;
  do {
    const page = await walk(cursor, o.count - items.length);
    items.push(...page.items);
    positions.push(...page.positions);
    cursor = page.last;
  } while (cursor && items.length < o.count);
  // The position after the page's n-th item is remembered for the page that starts there.
  const remember = async (n: number): Promise<void> => {
    const position = positions[n - 1];
    if (position && startIndex + n <= totalResults) {
      await deps.repo.putMarker(o.listKey, startIndex + n, { position, generation }, deps.now.toISOString());
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

/** The position just before `startIndex`, found by reading the entries before it (O(startIndex)). */
async function walkTo(
  deps: ListDeps,
  startIndex: number,
  o: { descending: boolean; order: ResourceOrder },
): Promise<ListPosition | undefined> {
  let remaining = startIndex - 1;
  let after: ListPosition | undefined;
  while (remaining > 0) {
    const page = await deps.repo.walk({
      order: o.order,
      limit: Math.min(remaining, 1000),
      descending: o.descending,
      ...(after ? { after } : {}),
    });
    const position = page.positions[page.positions.length - 1];
    if (!position) return after;
    remaining -= page.items.length;
    after = position;
    if (!page.last) break;
  }
  return after;
}
