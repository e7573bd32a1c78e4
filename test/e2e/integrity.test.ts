/**
 * Identity data that is never silently wrong, over HTTP: every class of defect a deeper probe found
 * (answers that were wrong with a 200, a PATCH that destroyed data), each with the behaviour an
 * identity provider and the applications behind it can rely on. Each `describe` names the point of
 * the issue it shows.
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  ENTERPRISE,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  PATCH_OP,
  scimRequest,
  USER_SCHEMA,
  type Json,
  type ListBody,
} from '../support/scim-client';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describe('identity data that is never silently wrong', () => {
  let stack: TestStack;
  let token: string;
  let n = 0;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, { ...(body !== undefined ? { body } : {}), headers });
  const json = async (res: Response, status: number): Promise<Json> => {
    const text = await res.text();
    expect({ status: res.status, body: text.slice(0, 300) }).toMatchObject({ status });
    return (text ? JSON.parse(text) : {}) as Json;
  };
  const patchOp = (...Operations: unknown[]): Json => ({ schemas: [PATCH_OP], Operations });
  const newUser = async (extra: Json = {}): Promise<Json> =>
    json(await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: `p${++n}@example.com`, ...extra }), 201);
  const newGroup = async (members: string[] = [], extra: Json = {}): Promise<Json> =>
    json(
      await call('POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: `g${++n}`,
        members: members.map((value) => ({ value })),
        ...extra,
      }),
      201,
    );
  const getUser = async (id: string): Promise<Json> => json(await call('GET', `/Users/${id}`), 200);
  const getGroup = async (id: string): Promise<Json> => json(await call('GET', `/Groups/${id}`), 200);
  const list = async (path: string, filter?: string, extra = ''): Promise<ListBody> =>
    (await json(
      await call('GET', `${path}?count=1000${filter !== undefined ? `&filter=${encodeURIComponent(filter)}` : ''}${extra}`),
      200,
    )) as unknown as ListBody;
  const ids = (body: ListBody): string[] => (body.Resources ?? []).map((r) => String(r.id)).sort();
  const admin = (method: string, path: string): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, { method, headers: { Authorization: `Bearer ${stack.adminToken}` } });

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  describe('1. a PATCH on a sub-attribute of a multi-valued attribute, without a filter', () => {
    it('replace emails.value sets it on every value and keeps their other sub-attributes (never replaces the list)', async () => {
      const u = await newUser({
        emails: [
          { value: 'a@example.com', type: 'work', primary: true },
          { value: 'b@example.com', type: 'home' },
        ],
      });
      const patched = await json(
        await call('PATCH', `/Users/${String(u.id)}`, patchOp({ op: 'replace', path: 'emails.value', value: 'same@example.com' })),
        200,
      );
      expect(patched.emails).toEqual([
        { value: 'same@example.com', type: 'work', primary: true },
        { value: 'same@example.com', type: 'home' },
      ]);
    });

    it('add addresses.locality sets it on every address, keeping the rest; with no address it is 400 noTarget and changes nothing', async () => {
      const u = await newUser({
        addresses: [
          { streetAddress: '1 Main St', type: 'work' },
          { postalCode: '1000', type: 'home' },
        ],
      });
      const patched = await json(
        await call('PATCH', `/Users/${String(u.id)}`, patchOp({ op: 'add', path: 'addresses.locality', value: 'Brussels' })),
        200,
      );
      expect(patched.addresses).toEqual([
        { streetAddress: '1 Main St', locality: 'Brussels', type: 'work' },
        { locality: 'Brussels', postalCode: '1000', type: 'home' },
      ]);
      const bare = await newUser();
      const refused = await json(
        await call('PATCH', `/Users/${String(bare.id)}`, patchOp({ op: 'add', path: 'addresses.locality', value: 'Brussels' })),
        400,
      );
      expect(refused).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: 'noTarget', detail: expect.stringContaining('addresses') });
      expect((await getUser(String(bare.id))).meta).toEqual(bare.meta);
    });

    it('remove emails.type removes it from every value; a second remove finds none and is 400 noTarget, not a 200 that changed nothing', async () => {
      const u = await newUser({
        emails: [
          { value: 'c@example.com', type: 'work' },
          { value: 'd@example.com', type: 'home' },
        ],
      });
      const id = String(u.id);
      const patched = await json(await call('PATCH', `/Users/${id}`, patchOp({ op: 'remove', path: 'emails.type' })), 200);
      expect(patched.emails).toEqual([{ value: 'c@example.com' }, { value: 'd@example.com' }]);
      const again = await json(await call('PATCH', `/Users/${id}`, patchOp({ op: 'remove', path: 'emails.type' })), 400);
      expect(again.scimType).toBe('noTarget');
    });
  });

  describe("2. a deleted user's id never goes to a different person", () => {
    it('restores the same identity (same externalId and userName, any case); another userName with that externalId gets a new id', async () => {
      const u = await newUser({ externalId: 'ext-restore', userName: 'Restore.Me@example.com' });
      const id = String(u.id);
      expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
      const other = await json(
        await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'someone.else@example.com', externalId: 'ext-restore' }),
        201,
      );
      expect(other.id).not.toBe(id);
      expect((await call('DELETE', `/Users/${String(other.id)}`)).status).toBe(204);
      const back = await json(
        await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'restore.me@EXAMPLE.com', externalId: 'ext-restore' }),
        201,
      );
      expect(back.id).toBe(id);
    });

    it('lets an administrator erase a deleted record at once (audited); the same identity then gets a new id', async () => {
      const u = await newUser({ externalId: 'ext-erase', userName: 'erase.me@example.com' });
      const id = String(u.id);
      expect((await admin('DELETE', `/users/${id}/personal-data`)).status).toBe(409); // still provisioned
      expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
      expect((await admin('DELETE', `/users/${id}/personal-data`)).status).toBe(204);
      expect((await admin('DELETE', `/users/${id}/personal-data`)).status).toBe(404);
      const again = await json(
        await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'erase.me@example.com', externalId: 'ext-erase' }),
        201,
      );
      expect(again.id).not.toBe(id);
      const audit = (await (await admin('GET', '/audit?limit=20')).json()) as { events: Json[] };
      expect(audit.events).toContainEqual(
        expect.objectContaining({ action: 'user.erase', outcome: 'success', target: { type: 'User', id } }),
      );
    });
  });

  describe('3. versions and timestamps follow the representation', () => {
    it("a group's ETag and meta.lastModified move when its members change, and meta.lastModified gt finds it", async () => {
      const u1 = await newUser();
      const g = await newGroup();
      const id = String(g.id);
      const before = await call('GET', `/Groups/${id}`);
      const etag = String(before.headers.get('etag'));
      const { meta } = (await before.json()) as { meta: { lastModified: string } };
      await new Promise((r) => setTimeout(r, 5));
      expect((await call('PATCH', `/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u1.id }] }))).status).toBe(204);
      const after = await call('GET', `/Groups/${id}`);
      expect(after.headers.get('etag')).not.toBe(etag);
      const read = (await after.json()) as { meta: { lastModified: string } };
      expect(read.meta.lastModified > meta.lastModified).toBe(true);
      expect(ids(await list('/Groups', `meta.lastModified gt "${meta.lastModified}"`))).toContain(id);
      // A stale If-None-Match is no 304.
      expect((await call('GET', `/Groups/${id}`, undefined, { 'If-None-Match': etag })).status).toBe(200);
      // The member user's deletion is a change of the group too.
      const e2 = String(after.headers.get('etag'));
      expect((await call('DELETE', `/Users/${String(u1.id)}`)).status).toBe(204);
      expect((await call('GET', `/Groups/${id}`)).headers.get('etag')).not.toBe(e2);
    });

    it("a user's ETag changes when its groups change, so If-None-Match never answers a stale 304", async () => {
      const u = await newUser();
      const id = String(u.id);
      const etag = String((await call('GET', `/Users/${id}`)).headers.get('etag'));
      expect((await call('GET', `/Users/${id}`, undefined, { 'If-None-Match': etag })).status).toBe(304);
      await newGroup([id]);
      const res = await call('GET', `/Users/${id}`, undefined, { 'If-None-Match': etag });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).groups).toHaveLength(1);
    });

    it('a PUT that changes nothing keeps the version and meta.lastModified (as a no-op PATCH does)', async () => {
      const u = await newUser({ name: { givenName: 'Same' } });
      const id = String(u.id);
      const { id: _id, meta: _meta, ...body } = u;
      const put = await call('PUT', `/Users/${id}`, body);
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toBe((u.meta as Json).version);
      expect(((await put.json()) as Json).meta).toEqual(u.meta);
    });
  });

  describe('4. every write answers with the full resource it wrote', () => {
    it('PATCH and PUT of a user in groups return its groups', async () => {
      const u = await newUser();
      const id = String(u.id);
      const g = await newGroup([id]);
      const patched = await json(await call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'Eng' })), 200);
      expect(patched.groups).toEqual([expect.objectContaining({ value: g.id, type: 'direct' })]);
      const { meta: _m, groups: _g, ...body } = patched;
      const put = await json(await call('PUT', `/Users/${id}`, { ...body, title: 'Lead' }), 200);
      expect(put.groups).toEqual([expect.objectContaining({ value: g.id })]);
      expect(put.meta).toMatchObject({ version: expect.any(String) });
    });
  });

  describe('5. filters answer correctly or refuse', () => {
    let alice: string;
    let bob: string;
    let withAlice: string;
    let empty: string;
    let parent: string;

    beforeAll(async () => {
      alice = String((await newUser()).id);
      bob = String((await newUser()).id);
      withAlice = String((await newGroup([alice])).id);
      empty = String((await newGroup()).id);
      parent = String((await newGroup([withAlice])).id);
    });

    it('answers members pr, not (members pr), and members[value eq … and type eq …] exactly', async () => {
      const present = ids(await list('/Groups', 'members pr'));
      expect(present).toEqual(expect.arrayContaining([withAlice, parent]));
      expect(present).not.toContain(empty);
      const absent = ids(await list('/Groups', 'not (members pr)'));
      expect(absent).toContain(empty);
      expect(absent).not.toContain(withAlice);
      expect(ids(await list('/Groups', `members[value eq "${alice}" and type eq "User"]`))).toEqual([withAlice]);
      expect(ids(await list('/Groups', `members[value eq "${alice}" and type eq "Group"]`))).toEqual([]);
      expect(ids(await list('/Groups', `members.value eq "${withAlice}"`))).toEqual([parent]);
      expect(
        ids(await list('/Groups', `members[value eq "${alice}"] or displayName eq "${String((await getGroup(empty)).displayName)}"`)),
      ).toEqual([withAlice, empty].sort());
    });

    it('answers groups.value eq (direct and through nested groups) for users, inside or and not', async () => {
      expect(ids(await list('/Users', `groups.value eq "${withAlice}"`))).toEqual([alice]);
      expect(ids(await list('/Users', `groups.value eq "${parent}"`))).toEqual([alice]); // indirect
      expect(ids(await list('/Users', `groups[value eq "${parent}" and type eq "direct"]`))).toEqual([]);
      expect(ids(await list('/Users', `groups.value eq "${withAlice}" or id eq "${bob}"`))).toEqual([alice, bob].sort());
      expect(ids(await list('/Users', `not (groups.value eq "${withAlice}")`))).not.toContain(alice);
    });

    it('refuses what no index answers, and attributes no schema defines, with 400 invalidFilter naming it', async () => {
      for (const [path, filter] of [
        ['/Groups', 'members[type eq "User"]'],
        ['/Groups', 'members.value co "a"'],
        ['/Users', 'groups pr'],
        ['/Users', 'nosuch eq "x"'],
        ['/Groups', 'userName eq "x"'],
      ] as const) {
        const res = await call('GET', `${path}?filter=${encodeURIComponent(filter)}`);
        expect({ filter, status: res.status, scimType: ((await res.json()) as Json).scimType }).toEqual({
          filter,
          status: 400,
          scimType: 'invalidFilter',
        });
      }
    });

    it("refuses comparison values outside the grammar, except Entra ID's unquoted externalId", async () => {
      for (const filter of ["userName eq 'single'", 'userName eq {x}', 'userName eq a,b']) {
        const res = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
        expect({ filter, status: res.status }).toEqual({ filter, status: 400 });
      }
      const u = await newUser({ externalId: 'jyoung' });
      expect(ids(await list('/Users', 'externalId eq jyoung'))).toEqual([String(u.id)]);
    });
  });

  describe('6. paging never skips or repeats', () => {
    it('a filtered, sorted cursor walk returns every resource that exists for the whole walk, though others are deleted between pages', async () => {
      const made: string[] = [];
      for (let i = 0; i < 12; i++)
        made.push(
          String(
            (
              await json(
                await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: `walk${String(i).padStart(2, '0')}@example.com` }),
                201,
              )
            ).id,
          ),
        );
      for (const sort of ['', '&sortBy=userName', '&sortBy=userName&sortOrder=descending']) {
        const seen: string[] = [];
        const deleted = new Set<string>();
        let cursor = '';
        for (let page = 0; ; page++) {
          const query = `filter=${encodeURIComponent('userName sw "walk"')}&count=3&cursor=${encodeURIComponent(cursor)}${sort}`;
          const body = (await json(await call('GET', `/Users?${query}`), 200)) as unknown as ListBody;
          expect(body.Resources?.length ?? 0).toBeLessThanOrEqual(3);
          seen.push(...(body.Resources ?? []).map((r) => String(r.id)).filter((x) => made.includes(x)));
          if (page === 0) {
            // Two of what the first page showed go away before the next page is asked for.
            for (const r of (body.Resources ?? []).slice(0, 2)) {
              const rid = String(r.id);
              if ((await call('DELETE', `/Users/${rid}`)).status === 204) deleted.add(rid);
              await json(await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: String(r.userName) }), 201);
            }
          }
          if (!body.nextCursor) break;
          cursor = body.nextCursor;
        }
        const survivors = made.filter((x) => !deleted.has(x));
        expect({ sort, repeats: seen.length - new Set(seen).size }).toEqual({ sort, repeats: 0 });
        expect({ sort, missing: survivors.filter((x) => !seen.includes(x)) }).toEqual({ sort, missing: [] });
        made.splice(0, made.length, ...ids(await list('/Users', 'userName sw "walk"')));
      }
    });

    it('a remembered startIndex position is invalidated by a delete: the next page matches a fresh full listing', async () => {
      const first = await json(await call('GET', '/Users?startIndex=1&count=5'), 200);
      const shown = (first.Resources as Json[]).map((r) => String(r.id));
      expect((await call('DELETE', `/Users/${shown[0] ?? ''}`)).status).toBe(204);
      const next = await json(await call('GET', '/Users?startIndex=6&count=5'), 200);
      const fresh = await json(await call('GET', '/Users?startIndex=1&count=1000'), 200);
      expect((next.Resources as Json[]).map((r) => r.id)).toEqual((fresh.Resources as Json[]).slice(5, 10).map((r) => r.id));
    });
  });

  describe('7. RFC 7644 rules', () => {
    it('removing a required attribute is 400 mutability (3.5.2.2)', async () => {
      const u = await newUser();
      const res = await json(await call('PATCH', `/Users/${String(u.id)}`, patchOp({ op: 'remove', path: 'userName' })), 400);
      expect(res.scimType).toBe('mutability');
    });

    it('honours If-None-Match on PUT, PATCH and DELETE (412)', async () => {
      const u = await newUser();
      const id = String(u.id);
      const etag = String((u.meta as Json).version);
      const { id: _id, meta: _meta, ...body } = u;
      expect((await call('PUT', `/Users/${id}`, { ...body, title: 'x' }, { 'If-None-Match': '*' })).status).toBe(412);
      expect(
        (await call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'y' }), { 'If-None-Match': etag })).status,
      ).toBe(412);
      expect((await call('DELETE', `/Users/${id}`, undefined, { 'If-None-Match': etag })).status).toBe(412);
      expect((await getUser(id)).title).toBeUndefined();
      expect(
        (await call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'z' }), { 'If-None-Match': 'W/"999"' })).status,
      ).toBe(200);
    });

    it('sortOrder=descending puts resources without the attribute first (3.4.2.3)', async () => {
      await newUser({ nickName: 'zz-nick' });
      await newUser({ nickName: 'aa-nick' });
      const body = await list('/Users', undefined, '&sortBy=nickName&sortOrder=descending');
      const nicks = (body.Resources ?? []).map((r) => (r.nickName as string | undefined) ?? null);
      const firstNick = nicks.findIndex((x) => x !== null);
      expect(firstNick).toBeGreaterThan(0);
      expect(nicks.slice(firstNick).every((x) => x !== null)).toBe(true);
      expect(nicks.slice(firstNick)).toEqual([...nicks.slice(firstNick)].sort().reverse());
    });

    it('discovery endpoints answer a filter with 403 (section 4)', async () => {
      for (const path of ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes']) {
        const res = await call('GET', `${path}?filter=${encodeURIComponent('id eq "User"')}`);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
    });

    it('POST /.search at the root searches every resource type (3.4.3)', async () => {
      const u = await newUser({ externalId: 'root-search' });
      const g = await newGroup([], { externalId: 'root-search' });
      const body = await json(await call('POST', '/.search', { schemas: [SEARCH], filter: 'externalId eq "root-search"' }), 200);
      expect(body).toMatchObject({ totalResults: 2 });
      expect(((body.Resources as Json[]) ?? []).map((r) => r.id).sort()).toEqual([u.id, g.id].sort());
    });

    it('a cursor walk at the root returns every user and every group once, even when the users fill a page exactly', async () => {
      const tag = `root-walk-${++n}`;
      const users = [await newUser({ externalId: tag }), await newUser({ externalId: tag })];
      const groups = [await newGroup([], { externalId: tag }), await newGroup([], { externalId: tag })];
      const seen: unknown[] = [];
      let cursor = '';
      for (let page = 0; page < 5; page++) {
        const body = await json(
          await call('POST', '/.search', { schemas: [SEARCH], filter: `externalId eq "${tag}"`, cursor, count: 2 }),
          200,
        );
        expect(body.totalResults).toBe(4);
        seen.push(...((body.Resources as Json[] | undefined) ?? []).map((r) => r.id));
        if (typeof body.nextCursor !== 'string') break;
        cursor = body.nextCursor;
      }
      expect(seen.sort()).toEqual([...users, ...groups].map((r) => r.id).sort());
    });

    it('a PATCH path naming a whole extension, with an object value, is applied as that extension', async () => {
      const u = await newUser({ [ENTERPRISE]: { costCenter: 'CC1' } });
      const patched = await json(
        await call(
          'PATCH',
          `/Users/${String(u.id)}`,
          patchOp({ op: 'replace', path: ENTERPRISE, value: { department: 'Sales', employeeNumber: '42' } }),
        ),
        200,
      );
      expect(patched[ENTERPRISE]).toEqual({ costCenter: 'CC1', department: 'Sales', employeeNumber: '42' });
    });

    it('omits empty multi-valued attributes (a group with no members), and /Schemas tells the truth about groups in lists', async () => {
      const g = await newGroup();
      expect(g).not.toHaveProperty('members');
      expect(await getGroup(String(g.id))).not.toHaveProperty('members');
      const u = await newUser();
      await newGroup([String(u.id)]);
      const schema = await json(await call('GET', `/Schemas/${USER_SCHEMA}`), 200);
      const groups = (schema.attributes as Json[]).find((a) => a.name === 'groups');
      expect(groups?.returned).toBe('default');
      // returned "default": a list returns it as a read of the user does.
      const listed = await list('/Users', `id eq "${String(u.id)}"`);
      expect(listed.Resources?.[0]?.groups).toEqual((await getUser(String(u.id))).groups);
    });
  });

  describe('8. transient write conflicts are retried', () => {
    it('20 clients writing one user at the same moment all land, none answered 409', async () => {
      const u = await newUser();
      const id = String(u.id);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'emails', value: [{ value: `w${i}@example.com`, type: 'other' }] })),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(((await getUser(id)).emails as Json[]).length).toBe(20);
    });

    it('20 clients adding members to one group at the same moment all land', async () => {
      const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
      const g = await newGroup();
      const results = await Promise.all(
        users.map((u) => call('PATCH', `/Groups/${String(g.id)}`, patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] }))),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(204));
      expect(((await getGroup(String(g.id))).members as Json[]).length).toBe(20);
    });
  });
});
