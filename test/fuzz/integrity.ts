/**
 * Integrity around a fuzz run: watched users and groups made before it (never named by any
 * request) must come out of it unchanged, members included; the fuzzer's own resources must
 * still be readable; full listings of /Users and /Groups must still page to the end.
 */
import type { RawClient } from './http';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA } from './bodies';

export interface JsonAnswer {
  readonly status: number;
  readonly json: unknown;
  readonly text: string;
  readonly etag?: string;
}

/** JSON requests with one credential, for the setup and the checks (not fuzzed). */
export interface JsonApi {
  call(method: string, path: string, body?: unknown): Promise<JsonAnswer>;
}

export function jsonApi(client: RawClient, basePath: string, token: string, contentType = 'application/scim+json'): JsonApi {
  return {
    async call(method, path, body) {
      const res = await client.send(
        method,
        `${basePath}${path}`,
        { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
        body === undefined ? undefined : JSON.stringify(body),
      );
      let json: unknown;
      try {
        json = res.body ? (JSON.parse(res.body) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      const etag = res.headers.etag;
      return { status: res.status, json, text: res.body, ...(typeof etag === 'string' ? { etag } : {}) };
    },
  };
}

type Json = Record<string, unknown>;

async function expectJson(api: JsonApi, method: string, path: string, status: number, body?: unknown): Promise<Json> {
  const res = await api.call(method, path, body);
  if (res.status !== status) throw new Error(`Setup: ${method} ${path} answered ${res.status}, not ${status}: ${res.text.slice(0, 300)}`);
  return (res.json ?? {}) as Json;
}

export interface Watched {
  readonly users: readonly { id: string; snapshot: Json }[];
  readonly groups: readonly { id: string; snapshot: Json; members: string[] }[];
}

const memberIds = (group: Json): string[] => ((group.members as Json[] | undefined) ?? []).map((m) => String(m.value)).sort();

/** Three users (e-mails, the enterprise extension, a manager) and two groups (one nested in the other). */
export async function createWatched(api: JsonApi): Promise<Watched> {
  const user = (n: number, extra: Json = {}): Json => ({
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: `watched.${n}@example.com`,
    externalId: `watched-${n}`,
    name: { givenName: `Watched${n}`, familyName: 'Person', formatted: `Watched${n} Person` },
    displayName: `Watched ${n}`,
    active: true,
    emails: [
      { value: `watched.${n}@example.com`, type: 'work', primary: true },
      { value: `w${n}@home.example.com`, type: 'home' },
    ],
    phoneNumbers: [{ value: `+1 555 010${n}`, type: 'work' }],
    [ENTERPRISE]: { employeeNumber: `E${n}`, department: 'Integrity', costCenter: 'CC1', ...extra },
  });
  const u1 = await expectJson(api, 'POST', '/Users', 201, user(1));
  const u2 = await expectJson(api, 'POST', '/Users', 201, user(2, { manager: { value: u1.id } }));
  const u3 = await expectJson(api, 'POST', '/Users', 201, user(3, { manager: { value: u1.id } }));
  const g1 = await expectJson(api, 'POST', '/Groups', 201, {
    schemas: [GROUP_SCHEMA],
    displayName: 'Watched Engineers',
    externalId: 'watched-g1',
    members: [{ value: u1.id }, { value: u2.id }],
  });
  const g2 = await expectJson(api, 'POST', '/Groups', 201, {
    schemas: [GROUP_SCHEMA],
    displayName: 'Watched Everyone',
    members: [{ value: u3.id }, { value: g1.id, type: 'Group' }],
  });
  const users = [];
  for (const u of [u1, u2, u3]) users.push({ id: String(u.id), snapshot: await expectJson(api, 'GET', `/Users/${String(u.id)}`, 200) });
  const groups = [];
  for (const [g, members] of [
    [g1, [u1.id, u2.id]],
    [g2, [u3.id, g1.id]],
  ] as const) {
    const snapshot = await expectJson(api, 'GET', `/Groups/${String(g.id)}`, 200);
    groups.push({ id: String(g.id), snapshot, members: members.map(String).sort() });
    if (JSON.stringify(memberIds(snapshot)) !== JSON.stringify(members.map(String).sort())) {
      throw new Error(`Setup: group ${String(g.id)} has members ${memberIds(snapshot).join(',')}`);
    }
  }
  return { users, groups };
}

/** The paths (a.b.c) where two JSON values differ. */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    return [`${path || '(root)'}: ${JSON.stringify(a)?.slice(0, 120)} -> ${JSON.stringify(b)?.slice(0, 120)}`];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k));
}

