/**
 * The request generator: request #i of a run is a pure function of (seed, i, context). It picks a
 * category (a route family and an intent), then the hostile parts: ids, query parameters,
 * filters, cursors, bodies, content types, preconditions, credentials, methods and paths.
 */
import { formatToken } from '../../shared/tokens/token';
import { attributeList, groupBody, patchBody, rawBody, replaceBody, searchBody, userBody, type Body } from './bodies';
import { allOwnedIds, type FuzzContext, type FuzzRequest } from './context';
import { hostileCursor } from './cursors';
import { attrPath, hostileFilter, type ResourceKind } from './filters';
import { requestRng, type Rng } from './prng';
import { BASE62, hostileId, hostileIntegerParam, hostileString, jsonText, obj, pctEncode, queryEncode, Raw, uuid } from './values';

/** Longest path and query a request normally gets: the local gateway (Node's HTTP server) refuses a request head over 16 KB. */
const MAX_URL = 12_000;
const SCIM_JSON = 'application/scim+json';
const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Names an object inherits (a map keyed by request data must not trip over them). */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

type Auth = 'scim' | 'admin' | 'viewer' | 'none' | { readonly header: string | readonly string[] };

interface Spec {
  readonly method: string;
  /** The path, already encoded. */
  readonly path: string;
  /** Query parameters (encoded here), or a raw query string. */
  readonly query?: readonly (readonly [string, string])[] | { readonly raw: string };
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly auth?: Auth;
  readonly body?: Body;
  /** The Content-Type of the body: the SCIM media type unless given; null sends none. */
  readonly contentType?: string | null;
  readonly category: string;
  readonly shape: string;
  readonly expectStatus?: readonly number[];
}

type Kind = 'User' | 'Group';
const collection = (kind: Kind): string => (kind === 'User' ? '/Users' : '/Groups');

function ownedIds(ctx: FuzzContext, kind: Kind, deletable: boolean): readonly string[] {
  const pool = kind === 'User' ? ctx.users : ctx.groups;
  return deletable ? pool.deletable : [...pool.stable, ...pool.deletable];
}

const encodeQuery = (query: Spec['query']): string => {
  if (query === undefined) return '';
  if ('raw' in query) return query.raw;
  return query.map(([k, v]) => `${queryEncode(k)}=${queryEncode(v)}`).join('&');
};

function build(ctx: FuzzContext, index: number, rng: Rng, spec: Spec): FuzzRequest {
  let query = encodeQuery(spec.query);
  let shape = spec.shape;
  if (spec.path.length + query.length > MAX_URL && Array.isArray(spec.query)) {
    if (rng.chance(0.04)) {
      shape = `${shape}+url:oversized`;
    } else {
      // Drop the longest parameters until the request line fits.
      const pairs = [...(spec.query as readonly (readonly [string, string])[])].sort((a, b) => a[1].length - b[1].length);
      while (pairs.length && spec.path.length + encodeQuery(pairs).length > MAX_URL) pairs.pop();
      query = encodeQuery(pairs);
      shape = `${shape}+url:trimmed`;
    }
  }
  const headers: Record<string, string | readonly string[]> = {};
  const auth = spec.auth ?? 'scim';
  if (auth === 'scim') headers.Authorization = `Bearer ${ctx.credentials.scim}`;
  else if (auth === 'admin') headers.Authorization = `Bearer ${ctx.credentials.admin}`;
  else if (auth === 'viewer') headers.Authorization = `Bearer ${ctx.credentials.viewer}`;
  else if (auth !== 'none') headers.Authorization = auth.header;
  if (spec.body !== undefined && spec.contentType !== null) headers['Content-Type'] = spec.contentType ?? SCIM_JSON;
  if (rng.chance(0.08)) assignOwn(headers, noiseHeaders(rng));
  assignOwn(headers, spec.headers ?? {});
  const path = query ? `${spec.path}?${query}` : spec.path;
  const tags = [
    ...new Set([
      ...[...new URLSearchParams(query).keys()].filter((k) => PROTOTYPE_NAMES.has(k)).map((k) => `query-key:${k}`),
      ...Object.keys(headers)
        .filter((k) => PROTOTYPE_NAMES.has(k))
        .map((k) => `header-name:${k}`),
      ...(path.length > MAX_URL ? ['url:oversized'] : []),
    ]),
  ];
  return {
    index,
    method: spec.method,
    path,
    ...(tags.length ? { tags } : {}),
    headers,
    ...(spec.body !== undefined ? { body: spec.body.text } : {}),
    category: spec.category,
    shape,
    ...(spec.expectStatus ? { expectStatus: spec.expectStatus } : {}),
  };
}

/** Object.assign, but a key such as `__proto__` becomes an own property (and so a header sent). */
function assignOwn(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  for (const [k, v] of Object.entries(source))
    Object.defineProperty(target, k, { value: v, enumerable: true, configurable: true, writable: true });
}

/** Headers a client may add that the service should shrug off. */
function noiseHeaders(rng: Rng): Record<string, string | readonly string[]> {
  return rng.pick<Record<string, string | readonly string[]>>([
    {
      Accept: rng.pick([
        '*/*',
        'application/xml',
        'text/html',
        'application/scim+json;q=0',
        '',
        'application/json, text/plain',
        'a'.repeat(4000),
      ]),
    },
    { 'Accept-Charset': 'latin1' },
    { 'Accept-Encoding': 'gzip, br, zstd' },
    { 'X-HTTP-Method-Override': rng.pick(['DELETE', 'PUT', 'PATCH']) },
    { 'X-Forwarded-Proto': rng.pick(['javascript', 'https', '']) },
    { 'X-Forwarded-Host': 'evil.example.com' },
    { 'User-Agent': rng.pick(['', 'x'.repeat(5000), '\u00e9\u00ff', 'Okta SCIM Client 1.0.0']) },
    { 'Content-Encoding': rng.pick(['gzip', 'deflate', 'identity']) },
    { 'X-Amzn-Trace-Id': 'Root=1-00000000-000000000000000000000000' },
    { Prefer: 'return=minimal' },
    { 'X-Custom': ['a', 'b', 'c'] },
    obj([rng.pick(['constructor', 'hasOwnProperty', 'toString', 'valueOf', '__proto__', 'isPrototypeOf']), 'x']) as Record<string, string>,
  ]);
}

