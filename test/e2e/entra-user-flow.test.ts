/**
 * Microsoft Entra ID's user provisioning, replayed over HTTP against the local stack with the
 * literal bodies of Microsoft's SCIM documentation (E1: use-scim-to-provision-users-and-groups,
 * E2: application-provisioning-config-problem-scim-compatibility): Test Connection, matching by
 * userName and (unquoted) externalId, create, PATCH in Entra's dialects, hard delete and restore.
 */
import { randomUUID } from 'node:crypto';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  EMPTY_LIST,
  ENTERPRISE,
  ENTRA_CLIENT,
  ERROR_SCHEMA,
  expectScimJson,
  fixture,
  ISO,
  LIST_SCHEMA,
  PATCH_OP,
  scimClient,
  scimJson,
  USER_SCHEMA,
  type Json,
  type ListBody,
} from '../support/scim-client';

const CREATE_E1 = fixture('entra-create-user-e1.json');
const CREATE_NULLS_E1 = fixture('entra-create-user-nulls-e1.json');
const PATCH_MULTIVALUED_E1 = fixture('entra-patch-user-multivalued-e1.json');
const PATCH_USERNAME_E1 = fixture('entra-patch-user-username-e1.json');
const PATCH_DISABLE_STRING_E2 = fixture('entra-patch-user-disable-string-e2.json');
const PATCH_DISABLE_BOOLEAN_E1 = fixture('entra-patch-user-disable-bool-e1.json');
const PATCH_DISABLE_BOOLEAN_E2 = fixture('entra-patch-user-disable-bool-e2.json');
/** E2's replace: a filtered path, then a path-less value keyed by dotted and URN paths. */
const PATCH_PATHLESS_E2 = fixture('entra-patch-user-pathless-e2.json');
const PATCH_NICKNAME_E2 = fixture('entra-patch-user-add-nickname-e2.json');
/** E1's manager add, with path "manager" and URN-qualified; the manager id is replaced by a real one. */
const PATCH_MANAGER_E1 = fixture('entra-patch-user-manager-e1.json');
const PATCH_MANAGER_URN_E1 = fixture('entra-patch-user-manager-urn-e1.json');
const MANAGER_PLACEHOLDER = '00aa00aa-bb11-cc22-dd33-44ee44ee44ee';

const E1_USERNAME = 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee';
const E1_EXTERNAL_ID = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';
const E1_RENAMED = '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com';