/** Problems with the watched resources after the run (none: they are as they were). */
export async function verifyWatched(api: JsonApi, watched: Watched): Promise<string[]> {
  const problems: string[] = [];
  for (const [kind, items] of [
    ['Users', watched.users],
    ['Groups', watched.groups],
  ] as const) {
    for (const item of items) {
      const res = await api.call('GET', `/${kind}/${item.id}`);
      if (res.status !== 200) {
        problems.push(`watched ${kind}/${item.id}: GET answered ${res.status}: ${res.text.slice(0, 200)}`);
        continue;
      }
      for (const d of differences(item.snapshot, res.json)) problems.push(`watched ${kind}/${item.id} changed at ${d}`);
      if ('members' in item) {
        const now = memberIds(res.json as Json);
        if (JSON.stringify(now) !== JSON.stringify(item.members)) {
          problems.push(`watched group ${item.id}: members ${now.join(',')} instead of ${item.members.join(',')}`);
        }
      }
    }
  }
  return problems;
}

interface ListingResult {
  readonly ids: string[];
  readonly problems: string[];
  readonly pages: number;
}

/** Pages through a listing to the end, by startIndex or by cursor (RFC 9865). */
async function pageAll(api: JsonApi, path: string, mode: 'startIndex' | 'cursor', pageSize: number): Promise<ListingResult> {
  const ids: string[] = [];
  const problems: string[] = [];
  let pages = 0;
  let startIndex = 1;
  let cursor: string | undefined = '';
  let total: number | undefined;
  for (;;) {
    const query =
      mode === 'startIndex' ? `startIndex=${startIndex}&count=${pageSize}` : `cursor=${encodeURIComponent(cursor ?? '')}&count=${pageSize}`;
    const res = await api.call('GET', `${path}?${query}`);
    pages += 1;
    if (res.status !== 200) {
      problems.push(`${path} by ${mode}, page ${pages}: ${res.status} ${res.text.slice(0, 200)}`);
      break;
    }
    const body = res.json as { totalResults?: unknown; Resources?: Json[]; nextCursor?: unknown } | undefined;
    const resources = body?.Resources ?? [];
    if (typeof body?.totalResults !== 'number') {
      problems.push(`${path} by ${mode}, page ${pages}: no totalResults`);
      break;
    }
    if (total !== undefined && body.totalResults !== total)
      problems.push(`${path} by ${mode}: totalResults moved from ${total} to ${body.totalResults}`);
    total = body.totalResults;
    ids.push(...resources.map((r) => String(r.id)));
    if (mode === 'startIndex') {
      startIndex += pageSize;
      if (resources.length === 0 || startIndex > total) break;
    } else {
      if (typeof body.nextCursor !== 'string' || body.nextCursor === '') break;
      cursor = body.nextCursor;
    }
    if (pages > 10_000) {
      problems.push(`${path} by ${mode}: more than 10,000 pages`);
      break;
    }
  }
  const unique = new Set(ids);
  if (unique.size !== ids.length) problems.push(`${path} by ${mode}: ${ids.length - unique.size} resources returned twice`);
  if (total !== undefined && unique.size !== total) problems.push(`${path} by ${mode}: ${unique.size} resources for totalResults ${total}`);
  return { ids, problems, pages };
}

