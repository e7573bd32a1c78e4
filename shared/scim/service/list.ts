/**
 * Listing and searching (RFC 7644 section 3.4.2): filter, sort, index and cursor pagination.
 *
 * Cost rules (documented in the README):
 *  - no filter, creation order: one page Query from a remembered position, so paging through N
 *    resources reads O(N) items in total (page 1000 costs what page 1 costs);
 *  - `id`, `userName`/`displayName` or `externalId` `eq` (alone or in an `and`): one read;
 *  - any other filter, or a sort: evaluated in memory over at most MAX_SCAN resources read
 *    through the listing index; beyond that, 400 tooMany.
 */
import { ScimError } from '../errors';
import { indexableEquality, matchesFilter, memberEquality, parseFilter } from '../filter';
import type { Filter } from '../filter/ast';
import type { ListPosition, ResourceKind, ResourceRepository, StoredResource } from '../ports';
import { parseAttrPath } from '../filter';
import { resolveAttribute, type ResourceSchema } from '../schemas/registry';
import { decodeCursor, encodeCursor, type CursorState } from './cursor';
import { toScim, type ScimResource } from './meta';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;
/** The most resources a non-indexed filter or a sort may read. */
export const MAX_SCAN = 10_000;
const SCAN_PAGE = 1000;

export interface ListQuery {
  filter?: string;
  startIndex?: number;
  count?: number;
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  /** RFC 9865: '' asks for the first page by cursor. */
  cursor?: string;
}

export interface ListResult {
  totalResults: number;
  startIndex: number;
  resources: ScimResource[];
  /** Cursor pagination only: where the next page starts (absent on the last page). */
  nextCursor?: string;
}

export interface ListDeps {
  kind: ResourceKind;
  rs: ResourceSchema;
  repo: ResourceRepository;
  baseUrl: string;
  now: Date;
  /** Names of the attributes with an index (e.g. id, userName, externalId). */
  indexed: readonly string[];
  /** Groups only: the groups a member belongs to (members[value eq "x"], members.value eq "x"). */
  memberLookup?: (memberId: string) => Promise<StoredResource[]>;
}

const clampCount = (count: number | undefined): number => Math.min(Math.max(count ?? DEFAULT_COUNT, 0), MAX_COUNT);

export async function listResources(q: ListQuery, deps: ListDeps): Promise<ListResult> {
  const filter = q.filter !== undefined && q.filter.trim() !== '' ? parseFilter(q.filter) : undefined;
  const sortBy = q.sortBy?.trim() || undefined;
  const descending = q.sortOrder === 'descending';
  const natural = sortBy === undefined || sortBy.toLowerCase() === 'meta.created';
  const listKey = JSON.stringify([filter ? q.filter : '', sortBy ?? '', descending]);
  const count = clampCount(q.count);
  const scim = (s: StoredResource): ScimResource => toScim(s, deps.kind, deps.rs, deps.baseUrl);

  if (!filter && natural) return indexPage(q, deps, { count, descending, listKey, scim });

  let matches: ScimResource[];
  const equality = filter ? indexableEquality(filter, deps.rs, deps.indexed) : undefined;
  const member = filter && deps.memberLookup ? memberEquality(filter) : undefined;
  // Groups are stored without members: the membership index says which groups hold the member,
  // and the filter is evaluated with that member in (or out of) each group's members.
  const memberGroups = member !== undefined && deps.memberLookup ? await deps.memberLookup(member) : undefined;
  const withMember = (r: ScimResource): ScimResource =>
    memberGroups === undefined ? r : { ...r, members: memberGroups.some((g) => g.id === r.id) ? [{ value: member }] : [] };
  if (filter && equality) {
    const found = await lookup(deps, equality.attribute, equality.value);
    matches = found.map(scim).filter((r) => matchesFilter(filter, withMember(r), deps.rs));
  } else if (filter && memberGroups) {
    matches = memberGroups.map(scim).filter((r) => matchesFilter(filter, withMember(r), deps.rs));
  } else {
    matches = await scanAll(deps, scim, filter);
  }
  if (sortBy) matches = sortResources(matches, sortBy, descending, deps.rs);
  else if (descending) matches = matches.reverse();

  if (q.cursor !== undefined) {
    const offset = q.cursor === '' ? 0 : offsetOf(decodeCursor(q.cursor, listKey, deps.now));
    const resources = matches.slice(offset, offset + count);
    const next = offset + count;
    return {
      totalResults: matches.length,
      startIndex: offset + 1,
      resources,
      ...(next < matches.length && count > 0 ? { nextCursor: encodeCursor(listKey, { mode: 'offset', offset: next }, deps.now) } : {}),
    };
  }
  const startIndex = Math.max(q.startIndex ?? 1, 1);
  return { totalResults: matches.length, startIndex, resources: matches.slice(startIndex - 1, startIndex - 1 + count) };
}

function offsetOf(state: CursorState): number {
  if (state.mode !== 'offset') throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
  return state.offset;
}

async function lookup(deps: ListDeps, attribute: string, value: string): Promise<StoredResource[]> {
  const one = (r: StoredResource | undefined): StoredResource[] => (r ? [r] : []);
  if (attribute === 'id') return one(await deps.repo.get(value));
  if (attribute === 'externalId') return deps.repo.findByExternalId(value);
  return one(await deps.repo.findByName(value));
}