// ---- query parameters -------------------------------------------------------------------------

const UNKNOWN_PARAMS = [
  'foo',
  'aadOptscim062020',
  'page',
  'limit',
  'offset',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'filter[]',
  'Filter',
  'FILTER',
  'COUNT',
  'StartIndex',
  'x'.repeat(2000),
  '',
  ' ',
];

function listQuery(rng: Rng, ctx: FuzzContext, kind: ResourceKind): { pairs: [string, string][]; shape: string } {
  const ids = allOwnedIds(ctx);
  const pairs: [string, string][] = [];
  const shapes: string[] = [];
  if (rng.chance(0.6)) {
    const f = hostileFilter(rng, kind, ids);
    pairs.push(['filter', f.text]);
    shapes.push(f.shape);
  }
  if (rng.chance(0.35)) pairs.push(['count', hostileIntegerParam(rng)]);
  if (rng.chance(0.3)) pairs.push(['startIndex', hostileIntegerParam(rng)]);
  if (rng.chance(0.15)) pairs.push(['sortBy', rng.chance(0.8) ? attrPath(rng, kind) : hostileString(rng)]);
  if (rng.chance(0.12)) pairs.push(['sortOrder', rng.pick(['ascending', 'descending', 'DESCENDING', 'asc', '', 'x'])]);
  if (rng.chance(0.2)) pairs.push(['attributes', attributesParam(rng, kind)]);
  if (rng.chance(0.15)) pairs.push(['excludedAttributes', attributesParam(rng, kind)]);
  if (rng.chance(0.08)) pairs.push(['cursor', rng.chance(0.5) ? '' : hostileCursor(rng, ctx.cursors.scim).cursor]);
  if (rng.chance(0.15)) {
    pairs.push([rng.pick(UNKNOWN_PARAMS), hostileString(rng)]);
    shapes.push('query:unknown');
  }
  if (pairs.length && rng.chance(0.12)) {
    const [k] = rng.pick(pairs);
    pairs.push([k, rng.chance(0.5) ? '' : hostileIntegerParam(rng)]);
    shapes.push('query:repeated');
  }
  if (pairs.length && rng.chance(0.08)) {
    const p = rng.pick(pairs);
    p[1] = '';
    shapes.push('query:empty');
  }
  return { pairs, shape: shapes.join('+') || 'query:plain' };
}

function attributesParam(rng: Rng, kind: ResourceKind): string {
  const list = attributeList(rng, kind);
  if (Array.isArray(list)) return list.map((x) => (typeof x === 'string' ? x : jsonText(x))).join(rng.pick([',', ', ', ',,']));
  return typeof list === 'string' ? list : jsonText(list);
}

/** attributes / excludedAttributes for a read or a write's answer. */
function readQuery(rng: Rng, kind: ResourceKind): [string, string][] {
  const out: [string, string][] = [];
  if (rng.chance(0.2)) out.push(['attributes', attributesParam(rng, kind)]);
  if (rng.chance(0.15)) out.push(['excludedAttributes', attributesParam(rng, kind)]);
  if (rng.chance(0.05)) out.push([rng.pick(UNKNOWN_PARAMS), 'x']);
  return out;
}

// ---- preconditions, content types, credentials ------------------------------------------------