/** Problems with full listings (none: both /Users and /Groups page to the end, by index and by cursor, and agree). */
export async function verifyListings(api: JsonApi, watched: Watched): Promise<{ problems: string[]; counts: Record<string, number> }> {
  const problems: string[] = [];
  const counts: Record<string, number> = {};
  for (const [path, mustHold] of [
    ['/Users', watched.users.map((u) => u.id)],
    ['/Groups', watched.groups.map((g) => g.id)],
  ] as const) {
    const byIndex = await pageAll(api, path, 'startIndex', 100);
    const byCursor = await pageAll(api, path, 'cursor', 100);
    problems.push(...byIndex.problems, ...byCursor.problems);
    counts[path] = new Set(byIndex.ids).size;
    const a = [...new Set(byIndex.ids)].sort();
    const b = [...new Set(byCursor.ids)].sort();
    if (JSON.stringify(a) !== JSON.stringify(b))
      problems.push(`${path}: paging by startIndex (${a.length}) and by cursor (${b.length}) disagree`);
    for (const id of mustHold) if (!a.includes(id)) problems.push(`${path}: watched ${id} missing from the listing`);
  }
  return { problems, counts };
}

/** Problems reading the fuzzer's resources (each must answer 200 or 404, never anything else), and what the 200s held. */
export async function verifyReadable(
  api: JsonApi,
  resources: readonly { kind: 'Users' | 'Groups'; id: string }[],
  concurrency = 8,
): Promise<{ problems: string[]; found: Map<string, Json> }> {
  const problems: string[] = [];
  const found = new Map<string, Json>();
  const unique = [...new Map(resources.map((r) => [`${r.kind}/${r.id}`, r])).values()];
  await inParallel(unique.length, concurrency, async (i) => {
    const r = unique[i];
    if (!r) return;
    const res = await api.call('GET', `/${r.kind}/${r.id}`);
    if (res.status === 404) return;
    if (res.status !== 200) problems.push(`${r.kind}/${r.id}: GET answered ${res.status}: ${res.text.slice(0, 200)}`);
    else if ((res.json as Json | undefined)?.id !== r.id)
      problems.push(`${r.kind}/${r.id}: GET answered another resource: ${res.text.slice(0, 200)}`);
    else found.set(`${r.kind}/${r.id}`, res.json as Json);
  });
  return { problems, found };
}

/**
 * Problems with the references between the resources read back: a group's member that does not
 * exist, a user whose `groups` and the groups' `members` disagree, groups nested in a cycle.
 */
export function verifyReferences(found: ReadonlyMap<string, Json>): string[] {
  const problems: string[] = [];
  const groupIds = [...found.keys()].filter((k) => k.startsWith('Groups/')).map((k) => k.slice('Groups/'.length));
  const nested = new Map<string, string[]>();
  for (const gid of groupIds) {
    const group = found.get(`Groups/${gid}`) as Json;
    const members = (group.members as Json[] | undefined) ?? [];
    nested.set(
      gid,
      members.filter((m) => m.type === 'Group').map((m) => String(m.value)),
    );
    for (const m of members) {
      const id = String(m.value);
      if (m.type === 'Group') {
        if (!found.has(`Groups/${id}`)) problems.push(`group ${gid} lists member group ${id}, which does not exist`);
        continue;
      }
      const user = found.get(`Users/${id}`);
      if (!user) {
        problems.push(`group ${gid} lists member user ${id}, which does not exist`);
        continue;
      }
      const direct = ((user.groups as Json[] | undefined) ?? []).some((g) => g.value === gid && g.type === 'direct');
      if (!direct) problems.push(`group ${gid} lists user ${id}, whose groups do not list the group as direct`);
    }
  }
  for (const key of found.keys()) {
    if (!key.startsWith('Users/')) continue;
    const uid = key.slice('Users/'.length);
    for (const g of ((found.get(key) as Json).groups as Json[] | undefined) ?? []) {
      const gid = String(g.value);
      if (g.type !== 'direct') continue;
      const group = found.get(`Groups/${gid}`);
      if (!group) problems.push(`user ${uid} lists direct group ${gid}, which does not exist`);
      else if (!((group.members as Json[] | undefined) ?? []).some((m) => m.value === uid)) {
        problems.push(`user ${uid} lists direct group ${gid}, which does not list the user as a member`);
      }
    }
  }
  // Depth-first search for a cycle of nested groups.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (gid: string, path: string[]): void => {
    if (state.get(gid) === 'done') return;
    if (state.get(gid) === 'open') {
      problems.push(`groups nested in a cycle: ${[...path.slice(path.indexOf(gid)), gid].join(' -> ')}`);
      return;
    }
    state.set(gid, 'open');
    for (const child of nested.get(gid) ?? []) visit(child, [...path, gid]);
    state.set(gid, 'done');
  };
  for (const gid of groupIds) visit(gid, []);
  return problems;
}