async function scanAll(deps: ListDeps, scim: (s: StoredResource) => ScimResource, filter: Filter | undefined): Promise<ScimResource[]> {
  const out: ScimResource[] = [];
  let after: ListPosition | undefined;
  let scanned = 0;
  do {
    const page = await deps.repo.page({ ...(after ? { after } : {}), limit: SCAN_PAGE });
    scanned += page.items.length;
    if (scanned > MAX_SCAN) {
      throw ScimError.typed(
        'tooMany',
        `This filter or sort would read more than ${MAX_SCAN} resources. Filter by id, ${deps.indexed.filter((n) => n !== 'id').join(' or ')} with eq, or page without a filter.`,
      );
    }
    for (const item of page.items) {
      const r = scim(item);
      if (!filter || matchesFilter(filter, r, deps.rs)) out.push(r);
    }
    after = page.last;
  } while (after);
  return out;
}

/** Creation order straight from the listing index, resuming from a remembered position. */
async function indexPage(
  q: ListQuery,
  deps: ListDeps,
  o: { count: number; descending: boolean; listKey: string; scim: (s: StoredResource) => ScimResource },
): Promise<ListResult> {
  const totalResults = await deps.repo.count();
  if (q.cursor !== undefined) {
    let after: ListPosition | undefined;
    let offset = 0;
    if (q.cursor !== '') {
      const state = decodeCursor(q.cursor, o.listKey, deps.now);
      if (state.mode !== 'position' || !deps.repo.isPosition(state.position)) {
        throw ScimError.typed('invalidCursor', 'The cursor belongs to a different kind of listing.');
      }
      after = state.position;
      offset = state.offset;
    }
    if (o.count === 0) return { totalResults, startIndex: offset + 1, resources: [] };
    // One item more than the page tells whether there is a next page (no empty last page).
    const page = await deps.repo.page({ ...(after ? { after } : {}), limit: o.count + 1, descending: o.descending });
    const items = page.items.slice(0, o.count);
    const lastItem = items[items.length - 1];
    const next = offset + items.length;
    return {
      totalResults,
      startIndex: offset + 1,
      resources: items.map(o.scim),
      ...(page.items.length > o.count && lastItem
        ? { nextCursor: encodeCursor(o.listKey, { mode: 'position', position: deps.repo.positionOf(lastItem), offset: next }, deps.now) }
        : {}),
    };
  }

  const startIndex = Math.max(q.startIndex ?? 1, 1);
  if (o.count === 0 || startIndex > totalResults) return { totalResults, startIndex, resources: [] };
  let after: ListPosition | undefined;
  if (startIndex > 1) {
    after = (await deps.repo.getMarker(o.listKey, startIndex, deps.now))?.position;
    if (!after) after = await walkTo(deps, startIndex, o.descending); // random access: read the items before it
  }
  const items: StoredResource[] = [];
  let cursor = after;
  do {
    const page = await deps.repo.page({ ...(cursor ? { after: cursor } : {}), limit: o.count - items.length, descending: o.descending });
    items.push(...page.items);
    cursor = page.last;
  } while (cursor && items.length < o.count);
  const lastItem = items[items.length - 1];
  if (lastItem && items.length === o.count && startIndex + o.count <= totalResults) {
    await deps.repo.putMarker(
      o.listKey,
      startIndex + o.count,
      { position: deps.repo.positionOf(lastItem), total: totalResults },
      deps.now.toISOString(),
    );
  }
  return { totalResults, startIndex, resources: items.map(o.scim) };
}

/** The position just before `startIndex`, found by reading the items before it (O(startIndex)). */
async function walkTo(deps: ListDeps, startIndex: number, descending: boolean): Promise<ListPosition | undefined> {
  let remaining = startIndex - 1;
  let after: ListPosition | undefined;
  while (remaining > 0) {
    const page = await deps.repo.page({ ...(after ? { after } : {}), limit: Math.min(remaining, SCAN_PAGE), descending });
    const lastItem = page.items[page.items.length - 1];
    if (!lastItem) return after;
    remaining -= page.items.length;
    after = deps.repo.positionOf(lastItem);
    if (!page.last) break;
  }
  return after;
}

/** Sorting (RFC 7644 section 3.4.2.3): by the attribute's value (a multi-valued one: its primary or first), missing last. */
export function sortResources(resources: ScimResource[], sortBy: string, descending: boolean, rs: ResourceSchema): ScimResource[] {
  const path = parseAttrPath(sortBy);
  const resolved = resolveAttribute(rs, path);
  if (!resolved) return resources;
  const def = resolved.subAttribute ?? resolved.attribute;
  const key = (r: ScimResource): string | number | undefined => {
    let v: unknown = resolved.inExtension
      ? (r[resolved.schema.id] as Record<string, unknown> | undefined)?.[resolved.attribute.name]
      : r[resolved.attribute.name];
    if (Array.isArray(v)) v = v.find((e) => (e as { primary?: unknown })?.primary === true) ?? v[0];
    if (resolved.subAttribute || (resolved.attribute.type === 'complex' && resolved.attribute.multiValued)) {
      v = (v as Record<string, unknown> | undefined)?.[resolved.subAttribute?.name ?? 'value'];
    }
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return v;
    if (def.type === 'dateTime') return Date.parse(String(v));
    if (typeof v === 'boolean') return v ? 1 : 0;
    return def.caseExact ? String(v) : String(v).toLowerCase();
  };
  const keyed = resources.map((r, i) => ({ r, k: key(r), i }));
  keyed.sort((a, b) => {
    if (a.k === undefined || b.k === undefined) return a.k === b.k ? a.i - b.i : a.k === undefined ? 1 : -1;
    const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    return (descending ? -c : c) || a.i - b.i;
  });
  return keyed.map((x) => x.r);
}