describe('Microsoft Entra ID user provisioning over HTTP (E1, E2)', () => {
  let stack: TestStack;
  let token: string;
  /** The E1 user as the 201 returned it. */
  let e1: Json;
  let e1Id: string;
  /** The user of E1's second create (externalId jyoung). */
  let jyoung: Json;
  let jyoungId: string;

  const entra = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token }), ENTRA_CLIENT);
  /** GET /Users?filter=… as Entra writes it (spaces and quotes, URL-encoded on the wire). */
  const query = async (filter: string): Promise<ListBody> =>
    expectScimJson<ListBody>(await entra('GET', `/Users?filter=${encodeURIComponent(filter)}`), 200);
  const get = async (id: string): Promise<Json> => expectScimJson(await entra('GET', `/Users/${id}`), 200);
  const patch = async (id: string, body: string | Json): Promise<Json> => {
    const res = await entra('PATCH', `/Users/${id}`, body);
    const out = await expectScimJson(res, 200);
    expect(res.headers.get('etag')).toBe((out.meta as Json).version);
    return out;
  };
  const patchOp = (...operations: Json[]): Json => ({ schemas: [PATCH_OP], Operations: operations });
  const allIds = async (): Promise<unknown[]> => {
    const list = await expectScimJson<ListBody>(await entra('GET', '/Users?startIndex=1&count=100'), 200);
    return (list.Resources ?? []).map((r) => r.id);
  };

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('passes Test Connection: a userName filter with a random GUID answers 200 with an empty ListResponse', async () => {
    expect(await query(`userName eq "${randomUUID()}"`)).toEqual(EMPTY_LIST);
    expect(await query(`userName eq "${E1_USERNAME}"`)).toEqual(EMPTY_LIST);
  });

  it('creates the E1 user: 201 with the values exactly as sent', async () => {
    const res = await entra('POST', '/Users', CREATE_E1);
    expect(res.status).toBe(201);
    e1 = await scimJson(res);
    e1Id = String(e1.id);
    expect(e1Id).not.toBe('');
    expect(e1).toEqual({
      schemas: [USER_SCHEMA],
      id: e1Id,
      externalId: E1_EXTERNAL_ID,
      userName: E1_USERNAME,
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      meta: {
        resourceType: 'User',
        created: expect.stringMatching(ISO),
        lastModified: expect.stringMatching(ISO),
        location: `${stack.scimBaseUrl}/Users/${e1Id}`,
        version: expect.any(String),
      },
    });
    expect(res.headers.get('location')).toBe(`${stack.scimBaseUrl}/Users/${e1Id}`);
    expect(await query(`userName eq "${E1_USERNAME}"`)).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 1,
      Resources: [e1],
      startIndex: 1,
      itemsPerPage: 1,
    });
  });

  it('creates the second E1 user with nulls and a misspelt schema URN: 201, nulls dropped', async () => {
    const res = await entra('POST', '/Users', CREATE_NULLS_E1);
    expect(res.status).toBe(201);
    jyoung = await scimJson(res);
    jyoungId = String(jyoung.id);
    expect(jyoung).toEqual({
      schemas: [USER_SCHEMA],
      id: jyoungId,
      externalId: 'jyoung',
      userName: 'jyoung',
      active: true,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      name: { familyName: 'Young', givenName: 'Joy' },
      meta: expect.objectContaining({ resourceType: 'User', location: `${stack.scimBaseUrl}/Users/${jyoungId}` }),
    });
  });

  it('finds a user by an unquoted externalId (filter=externalId eq jyoung), case-exactly', async () => {
    expect(await query('externalId eq jyoung')).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 1,
      Resources: [jyoung],
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(await query('externalId eq "jyoung"')).toMatchObject({ totalResults: 1, Resources: [{ id: jyoungId }] });
    // externalId is caseExact (RFC 7643 section 3.1).
    expect(await query('externalId eq "JYOUNG"')).toEqual(EMPTY_LIST);
  });

  it('finds a user by its work email (emails[type eq "work"].value eq …)', async () => {
    expect(await query('emails[type eq "work"].value eq "jyoung@Contoso.com"')).toMatchObject({
      totalResults: 1,
      Resources: [{ id: jyoungId }],
    });
  });

  it('reads a user by id', async () => {
    const res = await entra('GET', `/Users/${e1Id}`);
    expect(res.status).toBe(200);
    expect(await scimJson(res)).toEqual(e1);
  });

  it('applies the multi-valued update (op "Replace", emails[type eq "work"].value and name.familyName): 200', async () => {
    const body = await patch(e1Id, PATCH_MULTIVALUED_E1);
    expect(body).toMatchObject({
      id: e1Id,
      userName: E1_USERNAME,
      emails: [{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }],
      name: { formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' },
    });
    expect(body.emails).toHaveLength(1);
    expect(await get(e1Id)).toEqual(body);
  });

  it('replaces the userName (single-valued update): 200, and the user is found by its new name only', async () => {
    const body = await patch(e1Id, PATCH_USERNAME_E1);
    expect(body).toMatchObject({ id: e1Id, userName: E1_RENAMED });
    expect(await query(`userName eq "${E1_RENAMED}"`)).toMatchObject({ totalResults: 1, Resources: [{ id: e1Id }] });
    expect(await query(`userName eq "${E1_USERNAME}"`)).toEqual(EMPTY_LIST);
  });

  it('disables with the string "False" (without aadOptscim062020): active becomes the boolean false', async () => {
    const body = await patch(e1Id, PATCH_DISABLE_STRING_E2);
    expect(body.active).toBe(false);
    // A disabled user is still returned (soft delete).
    expect((await get(e1Id)).active).toBe(false);
    expect(await query(`userName eq "${E1_RENAMED}"`)).toMatchObject({ totalResults: 1, Resources: [{ id: e1Id, active: false }] });
  });

  it("re-enables and disables again with a boolean, in E1's and E2's spelling", async () => {
    expect((await patch(e1Id, patchOp({ op: 'Replace', path: 'active', value: 'True' }))).active).toBe(true);
    expect((await patch(e1Id, PATCH_DISABLE_BOOLEAN_E1)).active).toBe(false);
    expect((await patch(e1Id, patchOp({ op: 'replace', path: 'active', value: true }))).active).toBe(true);
    expect((await patch(e1Id, PATCH_DISABLE_BOOLEAN_E2)).active).toBe(false);
    expect((await get(e1Id)).active).toBe(false);
    expect(await allIds()).toContain(e1Id);
    expect((await patch(e1Id, patchOp({ op: 'Replace', path: 'active', value: true }))).active).toBe(true);
  });

  it('replaces several attributes without a path, keyed by dotted and URN paths (E2)', async () => {
    const body = await patch(e1Id, PATCH_PATHLESS_E2);
    expect(body).toMatchObject({
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: e1Id,
      emails: [{ primary: true, type: 'work', value: 'TestMhvaes@test.microsoft.com' }],
      displayName: 'Bjfe',
      name: { formatted: 'givenName familyName', givenName: 'Kkom', familyName: 'Unua' },
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    });
    expect(body).not.toHaveProperty(['name.givenName']);
    expect(body).not.toHaveProperty([`${ENTERPRISE}:employeeNumber`]);
    expect(await get(e1Id)).toEqual(body);
  });

  it('adds a single-valued string (nickName, op "Add")', async () => {
    const body = await patch(e1Id, PATCH_NICKNAME_E2);
    expect(body).toMatchObject({ id: e1Id, nickName: 'Babs', displayName: 'Bjfe' });
  });

  it('adds a manager with path "manager" and with the URN-qualified path', async () => {
    const withManager = (fixtureText: string, managerId: string): string => {
      expect(fixtureText).toContain(MANAGER_PLACEHOLDER);
      return fixtureText.split(MANAGER_PLACEHOLDER).join(managerId);
    };
    let body = await patch(e1Id, withManager(PATCH_MANAGER_E1, jyoungId));
    expect(body[ENTERPRISE]).toEqual({ employeeNumber: 'Aklq', manager: { value: jyoungId, $ref: `http://.../scim/Users/${jyoungId}` } });
    expect(((await get(e1Id))[ENTERPRISE] as { manager: Json }).manager.value).toBe(jyoungId);

    const created = await entra('POST', '/Users', {
      schemas: [USER_SCHEMA],
      externalId: randomUUID(),
      userName: 'second.manager@contoso.com',
      active: true,
    });
    expect(created.status).toBe(201);
    const secondManager = String((await scimJson(created)).id);
    body = await patch(e1Id, withManager(PATCH_MANAGER_URN_E1, secondManager));
    expect(body[ENTERPRISE]).toEqual({
      employeeNumber: 'Aklq',
      manager: { value: secondManager, $ref: `http://.../scim/Users/${secondManager}` },
    });
    const read = await get(e1Id);
    expect(read.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect((read[ENTERPRISE] as { manager: Json }).manager.value).toBe(secondManager);
  });

  it('deletes (hard delete): 204, then GET is 404 and no query or list returns the user', async () => {
    const res = await entra('DELETE', `/Users/${e1Id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    const gone = await entra('GET', `/Users/${e1Id}`);
    expect(gone.status).toBe(404);
    expect(await scimJson(gone)).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
    expect(await query(`userName eq "${E1_RENAMED}"`)).toEqual(EMPTY_LIST);
    expect(await query(`externalId eq "${E1_EXTERNAL_ID}"`)).toEqual(EMPTY_LIST);
    expect(await allIds()).not.toContain(e1Id);
    expect(await allIds()).toContain(jyoungId);
  });

  it('gives a new id, never the deleted one, to a user with the same externalId but another userName', async () => {
    // The deleted user was renamed to E1_RENAMED before its delete: E1_USERNAME is another identity.
    const res = await entra('POST', '/Users', CREATE_E1);
    expect(res.status).toBe(201);
    const other = await scimJson(res);
    expect(other.id).not.toBe(e1Id);
    expect(other).toMatchObject({ userName: E1_USERNAME, externalId: E1_EXTERNAL_ID });
    expect((await entra('GET', `/Users/${e1Id}`)).status).toBe(404);
    expect((await entra('DELETE', `/Users/${String(other.id)}`)).status).toBe(204);
  });

  it('restores a deleted user when the same identity (externalId and userName) is POSTed again: 201 with the same id', async () => {
    const res = await entra('POST', '/Users', { ...(JSON.parse(CREATE_E1) as Json), userName: E1_RENAMED.toUpperCase() });
    expect(res.status).toBe(201);
    const restored = await scimJson(res);
    expect(restored).toMatchObject({
      id: e1Id,
      userName: E1_RENAMED.toUpperCase(),
      externalId: E1_EXTERNAL_ID,
      meta: expect.objectContaining({ resourceType: 'User', location: `${stack.scimBaseUrl}/Users/${e1Id}` }),
    });
    expect(res.headers.get('location')).toBe(`${stack.scimBaseUrl}/Users/${e1Id}`);
    expect(await get(e1Id)).toEqual(restored);
    expect(await query(`userName eq "${E1_RENAMED}"`)).toMatchObject({ totalResults: 1, Resources: [{ id: e1Id }] });
    expect(await query(`externalId eq "${E1_EXTERNAL_ID}"`)).toMatchObject({ totalResults: 1, Resources: [{ id: e1Id }] });
    expect(await allIds()).toContain(e1Id);
  });
});