function etagHeaders(rng: Rng, ctx: FuzzContext, id: string): Record<string, string> {
  const real = ctx.etags[id];
  const value = rng.pick([
    '*',
    'W/"1"',
    '"1"',
    'garbage',
    'W/',
    '""',
    ',,,',
    'W/"',
    '"unterminated',
    `W/"${'x'.repeat(5000)}"`,
    'W/"1", "2", *',
    '\u00e9',
    real ?? '*',
    real ? real.replace(/.(?=")/, 'Z') : 'W/"x"',
    real ? `${real}, W/"other"` : 'W/"a", W/"b"',
    real ? real.replace(/^W\//, '') : '"x"',
  ]);
  const name = rng.pick(['If-Match', 'If-None-Match', 'If-Match', 'if-none-match']);
  return rng.chance(0.15) ? { 'If-Match': value, 'If-None-Match': value } : { [name]: value };
}

const CONTENT_TYPES = [
  null,
  'text/plain',
  'application/scim+json; charset=latin1',
  'application/scim+json; charset=utf-8',
  'application/json',
  'application/json;charset=utf-16',
  'APPLICATION/SCIM+JSON',
  ' application/json ',
  'application/json; charset="utf-8"',
  'application/scim+json;;;',
  'application/jsonx',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  '*/*',
  '',
  'application/scim+json, text/plain',
  'application/merge-patch+json',
  'application/json-patch+json',
  'text/json',
  `application/scim+json; ${'x'.repeat(3000)}`,
];

/** The real token's id, and forgeries of the token. */
function badScimCredential(rng: Rng, ctx: FuzzContext): { header?: string | readonly string[]; shape: string; strict: boolean } {
  const tok = ctx.credentials.scim;
  const realId = tok.slice(5, 21);
  const flip = (s: string, at: number): string => s.slice(0, at) + (s.charAt(at) === 'A' ? 'B' : 'A') + s.slice(at + 1);
  return rng.pick<{ header?: string | readonly string[]; shape: string; strict: boolean }>([
    { shape: 'auth:missing', strict: true },
    { header: 'Basic dXNlcjpwYXNz', shape: 'auth:basic', strict: true },
    { header: `Basic ${Buffer.from(`x:${tok}`).toString('base64')}`, shape: 'auth:basic-with-token', strict: true },
    { header: 'Bearer', shape: 'auth:bearer-empty', strict: true },
    { header: 'Bearer ', shape: 'auth:bearer-space', strict: true },
    { header: `Token ${tok}`, shape: 'auth:other-scheme', strict: true },
    { header: `Bearer${tok}`, shape: 'auth:no-space', strict: true },
    { header: `Bearer ${tok}x`, shape: 'auth:appended', strict: true },
    { header: `Bearer ${tok.slice(0, -1)}`, shape: 'auth:truncated', strict: true },
    { header: `Bearer ${flip(tok, 30)}`, shape: 'auth:secret-flipped', strict: true },
    { header: `Bearer ${flip(tok, tok.length - 2)}`, shape: 'auth:checksum-flipped', strict: true },
    { header: `Bearer ${flip(tok, 8)}`, shape: 'auth:id-flipped', strict: true },
    { header: `Bearer ${formatToken(realId, rng.chars(43, BASE62))}`, shape: 'auth:forged-secret-valid-checksum', strict: true },
    {
      header: `Bearer ${formatToken(rng.chars(16, BASE62), rng.chars(43, BASE62))}`,
      shape: 'auth:forged-token-valid-checksum',
      strict: true,
    },
    { header: `Bearer ${tok.toUpperCase()}`, shape: 'auth:upper-case', strict: true },
    { header: `Bearer ${ctx.credentials.admin}`, shape: 'auth:admin-jwt', strict: true },
    { header: `Bearer ${tok} ${tok}`, shape: 'auth:two-values', strict: true },
    { header: `Bearer ${tok},Bearer x`, shape: 'auth:comma-list', strict: true },
    { header: 'Bearer scim_', shape: 'auth:prefix-only', strict: true },
    { header: `Bearer ${'a'.repeat(rng.pick([100, 1000, 8000]))}`, shape: 'auth:long', strict: true },
    { header: `Bearer scim_${'A'.repeat(16)}_${'B'.repeat(49)}`, shape: 'auth:well-formed-bad-checksum', strict: true },
    { header: 'Bearer \u00e9\u00ff\u00a0', shape: 'auth:latin1', strict: true },
    { header: 'Bearer null', shape: 'auth:null', strict: true },
    { header: `Bearer ${encodeURIComponent(tok).replace('s', '%73')}`, shape: 'auth:percent-encoded', strict: true },
    { header: `Bearer "${tok}"`, shape: 'auth:quoted', strict: true },
    { header: `bearer ${tok}`, shape: 'auth:lower-case-scheme', strict: false },
    { header: `Bearer    ${tok}`, shape: 'auth:extra-spaces', strict: false },
    { header: [`Bearer ${tok}`, 'Bearer x'], shape: 'auth:two-headers', strict: false },
    { header: ['Bearer x', `Bearer ${tok}`], shape: 'auth:two-headers', strict: false },
  ]);
}

function forgedJwt(rng: Rng, jwt: string): { header: string; shape: string } {
  const [h = '', p = '', s = ''] = jwt.split('.');
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  let payload: Record<string, unknown> = {};
  try {
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    // keep {}
  }
  return rng.pick([
    { header: `Bearer ${enc({ alg: 'none', typ: 'JWT' })}.${p}.`, shape: 'jwt:alg-none' },
    { header: `Bearer ${h}.${enc({ ...payload, 'cognito:groups': ['Owner'], sub: 'attacker' })}.${s}`, shape: 'jwt:payload-edited' },
    { header: `Bearer ${h}.${p}.${s.slice(0, -2)}`, shape: 'jwt:signature-truncated' },
    { header: `Bearer ${h}.${p}`, shape: 'jwt:two-parts' },
    { header: `Bearer ${enc({ alg: 'HS256' })}.${p}.${s}`, shape: 'jwt:alg-confusion' },
    { header: `Bearer ${'eyJ'.repeat(2000)}`, shape: 'jwt:long-garbage' },
    { header: 'Bearer a.b.c', shape: 'jwt:garbage' },
    { header: `Bearer ${jwt.toLowerCase()}`, shape: 'jwt:lower-case' },
  ]);
}

// ---- SCIM categories --------------------------------------------------------------------------

type Gen = (rng: Rng, ctx: FuzzContext) => Spec;

const scimPath = (ctx: FuzzContext, p: string): string => `${ctx.scimPath}${p}`;

const readById: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const owned = rng.chance(0.4);
  const seg = owned ? { segment: rng.pick(ownedIds(ctx, kind, false)), shape: 'id:owned' } : hostileId(rng, allOwnedIds(ctx));
  return {
    method: 'GET',
    path: scimPath(ctx, `${collection(kind)}/${seg.segment}`),
    query: readQuery(rng, kind),
    headers: owned && rng.chance(0.3) ? etagHeaders(rng, ctx, seg.segment) : {},
    category: 'scim.read-by-id',
    shape: seg.shape,
  };
};

const writeHostileId: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const seg = hostileId(rng, allOwnedIds(ctx));
  const method = rng.pick(['PUT', 'PATCH', 'DELETE']);
  const userIds = ownedIds(ctx, 'User', false);
  const body =
    method === 'DELETE'
      ? undefined
      : method === 'PATCH'
        ? patchBody(rng, kind, allOwnedIds(ctx), userIds)
        : kind === 'User'
          ? userBody(rng, allOwnedIds(ctx))
          : groupBody(rng, allOwnedIds(ctx), userIds);
  return {
    method,
    path: scimPath(ctx, `${collection(kind)}/${seg.segment}`),
    ...(body ? { body } : {}),
    category: 'scim.write-hostile-id',
    shape: `${seg.shape}+${body?.shape ?? 'no-body'}`,
  };
};

/** An owned resource; a quarter of the time the first one (the "hot" one), so that writes race. */
function hotOrAny(rng: Rng, ctx: FuzzContext, kind: Kind): string {
  const pool = ownedIds(ctx, kind, false);
  return rng.chance(0.25) && pool[0] ? pool[0] : rng.pick(pool);
}

/**
 * Writes that race on purpose: members added to and removed from the hot group, groups nested in
 * each other (two such PATCHes at once must not make a cycle), members deleted while added.
 */
const race: Gen = (rng, ctx) => {
  const groups = ctx.groups.stable.slice(0, 4);
  const users = ctx.users.stable;
  const hot = groups[0] ?? rng.pick(ownedIds(ctx, 'Group', false));
  const patch = (group: string, op: string, value: unknown, shape: string): Spec => ({
    method: 'PATCH',
    path: scimPath(ctx, `/Groups/${group}`),
    body: { text: jsonText({ schemas: [PATCH_OP_URN], Operations: [{ op, path: 'members', value }] }), shape },
    category: 'scim.race',
    shape,
  });
  return rng.weighted<() => Spec>([
    [
      3,
      () =>
        patch(
          hot,
          'add',
          rng.some(users, 1, 4).map((value) => ({ value })),
          'race:add-members',
        ),
    ],
    [
      3,
      () =>
        patch(
          hot,
          'remove',
          rng.some(users, 1, 2).map((value) => ({ value })),
          'race:remove-members',
        ),
    ],
    [
      1,
      () =>
        patch(
          hot,
          'replace',
          rng.some(users, 0, 5).map((value) => ({ value })),
          'race:replace-members',
        ),
    ],
    [
      3,
      () => {
        const [a, b] = rng.some(groups, 2, 2);
        return patch(a ?? hot, 'add', [{ value: b ?? hot, type: 'Group' }], 'race:nest-groups');
      },
    ],
    [1, () => patch(hot, 'add', [{ value: hot, type: 'Group' }], 'race:nest-self')],
    [
      1,
      () => ({
        method: 'DELETE',
        path: scimPath(ctx, `/Users/${rng.pick(ctx.users.deletable.length ? ctx.users.deletable : users)}`),
        category: 'scim.race',
        shape: 'race:delete-member',
      }),
    ],
    [
      1,
      () => ({
        method: 'PATCH',
        path: scimPath(ctx, `/Users/${users[0] ?? rng.pick(users)}`),
        body: {
          text: jsonText({ schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'displayName', value: `hot ${rng.u32()}` }] }),
          shape: 'race:hot-user',
        },
        headers: rng.chance(0.3) ? etagHeaders(rng, ctx, users[0] ?? '') : {},
        category: 'scim.race',
        shape: 'race:hot-user',
      }),
    ],
  ])();
};

