/**
 * POST /Bulk (RFC 7644 section 3.7) over the local gateway, replaying the RFC's examples: a user
 * and a group referring to it by bulkId (3.7.2), POST, PUT, PATCH and DELETE by id with versions
 * (3.7.3), failOnErrors, a circular reference refused (3.7.1), a bulkId used twice refused, a
 * uniqueness error in the middle (the operations before it applied, the failed one not at all),
 * the limits (3.7.4: 413 over maxOperations and over maxPayloadSize) as /ServiceProviderConfig
 * advertises them, and a bulk create leaving exactly the audit and change items a single POST does.
 * Expected values come from the RFC and the requests sent, read back over HTTP or from the table.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/store/client';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  ERROR_SCHEMA,
  expectScimJson,
  GROUP_SCHEMA,
  PATCH_OP,
  scimJson,
  scimRequest,
  USER_SCHEMA,
  UUID,
  type Json,
  type ListBody,
} from '../support/scim-client';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** A weak ETag, as every version in a result is. */
const ETAG = /^W\/".+"$/;

describe('SCIM Bulk (RFC 7644 section 3.7) over the local gateway', () => {
  let stack: TestStack;
  let token: string;

  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, body === undefined ? {} : { body });
  const bulkRequest = (Operations: unknown[], extra: Json = {}): Json => ({ schemas: [BULK_REQUEST], Operations, ...extra });
  /** POSTs a BulkRequest and returns its results, after checking that the answer is a 200 BulkResponse. */
  const bulk = async (Operations: unknown[], extra: Json = {}): Promise<Json[]> => {
    const body = await expectScimJson(await call('POST', '/Bulk', bulkRequest(Operations, extra)), 200);
    expect(Object.keys(body).sort()).toEqual(['Operations', 'schemas']);
    expect(body.schemas).toEqual([BULK_RESPONSE]);
    return body.Operations as Json[];
  };
  const user = (userName: string, extra: Json = {}): Json => ({ schemas: [USER_SCHEMA], userName, ...extra });
  const postUser = (bulkId: string, userName: string, extra: Json = {}): Json => ({
    method: 'POST',
    path: '/Users',
    bulkId,
    data: user(userName, extra),
  });
  const created = async (path: string, body: Json): Promise<{ id: string; etag: string }> => {
    const res = await call('POST', path, body);
    const json = await expectScimJson(res, 201);
    return { id: String(json.id), etag: String(res.headers.get('etag')) };
  };
  /** The resource at a URL the service gave, and its ETag. */
  const read = async (location: unknown): Promise<{ status: number; body: Json; etag: string | null }> => {
    const path = String(location).slice(stack.scimBaseUrl.length);
    const res = await call('GET', path);
    return { status: res.status, body: res.status === 200 ? await scimJson(res) : {}, etag: res.headers.get('etag') };
  };
  const usersNamed = async (userName: string): Promise<Json[]> => {
    const res = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    return (await expectScimJson<ListBody>(res, 200)).Resources ?? [];
  };
  const groupsNamed = async (displayName: string): Promise<Json[]> => {
    const res = await call('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
    return (await expectScimJson<ListBody>(res, 200)).Resources ?? [];
  };
  const location = (kind: 'Users' | 'Groups'): RegExp =>
    new RegExp(`^${stack.scimBaseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${kind}/[0-9a-f-]{36}$`);
  const idOf = (result: Json | undefined): string => String(result?.location).split('/').pop() ?? '';
  const errorOf = (status: number, detail: RegExp, scimType?: string): Json => ({
    schemas: [ERROR_SCHEMA],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail: expect.stringMatching(detail),
  });

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('creates a user and a group that refers to it by bulkId (section 3.7.2), and answers as section 3.7.3 does', async () => {
    const results = await bulk([
      postUser('qwerty', 'alice.bulk@example.com', { name: { givenName: 'Alice' } }),
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'ytrewq',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] },
      },
    ]);
    expect(results).toEqual([
      {
        method: 'POST',
        bulkId: 'qwerty',
        version: expect.stringMatching(ETAG),
        location: expect.stringMatching(location('Users')),
        status: '201',
      },
      {
        method: 'POST',
        bulkId: 'ytrewq',
        version: expect.stringMatching(ETAG),
        location: expect.stringMatching(location('Groups')),
        status: '201',
      },
    ]);
    const alice = await read(results[0]?.location);
    expect(alice.body).toMatchObject({ id: idOf(results[0]), userName: 'alice.bulk@example.com', name: { givenName: 'Alice' } });
    const group = await read(results[1]?.location);
    expect(group.etag).toBe(results[1]?.version);
    expect(group.body).toMatchObject({ displayName: 'Tour Guides', members: [{ value: idOf(results[0]), type: 'User' }] });
    // The reference is the group's membership, seen from the user too.
    expect(alice.body.groups).toEqual([expect.objectContaining({ value: idOf(results[1]), display: 'Tour Guides', type: 'direct' })]);
  });

  it('runs POST, PUT, PATCH and DELETE by id with versions (section 3.7.3), and a reference in a PATCH of an existing group', async () => {
    const bob = await created('/Users', user('bob.bulk@example.com'));
    const dave = await created('/Users', user('dave.old@example.com', { nickName: 'Davey' }));
    const eve = await created('/Users', user('eve.bulk@example.com'));
    const team = await created('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Bulk Team' });
    const results = await bulk(
      [
        postUser('qwerty', 'carol.bulk@example.com'),
        {
          method: 'PUT',
          path: `/Users/${bob.id}`,
          version: bob.etag,
          data: user('bob.bulk@example.com', { id: bob.id, title: 'Tour guide' }),
        },
        {
          method: 'PATCH',
          path: `/Users/${dave.id}`,
          version: dave.etag,
          data: {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'remove', path: 'nickName' },
              { op: 'replace', path: 'userName', value: 'dave.bulk@example.com' },
            ],
          },
        },
        { method: 'DELETE', path: `/Users/${eve.id}`, version: eve.etag },
        {
          method: 'PATCH',
          path: `/groups/${team.id}`,
          data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:qwerty' }] }] },
        },
      ],
      { failOnErrors: 1 },
    );
    const at = (kind: string, id: string): string => `${stack.scimBaseUrl}/${kind}/${id}`;
    expect(results).toEqual([
      {
        method: 'POST',
        bulkId: 'qwerty',
        version: expect.stringMatching(ETAG),
        location: expect.stringMatching(location('Users')),
        status: '201',
      },
      { method: 'PUT', version: expect.stringMatching(ETAG), location: at('Users', bob.id), status: '200' },
      { method: 'PATCH', version: expect.stringMatching(ETAG), location: at('Users', dave.id), status: '200' },
      { method: 'DELETE', location: at('Users', eve.id), status: '204' },
      { method: 'PATCH', version: expect.stringMatching(ETAG), location: at('Groups', team.id), status: '200' },
    ]);
    const bobNow = await read(results[1]?.location);
    expect(bobNow).toMatchObject({ etag: results[1]?.version, body: { userName: 'bob.bulk@example.com', title: 'Tour guide' } });
    const daveNow = await read(results[2]?.location);
    expect(daveNow.etag).toBe(results[2]?.version);
    expect(daveNow.body.userName).toBe('dave.bulk@example.com');
    expect(daveNow.body).not.toHaveProperty('nickName');
    expect((await read(results[3]?.location)).status).toBe(404);
    const teamNow = await read(results[4]?.location);
    expect(teamNow.etag).toBe(results[4]?.version);
    expect(teamNow.body.members).toEqual([expect.objectContaining({ value: idOf(results[0]) })]);
  });

  it('answers a stale version with 412 for that operation and leaves the resource as it was', async () => {
    const frank = await created('/Users', user('frank.bulk@example.com', { title: 'Before' }));
    const before = await read(`${stack.scimBaseUrl}/Users/${frank.id}`);
    const results = await bulk([
      {
        method: 'PATCH',
        path: `/Users/${frank.id}`,
        version: 'W/"not-the-version"',
        data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'After' }] },
      },
    ]);
    expect(results).toEqual([
      {
        method: 'PATCH',
        location: `${stack.scimBaseUrl}/Users/${frank.id}`,
        status: '412',
        response: errorOf(412, /If-Match/),
      },
    ]);
    expect(await read(`${stack.scimBaseUrl}/Users/${frank.id}`)).toEqual(before);
  });

  it('failOnErrors 1 stops at the first error: the rest is not run and not listed', async () => {
    const results = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER_SCHEMA], name: { givenName: 'No userName' } } },
        postUser('never1', 'never1.bulk@example.com'),
        postUser('never2', 'never2.bulk@example.com'),
      ],
      { failOnErrors: 1 },
    );
    expect(results).toEqual([{ method: 'POST', bulkId: 'bad', status: '400', response: errorOf(400, /userName/, 'invalidValue') }]);
    expect(await usersNamed('never1.bulk@example.com')).toEqual([]);
    expect(await usersNamed('never2.bulk@example.com')).toEqual([]);
  });

  it('failOnErrors 2 runs on after one error and stops at the second', async () => {
    const results = await bulk(
      [
        { method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
        postUser('ok1', 'ok1.bulk@example.com'),
        {
          method: 'PATCH',
          path: '/Groups/00000000-0000-4000-8000-000000000000',
          data: { Operations: [{ op: 'remove', path: 'members' }] },
        },
        postUser('ok2', 'ok2.bulk@example.com'),
      ],
      { failOnErrors: 2 },
    );
    expect(results.map((r) => [r.method, r.status])).toEqual([
      ['DELETE', '404'],
      ['POST', '201'],
      ['PATCH', '404'],
    ]);
    expect(results[0]?.response).toEqual(errorOf(404, /not found/));
    expect(await usersNamed('ok1.bulk@example.com')).toHaveLength(1);
    expect(await usersNamed('ok2.bulk@example.com')).toEqual([]);
  });

  it("refuses section 3.7.1's circular reference (two groups, each a member of the other) with 409 each, and creates neither", async () => {
    const results = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'qwerty',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Group A', members: [{ type: 'Group', value: 'bulkId:ytrewq' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'ytrewq',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Group B', members: [{ type: 'Group', value: 'bulkId:qwerty' }] },
      },
    ]);
    expect(results).toEqual([
      {
        method: 'POST',
        bulkId: 'qwerty',
        status: '409',
        response: errorOf(409, /circular reference \("bulkId:qwerty" → "bulkId:ytrewq" → "bulkId:qwerty"\)/),
      },
      {
        method: 'POST',
        bulkId: 'ytrewq',
        status: '409',
        response: errorOf(409, /circular reference \("bulkId:ytrewq" → "bulkId:qwerty" → "bulkId:ytrewq"\)/),
      },
    ]);
    expect(await groupsNamed('Group A')).toEqual([]);
    expect(await groupsNamed('Group B')).toEqual([]);
  });

  it('refuses a reference to a bulkId a later operation creates (409), and still runs that operation', async () => {
    const results = await bulk([
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'early',
        data: user('early.bulk@example.com', { [ENTERPRISE]: { manager: { value: 'bulkId:late' } } }),
      },
      postUser('late', 'late.bulk@example.com'),
    ]);
    expect(results[0]).toEqual({
      method: 'POST',
      bulkId: 'early',
      status: '409',
      response: errorOf(409, /later operation \(Operations\[1\]\)/),
    });
    expect(results[1]).toMatchObject({ bulkId: 'late', status: '201' });
    expect(await usersNamed('early.bulk@example.com')).toEqual([]);
  });

  it('refuses a request with a bulkId used twice (400 invalidValue) and runs none of it', async () => {
    const res = await call(
      'POST',
      '/Bulk',
      bulkRequest([postUser('twice', 'first.twice@example.com'), postUser('twice', 'second.twice@example.com')]),
    );
    expect(await expectScimJson(res, 400)).toEqual(
      errorOf(400, /Operations\[1\]\.bulkId "twice" is Operations\[0\]'s too/, 'invalidValue'),
    );
    expect(await usersNamed('first.twice@example.com')).toEqual([]);
    expect(await usersNamed('second.twice@example.com')).toEqual([]);
  });

  it('a uniqueness error in the middle: the operations before and after it are applied, the failed ones not at all', async () => {
    const taken = await created('/Users', user('taken.bulk@example.com', { title: 'Original' }));
    const takenBefore = await read(`${stack.scimBaseUrl}/Users/${taken.id}`);
    const other = await created('/Users', user('other.bulk@example.com', { title: 'Other' }));
    const otherBefore = await read(`${stack.scimBaseUrl}/Users/${other.id}`);
    const results = await bulk([
      postUser('u1', 'u1.bulk@example.com'),
      postUser('u2', 'TAKEN.bulk@example.com', { title: 'Impostor' }),
      { method: 'PUT', path: `/Users/${other.id}`, data: user('taken.bulk@example.com', { title: 'Renamed' }) },
      postUser('u3', 'u3.bulk@example.com'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['201', '409', '409', '201']);
    expect(results[1]).toEqual({ method: 'POST', bulkId: 'u2', status: '409', response: errorOf(409, /userName/, 'uniqueness') });
    expect(results[2]).toEqual({
      method: 'PUT',
      location: `${stack.scimBaseUrl}/Users/${other.id}`,
      status: '409',
      response: errorOf(409, /userName/, 'uniqueness'),
    });
    expect((await read(results[0]?.location)).body.userName).toBe('u1.bulk@example.com');
    expect((await read(results[3]?.location)).body.userName).toBe('u3.bulk@example.com');
    expect((await usersNamed('taken.bulk@example.com')).map((u) => u.id)).toEqual([taken.id]);
    expect(await read(`${stack.scimBaseUrl}/Users/${taken.id}`)).toEqual(takenBefore);
    expect(await read(`${stack.scimBaseUrl}/Users/${other.id}`)).toEqual(otherBefore);
  });

  it('a bulk create leaves exactly the audit event, items and change note a single POST does', async () => {
    const single = await created(
      '/Users',
      user('single.audit@example.com', { emails: [{ value: 'single.audit@example.com', primary: true }] }),
    );
    const [result] = await bulk([
      postUser('b', 'bulk.audit@example.com', { emails: [{ value: 'bulk.audit@example.com', primary: true }] }),
    ]);
    const viaBulk = idOf(result);
    expect(viaBulk).toMatch(UUID);
    const db = createDocumentClient();
    const items: Json[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Json[]));
      start = page.LastEvaluatedKey;
    } while (start);
    db.destroy();
    /** A user's audit events (what, by whom, how it ended) and its own items (kinds and attribute names), with its id and times taken out. */
    const trace = (id: string): Json => {
      const audited = items.map((i) => i.event as Json | undefined).filter((e): e is Json => (e?.target as Json | undefined)?.id === id);
      const own = items.filter((i) => !i.event && Object.values(i).some((v) => typeof v === 'string' && v.includes(id)));
      const change = own.find((i) => i.change)?.change as Json | undefined;
      return {
        events: audited.map((e) => ({
          action: e.action,
          outcome: e.outcome,
          actor: { ...(e.actor as Json), sourceIp: 'x' },
          target: { ...(e.target as Json), id: 'id' },
        })),
        items: own.map((i) => Object.keys(i).sort().join(',')).sort(),
        change: { ...change, txn: audited.some((e) => e.id === change?.txn) ? 'its audit event' : 'another' },
      };
    };
    const expected = trace(single.id);
    expect(expected.events).toEqual([
      {
        action: 'user.create',
        outcome: 'success',
        actor: expect.objectContaining({ type: 'scimToken' }),
        target: { type: 'User', id: 'id' },
      },
    ]);
    // The user, its email address entry and its name guard.
    expect(expected.items).toHaveLength(3);
    expect(expected.change).toEqual({ op: 'create', actor: expect.objectContaining({ type: 'scimToken' }), txn: 'its audit event' });
    expect(trace(viaBulk)).toEqual(expected);
  });

  it("shares the request's work budget among its operations: once it runs out, 503 for the rest, none half-applied", async () => {
    // Each PATCH sets a nickName and then compares 299 filters with 200 phone numbers each (about
    // 60,000 work units): eight of them need more than one request may spend.
    const phoneNumbers = Array.from({ length: 200 }, (_, i) => ({ value: `+1-555-${String(i).padStart(4, '0')}`, type: 'other' }));
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await created('/Users', user(`budget${i}.bulk@example.com`, { phoneNumbers }))).id);
    const before = await Promise.all(ids.map((id) => read(`${stack.scimBaseUrl}/Users/${id}`)));
    const patch = (n: number): Json => ({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'nickName', value: `Budget ${n}` },
        ...Array.from({ length: 299 }, () => ({ op: 'remove', path: 'phoneNumbers[value eq "+1-555-none"]' })),
      ],
    });
    const results = await bulk(ids.map((id, n) => ({ method: 'PATCH', path: `/Users/${id}`, data: patch(n) })));
    const statuses = results.map((r) => r.status).join(',');
    expect(statuses).toMatch(/^(200,)+503(,503)*$/);
    const stopped = results.findIndex((r) => r.status === '503');
    expect(results[stopped]?.response).toEqual(
      errorOf(503, /^Stopped: the bulk request used up its work budget during this operation, before it wrote anything/),
    );
    for (const r of results.slice(stopped + 1)) {
      expect(r.response).toEqual(
        errorOf(503, /^Not run: the bulk request used up its work budget before this operation; nothing of it was written/),
      );
    }
    for (const [n, id] of ids.entries()) {
      const now = await read(`${stack.scimBaseUrl}/Users/${id}`);
      if (n < stopped) expect(now.body.nickName).toBe(`Budget ${n}`);
      else expect(now).toEqual(before[n]);
    }
  });

  describe('the limits (section 3.7.4), as /ServiceProviderConfig advertises them', () => {
    let maxOperations: number;
    let maxPayloadSize: number;

    beforeAll(async () => {
      const spc = await expectScimJson(await call('GET', '/ServiceProviderConfig'), 200);
      const advertised = spc.bulk as Json;
      expect(advertised).toEqual({ supported: true, maxOperations: expect.any(Number), maxPayloadSize: expect.any(Number) });
      maxOperations = Number(advertised.maxOperations);
      maxPayloadSize = Number(advertised.maxPayloadSize);
      expect(maxOperations).toBeGreaterThanOrEqual(1);
      expect(maxPayloadSize).toBeGreaterThan(1000);
    });

    const creates = (count: number, prefix: string): Json[] =>
      Array.from({ length: count }, (_, i) => postUser(`${prefix}${i}`, `${prefix}${i}@limits.example.com`));

    it('runs maxOperations operations, and refuses one more with 413 naming maxOperations, running none', async () => {
      const results = await bulk(creates(maxOperations, 'max'));
      expect(results).toHaveLength(maxOperations);
      expect(results.every((r) => r.status === '201')).toBe(true);
      const res = await call('POST', '/Bulk', bulkRequest(creates(maxOperations + 1, 'over')));
      expect(await expectScimJson(res, 413)).toEqual({
        schemas: [ERROR_SCHEMA],
        status: '413',
        detail: expect.stringContaining(`maxOperations (${maxOperations})`),
      });
      expect(await usersNamed('over0@limits.example.com')).toEqual([]);
    });

    it('takes a body of maxPayloadSize bytes, and refuses one byte more with 413 naming maxPayloadSize', async () => {
      const json = JSON.stringify(bulkRequest([postUser('size', 'size@limits.example.com')]));
      // JSON allows whitespace after the value: the same request, padded to the size.
      const padded = (bytes: number): string => json + ' '.repeat(bytes - Buffer.byteLength(json));
      const over = await call('POST', '/Bulk', padded(maxPayloadSize + 1));
      expect(await expectScimJson(over, 413)).toEqual({
        schemas: [ERROR_SCHEMA],
        status: '413',
        detail: expect.stringContaining(`maxPayloadSize (${maxPayloadSize})`),
      });
      expect(await usersNamed('size@limits.example.com')).toEqual([]);
      const fits = await call('POST', '/Bulk', padded(maxPayloadSize));
      expect(((await expectScimJson(fits, 200)).Operations as Json[]).map((r) => r.status)).toEqual(['201']);
    });
  });
});
