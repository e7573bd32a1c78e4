/**
 * The SCIM Users API's HTTP contract over the local gateway: media types, body limits, ETags and
 * conditional requests (RFC 7644 sections 3.1, 3.12, 3.14), attribute projection (3.4.2.5, 3.9),
 * filtering, sorting and paging (3.4.2), POST .search (3.4.3), cursors (RFC 9865), and discovery
 * (/ServiceProviderConfig, /Schemas, /ResourceTypes; RFC 7643 sections 5 to 7).
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  ENTERPRISE,
  ERROR_SCHEMA,
  expectScimJson,
  LIST_SCHEMA,
  PATCH_OP,
  SCIM_JSON,
  scimJson,
  scimRequest,
  USER_SCHEMA,
  type Json,
  type ListBody,
  type ScimRequestOptions,
} from '../support/scim-client';

const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const MAX_BODY_BYTES = 1024 * 1024;

interface Sent {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorBody = (status: number, scimType?: string): Json => ({
  schemas: [ERROR_SCHEMA],
  status: String(status),
  ...(scimType ? { scimType } : {}),
  detail: expect.any(String),
});

describe('SCIM Users API: the HTTP contract', () => {
  let stack: TestStack;
  let token: string;
  /** Every response this file received, to check its Content-Type at the end. */
  const sent: Sent[] = [];
  /** The users that exist now, by id → userName. */
  const live = new Map<string, string>();
  /** The fixed data set, by short name → id. */
  const ids: Record<string, string> = {};

  const call = async (method: string, path: string, options: ScimRequestOptions = {}): Promise<Response> => {
    const res = await scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, options);
    sent.push({ method, path: path.slice(0, 120), status: res.status, contentType: res.headers.get('content-type') });
    return res;
  };
  const list = async (query: string): Promise<ListBody> => expectScimJson<ListBody>(await call('GET', `/Users?${query}`), 200);
  const filterQuery = (filter: string, extra = ''): string => `filter=${encodeURIComponent(filter)}&count=1000${extra}`;
  const userNamesOf = (body: ListBody): string[] => (body.Resources ?? []).map((r) => String(r.userName)).sort();
  const matching = async (filter: string): Promise<string[]> => userNamesOf(await list(filterQuery(filter)));
  const create = async (user: Json, contentType?: string): Promise<Json> => {
    const res = await call('POST', '/Users', { body: { schemas: [USER_SCHEMA], ...user }, ...(contentType ? { contentType } : {}) });
    const body = await expectScimJson(res, 201);
    live.set(String(body.id), String(body.userName));
    return body;
  };
  const get = async (id: string, query = ''): Promise<{ res: Response; body: Json }> => {
    const res = await call('GET', `/Users/${id}${query}`);
    return { res, body: await expectScimJson(res, 200) };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
    // The fixed data set the filter, sort and projection tests read.
    const fixed: Record<string, Json> = {
      alice: {
        userName: 'alice@example.com',
        displayName: 'Alice Anders',
        name: { givenName: 'Alice', familyName: 'Anders' },
        emails: [{ type: 'work', value: 'alice@example.com', primary: true }],
        title: 'Engineer',
        [ENTERPRISE]: { department: 'Sales', employeeNumber: '1001' },
      },
      anna: { userName: 'anna@example.com', displayName: 'Anna Berg', [ENTERPRISE]: { department: 'Engineering' } },
      bob: {
        userName: 'bob@example.org',
        displayName: 'Bob Brown',
        emails: [
          { type: 'work', value: 'bob@example.org', primary: true },
          { type: 'home', value: 'bob@example.com' },
        ],
        [ENTERPRISE]: { department: 'Engineering' },
      },
      carol: {
        userName: 'carol@example.com',
        nickName: 'Caz',
        emails: [{ type: 'home', value: 'carol@example.com' }],
        [ENTERPRISE]: { department: 'Sales' },
      },
      dave: { userName: 'dave@test.net', active: false },
    };
    for (const [key, user] of Object.entries(fixed)) ids[key] = String((await create(user)).id);
  });
  afterAll(async () => {
    await stack.stop();
  });

  describe('media types and bodies', () => {
    it('answers every kind of response with Content-Type application/scim+json', async () => {
      const cases: [string, string, { body?: unknown; contentType?: string }, number][] = [
        ['GET', `/Users/${ids.alice}`, {}, 200],
        ['GET', '/Users', {}, 200],
        ['GET', '/Users/no-such-id', {}, 404],
        ['GET', `/Users?filter=${encodeURIComponent('userName eq')}`, {}, 400],
        ['PATCH', '/Users', { body: {} }, 405],
        ['POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'alice@example.com' } }, 409],
        ['POST', '/Users', { body: 'userName=x', contentType: 'text/plain' }, 415],
        ['POST', '/Users', { body: '{"userName":', contentType: SCIM_JSON }, 400],
        ['GET', '/ServiceProviderConfig', {}, 200],
        ['GET', '/Schemas', {}, 200],
        ['GET', '/ResourceTypes', {}, 200],
      ];
      for (const [method, path, options, status] of cases) {
        const res = await call(method, path, options);
        expect({ method, path, status: res.status, contentType: res.headers.get('content-type') }).toEqual({
          method,
          path,
          status,
          contentType: SCIM_JSON,
        });
        await res.arrayBuffer();
      }
      const unauthenticated = await fetch(`${stack.scimBaseUrl}/Users`);
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('content-type')).toBe(SCIM_JSON);
      expect(await unauthenticated.json()).toEqual(errorBody(401));
    });

    it('accepts application/json request bodies, and media type parameters', async () => {
      const user = await create({ userName: 'zz-json@other.test' }, 'application/json');
      expect(user).toMatchObject({ userName: 'zz-json@other.test' });
      const id = String(user.id);
      let res = await call('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'J' }] },
        contentType: 'application/json',
      });
      expect(res.status).toBe(200);
      expect(await scimJson(res)).toMatchObject({ nickName: 'J' });
      res = await call('PUT', `/Users/${id}`, {
        body: { schemas: [USER_SCHEMA], userName: 'zz-json@other.test', displayName: 'J' },
        contentType: 'application/scim+json; charset=utf-8',
      });
      expect(res.status).toBe(200);
      expect(await scimJson(res)).toMatchObject({ displayName: 'J' });
    });

    it('refuses a text/plain body with a SCIM 415', async () => {
      const res = await call('POST', '/Users', {
        body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'zz-plain@other.test' }),
        contentType: 'text/plain',
      });
      expect(res.status).toBe(415);
      expect(await scimJson(res)).toEqual(errorBody(415));
      expect(await matching('userName eq "zz-plain@other.test"')).toEqual([]);
    });

    it('refuses a body over 1 MB (valid JSON of 1048577 bytes) with a SCIM 413', async () => {
      const prefix = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'zz-big@other.test', displayName: '' }).slice(0, -2);
      const body = `${prefix}${'x'.repeat(MAX_BODY_BYTES + 1 - prefix.length - 2)}"}`;
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES + 1);
      expect(() => JSON.parse(body) as unknown).not.toThrow();
      const res = await call('POST', '/Users', { body });
      expect(res.status).toBe(413);
      expect(await scimJson(res)).toEqual(errorBody(413));
    });

    it('refuses invalid JSON with 400 invalidSyntax', async () => {
      const res = await call('POST', '/Users', { body: '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":' });
      expect(res.status).toBe(400);
      expect(await scimJson(res)).toEqual(errorBody(400, 'invalidSyntax'));
      const patch = await call('PATCH', `/Users/${ids.alice}`, { body: '{"Operations":[' });
      expect(patch.status).toBe(400);
      expect(await scimJson(patch)).toEqual(errorBody(400, 'invalidSyntax'));
    });
  });

  describe('ETags and conditional requests', () => {
    let id: string;
    let etag: string;

    it('sends an ETag equal to meta.version on POST and GET', async () => {
      const res = await call('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'zz-etag@other.test', displayName: 'E' } });
      expect(res.status).toBe(201);
      const user = await scimJson(res);
      id = String(user.id);
      live.set(id, String(user.userName));
      etag = String((user.meta as Json).version);
      expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
      expect(res.headers.get('etag')).toBe(etag);
      const { res: read, body } = await get(id);
      expect(read.headers.get('etag')).toBe((body.meta as Json).version);
      expect(read.headers.get('etag')).toBe(etag);
    });

    it('answers GET with If-None-Match of the current ETag with 304 and no body', async () => {
      const res = await call('GET', `/Users/${id}`, { headers: { 'If-None-Match': etag } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
      const other = await call('GET', `/Users/${id}`, { headers: { 'If-None-Match': 'W/"not-the-version"' } });
      expect(other.status).toBe(200);
      expect(await scimJson(other)).toMatchObject({ id });
    });

    it('refuses PUT, PATCH and DELETE with a stale If-Match with 412, changing nothing', async () => {
      const stale = 'W/"stale-version"';
      const put = await call('PUT', `/Users/${id}`, {
        body: { schemas: [USER_SCHEMA], userName: 'zz-etag@other.test', displayName: 'PUT' },
        headers: { 'If-Match': stale },
      });
      expect(put.status).toBe(412);
      expect(await scimJson(put)).toEqual(errorBody(412));
      const patch = await call('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'PATCH' }] },
        headers: { 'If-Match': stale },
      });
      expect(patch.status).toBe(412);
      expect(await scimJson(patch)).toEqual(errorBody(412));
      const del = await call('DELETE', `/Users/${id}`, { headers: { 'If-Match': stale } });
      expect(del.status).toBe(412);
      expect(await scimJson(del)).toEqual(errorBody(412));
      const { res, body } = await get(id);
      expect(res.headers.get('etag')).toBe(etag);
      expect(body.displayName).toBe('E');
    });

    it('applies PUT, PATCH and DELETE with the current If-Match', async () => {
      const put = await call('PUT', `/Users/${id}`, {
        body: { schemas: [USER_SCHEMA], userName: 'zz-etag@other.test', displayName: 'PUT' },
        headers: { 'If-Match': etag },
      });
      expect(put.status).toBe(200);
      const afterPut = await scimJson(put);
      expect(afterPut.displayName).toBe('PUT');
      const putTag = String((afterPut.meta as Json).version);
      expect(put.headers.get('etag')).toBe(putTag);
      expect(putTag).not.toBe(etag);
      // The old ETag is stale now.
      const stale = await call('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'PATCH' }] },
        headers: { 'If-Match': etag },
      });
      expect(stale.status).toBe(412);

      const patch = await call('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'PATCH' }] },
        headers: { 'If-Match': putTag },
      });
      expect(patch.status).toBe(200);
      const afterPatch = await scimJson(patch);
      expect(afterPatch.displayName).toBe('PATCH');
      const patchTag = String((afterPatch.meta as Json).version);
      expect(patch.headers.get('etag')).toBe(patchTag);
      expect(patchTag).not.toBe(putTag);

      const del = await call('DELETE', `/Users/${id}`, { headers: { 'If-Match': patchTag } });
      expect(del.status).toBe(204);
      live.delete(id);
      expect((await call('GET', `/Users/${id}`)).status).toBe(404);
    });
  });

  describe('attribute projection', () => {
    it('returns only id, schemas and the requested attribute for attributes=userName', async () => {
      const { body } = await get(ids.alice ?? '', '?attributes=userName');
      expect(body).toEqual({ schemas: [USER_SCHEMA], id: ids.alice, userName: 'alice@example.com' });
      const listed = await list(`${filterQuery('userName eq "alice@example.com"')}&attributes=userName`);
      expect(listed.Resources).toEqual([{ schemas: [USER_SCHEMA], id: ids.alice, userName: 'alice@example.com' }]);
    });

    it('leaves out the excluded attribute for excludedAttributes=emails', async () => {
      const { body: full } = await get(ids.alice ?? '');
      expect(full.emails).toBeDefined();
      const { emails: _emails, ...rest } = full;
      const { body } = await get(ids.alice ?? '', '?excludedAttributes=emails');
      expect(body).toEqual(rest);
    });

    it('takes a POST /Users/.search SearchRequest: filter, attributes, startIndex, count', async () => {
      const res = await call('POST', '/Users/.search', {
        body: { schemas: [SEARCH_SCHEMA], filter: 'userName sw "a"', attributes: ['userName'], startIndex: 1, count: 10 },
      });
      expect(res.status).toBe(200);
      const body = await scimJson<ListBody>(res);
      expect(body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
      expect([...(body.Resources ?? [])].sort((a, b) => String(a.userName).localeCompare(String(b.userName)))).toEqual([
        { schemas: [USER_SCHEMA], id: ids.alice, userName: 'alice@example.com' },
        { schemas: [USER_SCHEMA], id: ids.anna, userName: 'anna@example.com' },
      ]);
    });
  });

  describe('filters', () => {
    it('supports co, sw, ew and pr', async () => {
      expect(await matching('userName co "example"')).toEqual([
        'alice@example.com',
        'anna@example.com',
        'bob@example.org',
        'carol@example.com',
      ]);
      expect(await matching('userName sw "B"')).toEqual(['bob@example.org']);
      expect(await matching('userName ew ".net"')).toEqual(['dave@test.net']);
      expect(await matching('nickName pr')).toEqual(['carol@example.com']);
      expect(await matching('active eq false')).toEqual(['dave@test.net']);
    });

    it('compares meta.created and meta.lastModified chronologically (gt)', async () => {
      expect((await list(filterQuery('meta.created gt "2000-01-01T00:00:00Z"'))).totalResults).toBe(live.size);
      expect(await matching(`meta.created gt "${new Date(Date.now() + 3_600_000).toISOString()}"`)).toEqual([]);

      await sleep(5);
      const before = new Date().toISOString();
      await sleep(5);
      const late = await create({ userName: 'zz-late@other.test' });
      expect(await matching(`meta.created gt "${before}"`)).toEqual(['zz-late@other.test']);

      await sleep(5);
      const beforeChange = new Date().toISOString();
      await sleep(5);
      const res = await call('PATCH', `/Users/${ids.bob}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Manager' }] },
      });
      expect(res.status).toBe(200);
      expect(await matching(`meta.lastModified gt "${beforeChange}"`)).toEqual(['bob@example.org']);
      expect(await matching(`meta.created gt "${beforeChange}"`)).toEqual([]);
      expect(await matching(`meta.lastModified gt "${before}"`)).toEqual(['bob@example.org', String(late.userName)]);
    });

    it('combines and, or and not with parentheses', async () => {
      expect(await matching(`(userName sw "a" or userName sw "b") and not (${ENTERPRISE}:department eq "Sales")`)).toEqual([
        'anna@example.com',
        'bob@example.org',
      ]);
      expect(await matching('userName sw "c" or (userName sw "d" and active eq false)')).toEqual(['carol@example.com', 'dave@test.net']);
      expect(await matching('not (userName co "example") and userName ew ".net"')).toEqual(['dave@test.net']);
    });

    it('matches a value filter on one element of a multi-valued attribute', async () => {
      // bob has a work address at example.org and a home one at example.com: no single element matches.
      expect(await matching('emails[type eq "work" and value co "@example.com"]')).toEqual(['alice@example.com']);
      expect(await matching('emails[type eq "home"]')).toEqual(['bob@example.org', 'carol@example.com']);
    });

    it('filters on a URN-qualified extension attribute', async () => {
      expect(await matching(`${ENTERPRISE}:department eq "Sales"`)).toEqual(['alice@example.com', 'carol@example.com']);
      expect(await matching(`${ENTERPRISE}:department eq "Engineering"`)).toEqual(['anna@example.com', 'bob@example.org']);
    });

    it.each(['userName eq', '((', 'userName xx "a"', 'userName eq "a" and', 'emails[type eq "work"'])(
      'refuses the bad filter %j with 400 invalidFilter',
      async (filter) => {
        const res = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
        expect(res.status).toBe(400);
        expect(await scimJson(res)).toEqual(errorBody(400, 'invalidFilter'));
      },
    );
  });

  describe('sorting and index paging', () => {
    it('sorts by userName descending', async () => {
      const body = await list('sortBy=userName&sortOrder=descending&count=1000');
      expect((body.Resources ?? []).map((r) => r.userName)).toEqual([...live.values()].sort().reverse());
      const ascending = await list('sortBy=userName&sortOrder=ascending&count=1000');
      expect((ascending.Resources ?? []).map((r) => r.userName)).toEqual([...live.values()].sort());
    });

    it('answers count=0 with the total only', async () => {
      const body = await list('count=0');
      expect(body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: live.size, itemsPerPage: 0 });
      expect(body.Resources ?? []).toEqual([]);
      // RFC 7644 section 3.4.2.4: a negative count is read as 0.
      const negative = await list('count=-3');
      expect(negative).toMatchObject({ totalResults: live.size, itemsPerPage: 0 });
      expect(negative.Resources ?? []).toEqual([]);
      const filtered = await list(`filter=${encodeURIComponent('userName co "example"')}&count=0`);
      expect(filtered).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
      expect(filtered.Resources ?? []).toEqual([]);
    });

    it('treats startIndex 0 and negative values as 1', async () => {
      const first = await list('startIndex=1&count=3');
      expect(first).toMatchObject({ startIndex: 1, itemsPerPage: 3, totalResults: live.size });
      for (const startIndex of ['0', '-5']) {
        const body = await list(`startIndex=${startIndex}&count=3`);
        expect(body).toEqual(first);
      }
    });
  });

  describe('cursor paging (RFC 9865)', () => {
    const follow = async (query: string): Promise<{ ids: unknown[]; pages: ListBody[] }> => {
      const pages: ListBody[] = [];
      const seen: unknown[] = [];
      let cursor = '';
      for (let i = 0; i < 50; i++) {
        const page = await list(`${query ? `${query}&` : ''}cursor=${encodeURIComponent(cursor)}&count=2`);
        pages.push(page);
        expect(page.itemsPerPage).toBeLessThanOrEqual(2);
        expect(page.itemsPerPage).toBe((page.Resources ?? []).length);
        seen.push(...(page.Resources ?? []).map((r) => r.id));
        if (page.nextCursor === undefined) return { ids: seen, pages };
        expect(page.nextCursor).toMatch(/^[A-Za-z0-9._~-]+$/); // unreserved characters only
        cursor = page.nextCursor;
      }
      throw new Error('nextCursor never ended');
    };

    it('pages through every user once with cursor= and nextCursor', async () => {
      const { ids: seen, pages } = await follow('');
      expect(pages.length).toBeGreaterThan(1);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...live.keys()].sort());
      for (const page of pages) expect(page.totalResults).toBe(live.size);
    });

    it('pages through a filtered list with cursors', async () => {
      const { ids: seen } = await follow(`filter=${encodeURIComponent('userName co "example"')}`);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([ids.alice, ids.anna, ids.bob, ids.carol].sort());
    });

    it("gives each cursor page a startIndex that is its first result's index, or none", async () => {
      for (const query of ['', `filter=${encodeURIComponent('userName co "example"')}`]) {
        const { pages } = await follow(query);
        let position = 1;
        for (const page of pages) {
          if (page.startIndex !== undefined && (page.Resources ?? []).length > 0)
            expect({ query, startIndex: page.startIndex }).toEqual({ query, startIndex: position });
          position += (page.Resources ?? []).length;
        }
      }
    });

    it('refuses a garbage cursor, or one from another list, with 400 invalidCursor', async () => {
      const res = await call('GET', '/Users?cursor=garbage-cursor&count=2');
      expect(res.status).toBe(400);
      expect(await scimJson(res)).toEqual(errorBody(400, 'invalidCursor'));
      const first = await list('cursor=&count=2');
      expect(first.nextCursor).toEqual(expect.any(String));
      const other = await call(
        'GET',
        `/Users?filter=${encodeURIComponent('userName co "example"')}&cursor=${encodeURIComponent(first.nextCursor ?? '')}&count=2`,
      );
      expect(other.status).toBe(400);
      expect(await scimJson(other)).toEqual(errorBody(400, 'invalidCursor'));
    });
  });

  describe('password', () => {
    it('never returns a password: not after POST, GET, a list, a PUT, or when asked for', async () => {
      const created = await create({ userName: 'zz-password@other.test', password: 'Secret-1' });
      const id = String(created.id);
      expect(created).not.toHaveProperty('password');
      expect((await get(id)).body).not.toHaveProperty('password');
      expect((await get(id, '?attributes=password,userName')).body).toEqual({
        schemas: [USER_SCHEMA],
        id,
        userName: 'zz-password@other.test',
      });
      const listed = await list(filterQuery('userName eq "zz-password@other.test"'));
      expect(listed.Resources).toHaveLength(1);
      expect(listed.Resources?.[0]).not.toHaveProperty('password');
      const put = await call('PUT', `/Users/${id}`, {
        body: { schemas: [USER_SCHEMA], userName: 'zz-password@other.test', password: 'Secret-2' },
      });
      expect(put.status).toBe(200);
      expect(await scimJson(put)).not.toHaveProperty('password');
      const patch = await call('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'Secret-3' }] },
      });
      expect(patch.status).toBe(200);
      expect(await scimJson(patch)).not.toHaveProperty('password');
      expect(await list(filterQuery('password pr'))).toMatchObject({ totalResults: 0 });
    });
  });

  describe('routing', () => {
    it('answers PATCH and DELETE on the /Users collection with 405 and an Allow header', async () => {
      for (const method of ['PATCH', 'DELETE', 'PUT']) {
        const res = await call(method, '/Users', method === 'DELETE' ? {} : { body: { schemas: [PATCH_OP], Operations: [] } });
        expect(res.status).toBe(405);
        expect((res.headers.get('allow') ?? '').split(/\s*,\s*/).sort()).toEqual(['GET', 'POST']);
        expect(await scimJson(res)).toEqual(errorBody(405));
      }
    });

    it('serves a lowercase /users like /Users', async () => {
      const created = await call('POST', '/users', { body: { schemas: [USER_SCHEMA], userName: 'zz-lower@other.test' } });
      expect(created.status).toBe(201);
      const user = await scimJson(created);
      live.set(String(user.id), String(user.userName));
      expect(created.headers.get('location')).toBe(`${stack.scimBaseUrl}/Users/${String(user.id)}`);
      const read = await call('GET', `/users/${String(user.id)}`);
      expect(read.status).toBe(200);
      expect(await scimJson(read)).toEqual(user);
      const listed = await call('GET', `/users?filter=${encodeURIComponent('userName eq "zz-lower@other.test"')}`);
      expect(listed.status).toBe(200);
      expect(await scimJson(listed)).toMatchObject({ totalResults: 1, Resources: [user] });
    });
  });

  describe('discovery', () => {
    it('GET /ServiceProviderConfig tells what is supported', async () => {
      const res = await call('GET', '/ServiceProviderConfig');
      expect(res.status).toBe(200);
      const body = await scimJson(res);
      expect(body).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: true, maxOperations: expect.any(Number), maxPayloadSize: expect.any(Number) },
        filter: { supported: true, maxResults: expect.any(Number) },
        changePassword: { supported: expect.any(Boolean) },
        sort: { supported: true },
        etag: { supported: true },
        pagination: { cursor: true, index: true },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' }), expect.objectContaining({ type: 'oauth2' })],
      });
    });

    it('GET /Schemas lists the User and EnterpriseUser schemas with their attributes', async () => {
      const res = await call('GET', '/Schemas');
      expect(res.status).toBe(200);
      const body = await scimJson<ListBody>(res);
      expect(body).toMatchObject({
        schemas: [LIST_SCHEMA],
        totalResults: (body.Resources ?? []).length,
        startIndex: 1,
        itemsPerPage: (body.Resources ?? []).length,
      });
      const byId = new Map((body.Resources ?? []).map((s) => [s.id, s]));
      const user = byId.get(USER_SCHEMA);
      expect(user).toMatchObject({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], id: USER_SCHEMA, name: 'User' });
      const attributes = (user?.attributes ?? []) as Json[];
      expect(attributes).toContainEqual(
        expect.objectContaining({
          name: 'userName',
          type: 'string',
          required: true,
          caseExact: false,
          uniqueness: 'server',
          mutability: 'readWrite',
          returned: 'default',
        }),
      );
      expect(attributes).toContainEqual(expect.objectContaining({ name: 'password', mutability: 'writeOnly', returned: 'never' }));
      expect(attributes).toContainEqual(
        expect.objectContaining({ name: 'emails', type: 'complex', multiValued: true, subAttributes: expect.any(Array) }),
      );
      const enterprise = byId.get(ENTERPRISE);
      expect(enterprise).toMatchObject({ id: ENTERPRISE, name: 'EnterpriseUser' });
      expect(enterprise?.attributes).toContainEqual(expect.objectContaining({ name: 'department', type: 'string' }));
      expect(enterprise?.attributes).toContainEqual(expect.objectContaining({ name: 'manager', type: 'complex' }));

      const one = await call('GET', `/Schemas/${USER_SCHEMA}`);
      expect(one.status).toBe(200);
      expect(await scimJson(one)).toEqual(user);
    });

    it('GET /ResourceTypes and /ResourceTypes/User describe the User endpoint', async () => {
      const res = await call('GET', '/ResourceTypes');
      expect(res.status).toBe(200);
      const body = await scimJson<ListBody>(res);
      expect(body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: (body.Resources ?? []).length });
      const user = (body.Resources ?? []).find((r) => r.id === 'User');
      expect(user).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        schema: USER_SCHEMA,
        schemaExtensions: expect.arrayContaining([{ schema: ENTERPRISE, required: false }]),
        meta: { resourceType: 'ResourceType', location: `${stack.scimBaseUrl}/ResourceTypes/User` },
      });
      const one = await call('GET', '/ResourceTypes/User');
      expect(one.status).toBe(200);
      expect(await scimJson(one)).toEqual(user);
    });
  });

  describe('more users than one page can hold', () => {
    it('clamps count above the maximum page size (1000) to that maximum', async () => {
      const config = await scimJson(await call('GET', '/ServiceProviderConfig'));
      const max = Number((config.filter as Json).maxResults);
      expect(max).toBe(1000);
      expect((config.pagination as Json).maxPageSize).toBe(max);
      const missing = max + 1 - live.size;
      const names = Array.from({ length: missing }, (_, i) => `zz-bulk-${String(i).padStart(4, '0')}@other.test`);
      for (let i = 0; i < names.length; i += 25) {
        await Promise.all(names.slice(i, i + 25).map((userName) => create({ userName })));
      }
      expect(live.size).toBe(max + 1);
      const body = await list(`count=${max + 4000}`);
      expect(body).toMatchObject({ totalResults: max + 1, startIndex: 1, itemsPerPage: max });
      expect(body.Resources).toHaveLength(max);
      const rest = await list(`startIndex=${max + 1}&count=${max + 4000}`);
      expect(rest).toMatchObject({ totalResults: max + 1, startIndex: max + 1, itemsPerPage: 1 });
      const cursorPage = await list(`cursor=&count=${max + 4000}`);
      expect(cursorPage.Resources).toHaveLength(max);
      expect(cursorPage.nextCursor).toEqual(expect.any(String));
    }, 180_000);
  });

  it('sent application/scim+json with every response that has a body', () => {
    const offenders = sent.filter((s) => s.status !== 204 && s.status !== 304 && s.contentType !== SCIM_JSON);
    expect(offenders).toEqual([]);
    expect(sent.length).toBeGreaterThan(50);
  });
});