const patchOwned: Gen = (rng, ctx) => {
  const kind: Kind = rng.chance(0.55) ? 'User' : 'Group';
  const id = hotOrAny(rng, ctx, kind);
  const body = patchBody(rng, kind, allOwnedIds(ctx), ownedIds(ctx, 'User', false));
  return {
    method: 'PATCH',
    path: scimPath(ctx, `${collection(kind)}/${id}`),
    query:
      kind === 'Group' && rng.chance(0.3)
        ? [['attributes', rng.pick(['members', 'displayName', 'id', 'members.value,meta'])]]
        : readQuery(rng, kind),
    headers: rng.chance(0.2) ? etagHeaders(rng, ctx, id) : {},
    body,
    contentType: rng.chance(0.1) ? 'application/json' : SCIM_JSON,
    category: 'scim.patch-owned',
    shape: body.shape,
  };
};

const putOwned: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const id = hotOrAny(rng, ctx, kind);
  const body = replaceBody(rng, kind, id, allOwnedIds(ctx), ownedIds(ctx, 'User', false));
  return {
    method: 'PUT',
    path: scimPath(ctx, `${collection(kind)}/${id}`),
    query: readQuery(rng, kind),
    headers: rng.chance(0.3) ? etagHeaders(rng, ctx, id) : {},
    body,
    category: 'scim.put-owned',
    shape: body.shape,
  };
};

const deleteOwned: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const id = rng.pick(ownedIds(ctx, kind, true));
  return {
    method: 'DELETE',
    path: scimPath(ctx, `${collection(kind)}/${id}`),
    headers: rng.chance(0.3) ? etagHeaders(rng, ctx, id) : {},
    category: 'scim.delete-owned',
    shape: 'delete',
  };
};

const create: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'User', 'Group']);
  const body = kind === 'User' ? userBody(rng, allOwnedIds(ctx)) : groupBody(rng, allOwnedIds(ctx), ownedIds(ctx, 'User', false));
  return {
    method: 'POST',
    path: scimPath(ctx, collection(kind)),
    query: readQuery(rng, kind),
    body,
    contentType: rng.pick([SCIM_JSON, SCIM_JSON, 'application/json', 'application/scim+json; charset=utf-8']),
    category: 'scim.create',
    shape: body.shape,
  };
};

const list: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const q = listQuery(rng, ctx, kind);
  return { method: 'GET', path: scimPath(ctx, collection(kind)), query: q.pairs, category: 'scim.list', shape: q.shape };
};

const search: Gen = (rng, ctx) => {
  const where = rng.pick(['/.search', '/Users/.search', '/Groups/.search'] as const);
  const kind: ResourceKind = where === '/.search' ? 'any' : where === '/Users/.search' ? 'User' : 'Group';
  const body = searchBody(rng, kind, allOwnedIds(ctx), ctx.cursors.scim);
  return { method: 'POST', path: scimPath(ctx, where), body, category: 'scim.search', shape: body.shape };
};

const cursor: Gen = (rng, ctx) => {
  const c = hostileCursor(rng, ctx.cursors.scim);
  const kind: Kind = rng.pick(['User', 'Group']);
  if (rng.chance(0.3)) {
    return {
      method: 'POST',
      path: scimPath(ctx, rng.pick(['/.search', `${collection(kind)}/.search`])),
      body: {
        text: jsonText({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], cursor: c.cursor, count: rng.pick([1, 2, 10]) }),
        shape: c.shape,
      },
      category: 'scim.cursor',
      shape: c.shape,
    };
  }
  const pairs: [string, string][] = [['cursor', c.cursor]];
  if (rng.chance(0.5)) pairs.push(['count', rng.pick(['1', '2', '3', '100', '0', '-1'])]);
  if (rng.chance(0.25))
    pairs.push(['filter', rng.pick(['userName sw "fz"', 'displayName sw "fz"', 'id pr', 'meta.created gt "2000-01-01T00:00:00Z"'])]);
  if (rng.chance(0.15)) pairs.push(['sortBy', rng.pick(['userName', 'displayName', 'meta.created'])]);
  if (rng.chance(0.1)) pairs.push(['startIndex', rng.pick(['1', '5'])]);
  return { method: 'GET', path: scimPath(ctx, collection(kind)), query: pairs, category: 'scim.cursor', shape: c.shape };
};

