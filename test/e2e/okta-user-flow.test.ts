/**
 * Okta's user provisioning, replayed over HTTP against the local stack, request by request as
 * Okta's SCIM 2.0 reference (O1) and FAQ (O2) describe them: connection test, create-if-absent,
 * import (paged), read before update, PUT updates, deactivate/reactivate by PATCH, rename.
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  ERROR_SCHEMA,
  expectScimJson,
  fixture,
  ISO,
  LIST_SCHEMA,
  OKTA_CLIENT,
  scimClient,
  scimJson,
  USER_SCHEMA,
  UUID,
  type Json,
  type ListBody,
} from '../support/scim-client';

const OKTA_CREATE = fixture('okta-create-user-o1.json');
const OKTA_DEACTIVATE = fixture('okta-patch-user-deactivate-o1.json');
const OKTA_REACTIVATE = fixture('okta-patch-reactivate-o1-e2e.json');

describe('Okta user provisioning over HTTP (O1, O2)', () => {
  let stack: TestStack;
  let token: string;
  /** The user as the 201 of the create returned it. */
  let created: Json;
  let id: string;
  /** The ids of the users created for the import, in creation order. */
  const importIds: string[] = [];

  /** A request as Okta's client sends it (its User-Agent, SCIM JSON with a charset). */
  const okta = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token }), OKTA_CLIENT);
  const list = async (query: string): Promise<ListBody> => expectScimJson<ListBody>(await okta('GET', `/Users?${query}`), 200);
  const byUserName = (userName: string): string => `filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;
  const expectIntegers = (body: ListBody): void => {
    for (const field of ['totalResults', 'startIndex', 'itemsPerPage'] as const) expect(Number.isInteger(body[field])).toBe(true);
  };

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers the connection test (GET /Users?startIndex=1&count=2) with an empty ListResponse', async () => {
    expect(await list('startIndex=1&count=2')).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('answers the lookup before a create with an empty ListResponse of integers (O1 step 1)', async () => {
    // Okta's literal request: filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100
    const body = await list('filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100');
    expect(body).toEqual({ schemas: [LIST_SCHEMA], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    expectIntegers(body);
  });

  it('creates the user: 201 with the full user, its id, Location and ETag, and no password (O1 step 2)', async () => {
    const res = await okta('POST', '/Users', OKTA_CREATE);
    expect(res.status).toBe(201);
    created = await scimJson(res);
    id = String(created.id);
    expect(id).toMatch(UUID); // O2: the id is a GUID
    const location = `${stack.scimBaseUrl}/Users/${id}`;
    expect(created).toEqual({
      schemas: [USER_SCHEMA],
      id,
      externalId: '00ujl29u0le5T6Aj10h7',
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      active: true,
      meta: {
        resourceType: 'User',
        created: expect.stringMatching(ISO),
        lastModified: expect.stringMatching(ISO),
        location,
        version: expect.stringMatching(/^W\/".+"$/),
      },
    });
    const meta = created.meta as Json;
    expect(meta.lastModified).toBe(meta.created);
    expect(res.headers.get('location')).toBe(location);
    expect(res.headers.get('etag')).toBe(meta.version);
    expect(created).not.toHaveProperty('password');
  });

  it('refuses a second create of the same userName with 409 uniqueness in SCIM error JSON (O1 step 2)', async () => {
    const res = await okta('POST', '/Users', OKTA_CREATE);
    expect(res.status).toBe(409);
    expect(await scimJson(res)).toEqual({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
  });

  it('finds the user by userName, also given in another case', async () => {
    const exact = await list(byUserName('test.user@okta.local'));
    expect(exact).toEqual({ schemas: [LIST_SCHEMA], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [created] });
    const upper = await list(byUserName('TEST.USER@OKTA.LOCAL'));
    expect(upper).toEqual(exact);
  });

  it('imports every user page by page: integer fields, stable order, no duplicates or gaps (O1 step 3)', async () => {
    for (let i = 1; i <= 5; i++) {
      const body = {
        schemas: [USER_SCHEMA],
        userName: `import.user${i}@okta.local`,
        name: { givenName: 'Import', familyName: `User${i}` },
        emails: [{ primary: true, value: `import.user${i}@okta.local`, type: 'work' }],
        displayName: `Import User${i}`,
        locale: 'en-US',
        externalId: `00uimport${i}`,
        groups: [],
        password: `pw-${i}-secret`,
        active: true,
      };
      const res = await okta('POST', '/Users', body);
      expect(res.status).toBe(201);
      importIds.push(String((await scimJson(res)).id));
    }
    const all = [id, ...importIds];

    const whole = await list('startIndex=1&count=100');
    expect(whole).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 6, startIndex: 1, itemsPerPage: 6 });
    expectIntegers(whole);
    const wholeIds = (whole.Resources ?? []).map((r) => r.id);
    expect([...wholeIds].sort()).toEqual([...all].sort());
    for (const r of whole.Resources ?? []) expect(r).not.toHaveProperty('password');

    // Okta pages on with startIndex + count: past the end there is nothing more.
    const beyond = await list('startIndex=101&count=100');
    expect(beyond).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 6, startIndex: 101, itemsPerPage: 0 });
    expect(beyond.Resources ?? []).toEqual([]);

    const paged = async (): Promise<unknown[]> => {
      const seen: unknown[] = [];
      for (let start = 1; start <= 7; start += 2) {
        const page = await list(`startIndex=${start}&count=2`);
        expectIntegers(page);
        const expected = Math.max(0, Math.min(2, 6 - (start - 1)));
        expect(page).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 6, startIndex: start, itemsPerPage: expected });
        expect(page.Resources ?? []).toHaveLength(expected);
        seen.push(...(page.Resources ?? []).map((r) => r.id));
      }
      return seen;
    };
    const first = await paged();
    expect(first).toEqual(wholeIds); // the same order as one big page: no gaps, no duplicates
    expect(new Set(first).size).toBe(6);
    expect(await paged()).toEqual(first); // stable from one import to the next
  });

  it('reads the user by id before an update (O1 step 4)', async () => {
    const res = await okta('GET', `/Users/${id}`);
    expect(res.status).toBe(200);
    expect(await scimJson(res)).toEqual(created);
    expect(res.headers.get('etag')).toBe((created.meta as Json).version);
  });

  it('updates by PUT with the whole object: 200 with the updated user and a new version (O1 step 5)', async () => {
    const current = await scimJson(await okta('GET', `/Users/${id}`));
    const before = current.meta as Json;
    // Okta sends back the whole user it read (id, meta, groups included) with its changes and the password.
    const res = await okta('PUT', `/Users/${id}`, {
      ...current,
      name: { givenName: 'Tess', familyName: 'User' },
      displayName: 'Tess User',
      groups: [],
      password: 'n3w-Passw0rd',
    });
    expect(res.status).toBe(200);
    const body = await scimJson(res);
    expect(body).toEqual({
      ...created,
      name: { givenName: 'Tess', familyName: 'User' },
      displayName: 'Tess User',
      meta: { ...before, lastModified: expect.stringMatching(ISO), version: expect.stringMatching(/^W\/".+"$/) },
    });
    const after = body.meta as Json;
    expect(after.version).not.toBe(before.version);
    expect(res.headers.get('etag')).toBe(after.version);
    expect(Date.parse(String(after.lastModified))).toBeGreaterThanOrEqual(Date.parse(String(before.lastModified)));
    expect(body).not.toHaveProperty('password');
    expect(await scimJson(await okta('GET', `/Users/${id}`))).toEqual(body);
  });

  it('deactivates with PATCH replace {"active":false}: 200 with the user, still readable and listed (O1 step 6)', async () => {
    const before = await scimJson(await okta('GET', `/Users/${id}`));
    const res = await okta('PATCH', `/Users/${id}`, OKTA_DEACTIVATE);
    expect(res.status).toBe(200);
    const body = await scimJson(res);
    expect(body).toEqual({
      ...before,
      active: false,
      meta: { ...(before.meta as Json), lastModified: expect.any(String), version: expect.any(String) },
    });
    expect((body.meta as Json).version).not.toBe((before.meta as Json).version);
    expect(res.headers.get('etag')).toBe((body.meta as Json).version);

    // An inactive user stays readable: by id, by filter and in the import.
    const read = await okta('GET', `/Users/${id}`);
    expect(read.status).toBe(200);
    expect(await scimJson(read)).toEqual(body);
    expect(await list(byUserName('test.user@okta.local'))).toMatchObject({ totalResults: 1, itemsPerPage: 1, Resources: [body] });
    const whole = await list('startIndex=1&count=100');
    expect(whole.totalResults).toBe(6);
    expect(whole.Resources).toContainEqual(body);
  });

  it('reactivates with PATCH replace {"active":true}', async () => {
    const res = await okta('PATCH', `/Users/${id}`, OKTA_REACTIVATE);
    expect(res.status).toBe(200);
    expect(await scimJson(res)).toMatchObject({ id, userName: 'test.user@okta.local', active: true });
    expect(await scimJson(await okta('GET', `/Users/${id}`))).toMatchObject({ active: true });
  });

  it('deactivates through PUT as Okta does for AIW apps (O1 step 6)', async () => {
    const current = await scimJson(await okta('GET', `/Users/${id}`));
    const res = await okta('PUT', `/Users/${id}`, { ...current, active: false });
    expect(res.status).toBe(200);
    expect(await scimJson(res)).toMatchObject({ id, active: false });
    const back = await okta('PUT', `/Users/${id}`, { ...current, active: true });
    expect(back.status).toBe(200);
    expect(await scimJson(back)).toMatchObject({ id, active: true });
  });

  it('renames the userName by PUT: found by the new name only, and the old name is free again', async () => {
    const current = await scimJson(await okta('GET', `/Users/${id}`));
    const res = await okta('PUT', `/Users/${id}`, {
      ...current,
      userName: 'renamed.user@okta.local',
      emails: [{ primary: true, value: 'renamed.user@okta.local', type: 'work' }],
    });
    expect(res.status).toBe(200);
    const body = await scimJson(res);
    expect(body).toMatchObject({
      id,
      userName: 'renamed.user@okta.local',
      emails: [{ primary: true, value: 'renamed.user@okta.local', type: 'work' }],
    });

    expect(await list(byUserName('renamed.user@okta.local'))).toMatchObject({ totalResults: 1, Resources: [body] });
    expect(await list(byUserName('test.user@okta.local'))).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    const again = await okta('POST', '/Users', { ...(JSON.parse(OKTA_CREATE) as Json), externalId: '00unewowner1' });
    expect(again.status).toBe(201);
    expect((await scimJson(again)).id).not.toBe(id);
  });

  it('answers GET of an unknown id with a SCIM 404', async () => {
    const res = await okta('GET', '/Users/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(await scimJson(res)).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
  });
});