/** Runs `task(i)` for i in [0, n), `concurrency` at a time; results by index. */
async function inParallel<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** The fuzzer's own resources: users (some with the enterprise extension) and groups of them, one nested. */
export async function createOwned(
  api: JsonApi,
  users: number,
  groups: number,
  concurrency = 8,
): Promise<{ users: string[]; groups: string[]; etags: Record<string, string> }> {
  const etags: Record<string, string> = {};
  const created = async (path: string, body: Json): Promise<string> => {
    const res = await api.call('POST', path, body);
    if (res.status !== 201) throw new Error(`Setup: POST ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    const id = String((res.json as Json).id);
    if (res.etag) etags[id] = res.etag;
    return id;
  };
  const userIds = await inParallel(users, concurrency, (i) =>
    created('/Users', {
      schemas: i % 2 ? [USER_SCHEMA, ENTERPRISE] : [USER_SCHEMA],
      userName: `fz-owned-${i}@example.com`,
      externalId: `fz-owned-${i}`,
      name: { givenName: 'Owned', familyName: `N${i}` },
      emails: [
        { value: `fz-owned-${i}@example.com`, type: 'work', primary: true },
        { value: `fz-owned-${i}@home.example.com`, type: 'home' },
      ],
      active: true,
      ...(i % 2 ? { [ENTERPRISE]: { employeeNumber: String(i), department: 'Fuzz' } } : {}),
    }),
  );
  const group = (i: number, nested: string[]): Promise<string> => {
    const from = (i * 3) % Math.max(1, userIds.length);
    const members = [...userIds.slice(from, from + 3), ...nested].map((value) => ({ value }));
    return created('/Groups', { schemas: [GROUP_SCHEMA], displayName: `fz-owned-group-${i}`, members });
  };
  const first = groups > 0 ? [await group(0, [])] : [];
  const rest = await inParallel(Math.max(0, groups - 1), concurrency, (i) => group(i + 1, i === 0 && first[0] ? [first[0]] : []));
  return { users: userIds, groups: [...first, ...rest], etags };
}

/** Real cursors: of plain, filtered and sorted user listings, and of groups. */
export async function collectCursors(api: JsonApi): Promise<string[]> {
  const out: string[] = [];
  for (const q of [
    'cursor=&count=3',
    'cursor=&count=2&filter=userName%20sw%20%22fz%22',
    'cursor=&count=2&sortBy=userName',
    'cursor=&count=2&filter=active%20eq%20true&sortBy=meta.created&sortOrder=descending',
  ]) {
    const res = await api.call('GET', `/Users?${q}`);
    const c = (res.json as { nextCursor?: unknown } | undefined)?.nextCursor;
    if (typeof c === 'string') out.push(c);
  }
  const res = await api.call('GET', '/Groups?cursor=&count=2');
  const c = (res.json as { nextCursor?: unknown } | undefined)?.nextCursor;
  if (typeof c === 'string') out.push(c);
  return out;
}