const discovery: Gen = (rng, ctx) => {
  const ids = allOwnedIds(ctx);
  const path = rng.pick([
    '/ServiceProviderConfig',
    '/Schemas',
    '/ResourceTypes',
    `/Schemas/${pctEncode(rng.pick(['urn:ietf:params:scim:schemas:core:2.0:User', 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:bogus']), /[A-Za-z0-9\-._~:]/)}`,
    `/Schemas/${hostileId(rng, ids).segment}`,
    `/ResourceTypes/${rng.pick(['User', 'Group', 'user', 'GROUP', 'Nope'])}`,
    `/ResourceTypes/${hostileId(rng, ids).segment}`,
    '/ServiceProviderConfig/x',
    '/ServiceProviderConfigs',
  ]);
  const pairs: [string, string][] = rng.chance(0.3) ? [['filter', hostileFilter(rng, 'any', ids).text]] : [];
  if (rng.chance(0.3)) pairs.push(...readQuery(rng, 'any'));
  if (rng.chance(0.15)) pairs.push(['count', hostileIntegerParam(rng)], ['startIndex', hostileIntegerParam(rng)]);
  return {
    method: 'GET',
    path: scimPath(ctx, path),
    query: pairs,
    category: 'scim.discovery',
    shape: pairs.length ? 'discovery:params' : 'discovery',
  };
};

/**
 * A BulkRequest (RFC 7644 section 3.7): creates, PATCHes, PUTs and DELETEs of the fuzzer's own
 * resources, groups whose members are bulkId references (to earlier, later, its own or no
 * operation: cycles and forward references), paths that are references, reused bulkIds, stale
 * versions, hostile failOnErrors and operations that are not operations at all.
 */
const bulk: Gen = (rng, ctx) => {
  const ids = allOwnedIds(ctx);
  const users = ownedIds(ctx, 'User', false);
  const count = rng.weighted([
    [6, rng.int(1, 4)],
    [3, rng.int(5, 20)],
    [1, rng.int(21, 120)],
  ]);
  const ref = (i: number): string => `bulkId:b${rng.pick([Math.max(0, i - 1), i, i + 1, rng.int(0, count), 999])}`;
  const raw = (body: Body): Raw => new Raw(body.text.toString());
  const operation = (i: number): unknown =>
    rng.weighted<() => unknown>([
      [4, () => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: raw(userBody(rng, ids)) })],
      [
        3,
        () => ({
          method: 'POST',
          path: rng.pick(['/Groups', 'groups', '/GROUPS/']),
          bulkId: `b${i}`,
          data: raw(groupBody(rng, ids, [...users, ref(i), ref(i)])),
        }),
      ],
      [
        4,
        () => {
          const kind: Kind = rng.pick(['User', 'Group']);
          const id = rng.chance(0.3) ? ref(i) : hotOrAny(rng, ctx, kind);
          return {
            method: rng.pick(['PATCH', 'patch']),
            path: `${collection(kind)}/${id}`,
            data: raw(patchBody(rng, kind, ids, [...users, ref(i)])),
            ...(rng.chance(0.2) ? { version: rng.pick(['W/"1"', '*', 'nonsense', '']) } : {}),
          };
        },
      ],
      [
        1,
        () => {
          const kind: Kind = rng.pick(['User', 'Group']);
          const id = hotOrAny(rng, ctx, kind);
          return { method: 'PUT', path: `${collection(kind)}/${id}`, data: raw(replaceBody(rng, kind, id, ids, users)) };
        },
      ],
      [
        1,
        () => ({
          method: 'DELETE',
          path: `${collection(rng.pick<Kind>(['User', 'Group']))}/${rng.chance(0.3) ? ref(i) : rng.pick(ownedIds(ctx, rng.pick<Kind>(['User', 'Group']), true))}`,
        }),
      ],
    ])();
  // One request in four has an operation that is no operation (the whole request is refused, 400).
  const hostile = (i: number): unknown =>
    rng.chance(0.5)
      ? {
          method: rng.pick(['GET', 'post', null, 7, 'DELETE']),
          path: rng.pick(['/Users/../Groups', '/Users?attributes=id', '/Me', '/Bulk', '', '/Users/%E0%A4%A', hostileString(rng)]),
          bulkId: rng.pick([`b${i}`, 'b0', '', null, 5, hostileString(rng)]),
          ...(rng.chance(0.5) ? { data: rng.pick<unknown>([null, [], 'x', {}]) } : {}),
        }
      : rng.pick<unknown>([null, 'POST', [], 42]);
  const spoilt = rng.chance(0.25) ? rng.int(0, count - 1) : -1;
  const ops = {
    schemas: rng.chance(0.9) ? ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'] : ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    ...(rng.chance(0.5) ? { failOnErrors: rng.chance(0.8) ? rng.int(1, 5) : rng.pick<unknown>([0, -1, 'x', null, 1.5, 1e9]) } : {}),
    Operations: Array.from({ length: count }, (_, i) => (i === spoilt ? hostile(i) : operation(i))),
  };
  const body = rng.chance(0.85) ? { text: jsonText(ops), shape: 'bulk:request' } : rawBody(rng);
  const method = rng.chance(0.9) ? 'POST' : rng.pick(['GET', 'PUT', 'DELETE', 'PATCH']);
  return {
    method,
    path: scimPath(ctx, rng.pick(['/Bulk', '/bulk', '/BULK'])),
    ...(method === 'GET' ? {} : { body }),
    category: 'scim.bulk',
    shape: body.shape,
  };
};

const unknownPath: Gen = (rng, ctx) => {
  const id = rng.pick(allOwnedIds(ctx));
  const path = rng.pick([
    scimPath(ctx, '/Foo'),
    scimPath(ctx, '/Me'),
    scimPath(ctx, `/Users/${id}/groups`),
    scimPath(ctx, `/Users/${id}/.search`),
    scimPath(ctx, `/Groups/${id}/members`),
    scimPath(ctx, '/'),
    ctx.scimPath,
    scimPath(ctx, '//Users'),
    scimPath(ctx, '/Users//'),
    scimPath(ctx, '/users'),
    scimPath(ctx, '/USERS/.SEARCH'),
    scimPath(ctx, '/groups'),
    scimPath(ctx, `/users/${id}`),
    scimPath(ctx, '/.SEARCH'),
    scimPath(ctx, '/Users%2F.search'),
    scimPath(ctx, '/Users/.search/x'),
    scimPath(ctx, '/%55sers'),
    scimPath(ctx, '/Users/%2e%2e/Groups'),
    scimPath(ctx, '/../v1/Users'),
    scimPath(ctx, '/../../admin/v1/audit'),
    scimPath(ctx, '/.well-known/scim-configuration'),
    scimPath(ctx, `/${'a/'.repeat(500)}`),
    scimPath(ctx, `/${'x'.repeat(10_000)}`),
    scimPath(ctx, '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User/attributes'),
    '/api/scim/v1/Users',
    '/api/scim/V2/Users',
    '/API/SCIM/V2/Users',
    '/api/scim',
    '/api',
    '/api/scim/v2x/Users',
  ]);
  const method = rng.pick(['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
  const body = method === 'GET' || method === 'DELETE' ? undefined : rng.chance(0.5) ? userBody(rng, []) : rawBody(rng);
  return { method, path, ...(body ? { body } : {}), category: 'scim.unknown-path', shape: `path:${method}` };
};

const oddMethod: Gen = (rng, ctx) => {
  const id = rng.pick(allOwnedIds(ctx));
  const path = rng.pick([
    '/Users',
    '/Groups',
    `/Users/${id}`,
    `/Groups/${id}`,
    '/.search',
    '/Users/.search',
    '/ServiceProviderConfig',
    '/Schemas',
    '/ResourceTypes/User',
    '/Bulk',
  ]);
  // Only methods Node's HTTP parser knows: it answers any other (e.g. FOO) with a bare 400 before the local gateway sees it.
  const method = rng.pick([
    'HEAD',
    'OPTIONS',
    'TRACE',
    'PROPFIND',
    'MKCOL',
    'MERGE',
    'LINK',
    'PURGE',
    'SEARCH',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'GET',
  ]);
  const writes = method === 'POST' || method === 'PUT' || method === 'PATCH';
  return {
    method,
    path: scimPath(ctx, path),
    ...(writes || rng.chance(0.2) ? { body: rng.chance(0.5) ? patchBody(rng, 'User', [], []) : rawBody(rng) } : {}),
    category: 'scim.method',
    shape: `method:${method}`,
  };
};

const rawBodies: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const id = rng.pick(ownedIds(ctx, kind, false));
  const [method, path] = rng.pick<[string, string]>([
    ['POST', collection(kind)],
    ['PUT', `${collection(kind)}/${id}`],
    ['PATCH', `${collection(kind)}/${id}`],
    ['POST', '/.search'],
    ['POST', `${collection(kind)}/.search`],
    ['POST', '/Bulk'],
    ['GET', collection(kind)],
    ['DELETE', `${collection(kind)}/${rng.pick(ownedIds(ctx, kind, true))}`],
  ]);
  const body = rawBody(rng);
  return {
    method,
    path: scimPath(ctx, path),
    body,
    contentType: rng.chance(0.85) ? SCIM_JSON : rng.pick(CONTENT_TYPES),
    category: 'scim.raw-body',
    shape: body.shape,
  };
};

const contentTypes: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const id = rng.pick(ownedIds(ctx, kind, false));
  const [method, path, body] = rng.pick<[string, string, Body]>([
    ['POST', collection(kind), kind === 'User' ? userBody(rng, []) : groupBody(rng, [], [])],
    ['PATCH', `${collection(kind)}/${id}`, patchBody(rng, kind, allOwnedIds(ctx), ownedIds(ctx, 'User', false))],
    ['PUT', `${collection(kind)}/${id}`, replaceBody(rng, kind, id, [], [])],
    ['POST', '/.search', searchBody(rng, 'any', [], [])],
  ]);
  const contentType = rng.pick(CONTENT_TYPES);
  return {
    method,
    path: scimPath(ctx, path),
    body,
    contentType,
    ...(rng.chance(0.1) ? { headers: { 'Content-Type': ['application/json', 'text/plain'] } } : {}),
    category: 'scim.content-type',
    shape: `content-type:${contentType ?? 'none'}`,
  };
};

const preconditions: Gen = (rng, ctx) => {
  const kind: Kind = rng.pick(['User', 'Group']);
  const id = rng.pick(ownedIds(ctx, kind, false));
  const method = rng.pick(['GET', 'PUT', 'PATCH', 'GET']);
  const body =
    method === 'PUT'
      ? replaceBody(rng, kind, id, [], ownedIds(ctx, 'User', false))
      : method === 'PATCH'
        ? patchBody(rng, kind, allOwnedIds(ctx), ownedIds(ctx, 'User', false))
        : undefined;
  return {
    method,
    path: scimPath(ctx, `${collection(kind)}/${id}`),
    headers: etagHeaders(rng, ctx, id),
    ...(body ? { body } : {}),
    category: 'scim.preconditions',
    shape: `etag:${method}`,
  };
};

const scimAuth: Gen = (rng, ctx) => {
  const bad = badScimCredential(rng, ctx);
  const id = rng.pick(allOwnedIds(ctx));
  const [method, path] = rng.pick<[string, string]>([
    ['GET', '/Users'],
    ['GET', `/Users/${id}`],
    ['POST', '/Users'],
    ['PATCH', `/Groups/${id}`],
    ['DELETE', `/Users/${uuid(rng)}`],
    ['GET', '/ServiceProviderConfig'],
    ['GET', '/Schemas'],
    ['POST', '/.search'],
    ['POST', '/Bulk'],
    ['GET', '/users'],
    ['GET', '/Nope'],
  ]);
  const body =
    method === 'POST' || method === 'PATCH' ? (method === 'PATCH' ? patchBody(rng, 'Group', [], []) : userBody(rng, [])) : undefined;
  return {
    method,
    path: scimPath(ctx, path),
    auth: bad.header === undefined ? 'none' : { header: bad.header },
    ...(body ? { body } : {}),
    category: 'scim.auth',
    shape: bad.shape,
    ...(bad.strict ? { expectStatus: [401] } : {}),
  };
};

// ---- admin categories -------------------------------------------------------------------------

const adminPath = (ctx: FuzzContext, p: string): string => `${ctx.adminPath}${p}`;

const ADMIN_UNKNOWN_PARAMS = ['page', 'foo', 'Limit', 'limit[]', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(3000)];

function adminBody(rng: Rng, fields: () => Record<string, unknown>): Body {
  return rng.weighted<() => Body>([
    [4, () => ({ text: jsonText(fields()), shape: 'admin-body:fields' })],
    [2, () => rawBody(rng)],
    [1, () => ({ text: jsonText({ ...fields(), extra: hostileString(rng) }), shape: 'admin-body:extra-field' })],
  ])();
}

function safeProvisioningFields(rng: Rng): Record<string, unknown> {
  // Never {"enabled": false}: it would delete every token, the fuzzer's included.
  return { enabled: rng.pick<unknown>([true, 'false', 'true', 0, 1, null, [], {}, 'False', [false], { value: false }]) };
}

const adminOps: Gen = (rng, ctx) => {
  const realTokenId = ctx.credentials.scim.slice(5, 21);
  const ids = allOwnedIds(ctx);
  const tokenId = (): { segment: string; shape: string } =>
    rng.pick([
      hostileId(rng, []),
      { segment: rng.chars(16, BASE62), shape: 'token-id:random' },
      { segment: realTokenId.toLowerCase() === realTokenId ? 'x' : realTokenId.toLowerCase(), shape: 'token-id:case' },
      { segment: `${realTokenId}x`, shape: 'token-id:appended' },
      { segment: realTokenId.slice(0, -1), shape: 'token-id:truncated' },
    ]);
  const pick = rng.weighted<() => Spec>([
    [
      2,
      () => ({
        method: 'GET',
        path: adminPath(ctx, '/provisioning'),
        auth: 'admin',
        query: rng.chance(0.4) ? [[rng.pick(ADMIN_UNKNOWN_PARAMS), 'x']] : [],
        category: 'admin.provisioning',
        shape: 'get',
      }),
    ],
    [
      2,
      () => {
        const body = adminBody(rng, () => safeProvisioningFields(rng));
        return {
          method: 'PUT',
          path: adminPath(ctx, '/provisioning'),
          auth: 'admin',
          body,
          contentType: rng.chance(0.8) ? 'application/json' : rng.pick(CONTENT_TYPES),
          category: 'admin.provisioning',
          shape: body.shape,
        };
      },
    ],
    [
      2,
      () => {
        const body = adminBody(rng, () => ({
          name: rng.pick<unknown>([hostileString(rng), 'Okta', '', null, 1, [], {}, 'x'.repeat(300)]),
        }));
        return {
          method: 'POST',
          path: adminPath(ctx, '/provisioning/tokens'),
          auth: 'admin',
          body,
          contentType: 'application/json',
          category: 'admin.tokens',
          shape: body.shape,
        };
      },
    ],
    [
      1,
      () => ({
        method: 'GET',
        path: adminPath(ctx, '/provisioning/tokens'),
        auth: 'admin',
        query: rng.chance(0.5) ? [[rng.pick(ADMIN_UNKNOWN_PARAMS), 'x']] : [],
        category: 'admin.tokens',
        shape: 'list',
      }),
    ],
    [
      3,
      () => {
        const t = tokenId();
        return {
          method: 'DELETE',
          path: adminPath(ctx, `/provisioning/tokens/${t.segment}`),
          auth: 'admin',
          category: 'admin.tokens',
          shape: t.shape,
        };
      },
    ],
    [
      5,
      () => {
        const pairs: [string, string][] = [];
        const shapes: string[] = [];
        if (rng.chance(0.5)) pairs.push(['limit', hostileIntegerParam(rng)]);
        if (rng.chance(0.4))
          pairs.push([
            'since',
            rng.pick([
              '2026-12-01T00:00:00Z',
              '2026-12-01',
              'yesterday',
              '',
              '0000-00-00',
              '9999-99-99T99:99Z',
              '2020-01-01T00:00:00+99:99',
              '2020-02-30',
              '+275760-09-13T00:00:00Z',
              '1970-01-01T00:00:00.123456789Z',
              'x'.repeat(3000),
            ]),
          ]);
        if (rng.chance(0.6)) {
          const c = hostileCursor(rng, ctx.cursors.audit);
          pairs.push(['cursor', c.cursor]);
          shapes.push(c.shape);
        }
        if (rng.chance(0.15)) pairs.push(['cursor', rng.pick(ctx.cursors.scim.length ? ctx.cursors.scim : ['x'])]);
        if (rng.chance(0.2)) {
          pairs.push([rng.pick(ADMIN_UNKNOWN_PARAMS), hostileString(rng)]);
          shapes.push('query:unknown');
        }
        if (pairs.length && rng.chance(0.1)) pairs.push([rng.pick(pairs)[0], '1']);
        return {
          method: 'GET',
          path: adminPath(ctx, '/audit'),
          auth: 'admin',
          query: pairs,
          category: 'admin.audit',
          shape: shapes.join('+') || 'audit',
        };
      },
    ],
    [
      2,
      () => {
        const seg = rng.chance(0.3)
          ? { segment: rng.pick(ctx.users.deletable.length ? ctx.users.deletable : ids), shape: 'id:owned' }
          : hostileId(rng, ids);
        return {
          method: 'DELETE',
          path: adminPath(ctx, `/users/${seg.segment}/personal-data`),
          auth: 'admin',
          category: 'admin.erase',
          shape: seg.shape,
        };
      },
    ],
    [
      1,
      () => ({
        method: 'GET',
        path: adminPath(ctx, '/openapi.json'),
        auth: rng.pick<Auth>(['none', 'admin', 'scim', { header: 'Bearer x' }]),
        query: rng.chance(0.3) ? [[rng.pick(ADMIN_UNKNOWN_PARAMS), 'x']] : [],
        category: 'admin.openapi',
        shape: 'openapi',
      }),
    ],
    [
      2,
      () => {
        const path = rng.pick([
          '/provisioning',
          '/provisioning/tokens',
          `/provisioning/tokens/${rng.chars(16, BASE62)}`,
          '/audit',
          `/users/${uuid(rng)}/personal-data`,
          '/openapi.json',
        ]);
        const method = rng.pick(['POST', 'PATCH', 'PUT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PROPFIND']);
        return {
          method,
          path: adminPath(ctx, path),
          auth: 'admin',
          ...(rng.chance(0.5) ? { body: rawBody(rng), contentType: 'application/json' } : {}),
          category: 'admin.method',
          shape: `method:${method}`,
        };
      },
    ],
    [
      2,
      () => ({
        method: rng.pick(['GET', 'POST', 'DELETE']),
        path: rng.pick([
          adminPath(ctx, '/foo'),
          adminPath(ctx, '/provisioning/tokens/x/y'),
          adminPath(ctx, `/users/${uuid(rng)}`),
          adminPath(ctx, `/users/${uuid(rng)}/personal-data/x`),
          adminPath(ctx, '/Provisioning'),
          adminPath(ctx, '/AUDIT'),
          adminPath(ctx, '/'),
          ctx.adminPath,
          adminPath(ctx, '/../../scim/v2/Users'),
          adminPath(ctx, `/${'x'.repeat(8000)}`),
          '/api/admin/v2/audit',
          '/',
          '/favicon.ico',
          '/robots.txt',
          `/${'%00'.repeat(10)}`,
        ]),
        auth: 'admin',
        category: 'admin.unknown-path',
        shape: 'path',
      }),
    ],
    [
      3,
      () => {
        const [method, path] = rng.pick<[string, string]>([
          ['GET', '/provisioning'],
          ['GET', '/audit'],
          ['GET', '/provisioning/tokens'],
          ['POST', '/provisioning/tokens'],
          ['DELETE', `/provisioning/tokens/${rng.chars(16, BASE62)}`],
          ['DELETE', `/users/${uuid(rng)}/personal-data`],
          ['GET', '/users'],
          ['GET', '/groups'],
        ]);
        const variant = rng.weighted<() => { auth: Auth; shape: string; expect: number[] }>([
          [2, () => ({ auth: 'none', shape: 'auth:missing', expect: [401] })],
          [2, () => ({ auth: 'scim', shape: 'auth:scim-token', expect: [401] })],
          // Another role reads (the console's read-only view) and is refused every change.
          [2, () => ({ auth: 'viewer', shape: 'auth:viewer-role', expect: method === 'GET' ? [200] : [403] })],
          [
            3,
            () => {
              const f = forgedJwt(rng, ctx.credentials.admin);
              return { auth: { header: f.header }, shape: f.shape, expect: [401] };
            },
          ],
          [
            1,
            () => ({
              auth: { header: rng.pick(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Token ${ctx.credentials.admin}`]) },
              shape: 'auth:malformed',
              expect: [401],
            }),
          ],
        ])();
        return {
          method,
          path: adminPath(ctx, path),
          auth: variant.auth,
          ...(method === 'POST' ? { body: { text: '{"name":"fz"}', shape: 'token' }, contentType: 'application/json' } : {}),
          category: 'admin.auth',
          shape: variant.shape,
          expectStatus: variant.expect,
        };
      },
    ],
  ]);
  return pick();
};

/** How often each category comes up (out of the sum). */
const CATEGORIES: readonly (readonly [number, Gen])[] = [
  [8, readById],
  [7, writeHostileId],
  [14, patchOwned],
  [6, putOwned],
  [1, deleteOwned],
  [3, race],
  [9, create],
  [11, list],
  [8, search],
  [6, cursor],
  [4, discovery],
  [4, bulk],
  [3, unknownPath],
  [3, oddMethod],
  [6, rawBodies],
  [3, contentTypes],
  [3, preconditions],
  [4, scimAuth],
  [9, adminOps],
];

/** Request #index of the run with this seed. */
export function generateRequest(seed: number, index: number, ctx: FuzzContext): FuzzRequest {
  const rng = requestRng(seed, index);
  const gen = rng.weighted(CATEGORIES);
  return build(ctx, index, rng, gen(rng, ctx));
}

/**
 * Requests the fuzzer must never send whatever the generator made: anything that disables
 * provisioning or deletes the fuzzer's own token (every later request would be 401).
 */
export function isSelfDestructive(req: FuzzRequest, ctx: FuzzContext): boolean {
  const path = req.path.split('?')[0] ?? '';
  if (!path.startsWith(ctx.adminPath)) return false;
  if (req.method === 'DELETE' && path.includes(ctx.credentials.scim.slice(5, 21))) return true;
  if (req.method === 'PUT' && /provisioning\/*$/i.test(path) && req.body !== undefined) {
    try {
      const parsed = JSON.parse(req.body.toString()) as { enabled?: unknown };
      return parsed?.enabled === false;
    } catch {
      return false;
    }
  }
  return false;
}
