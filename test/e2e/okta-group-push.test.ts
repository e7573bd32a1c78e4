/**
 * Okta's group push, replayed over HTTP against the local stack as Okta's SCIM 2.0 reference (O1)
 * describes it: push (POST with "members": []), the rename PATCH Okta sends with every membership
 * update (id + displayName, path-less), the membership PATCH (remove by filter + add with display),
 * a full replace of the members, the import (GET /Groups?startIndex=1&count=100), and unlink with
 * delete. Then the path-less variants seen in other servers' issues.
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  createUser,
  ERROR_SCHEMA,
  expectNoContent,
  expectScimJson,
  fixture,
  GROUP_SCHEMA,
  ISO,
  LIST_SCHEMA,
  memberValuesOf,
  OKTA_CLIENT,
  PATCH_OP,
  scimClient,
  scimJson,
  sorted,
  USER_SCHEMA,
  UUID,
  type Json,
  type ListBody,
} from '../support/scim-client';

describe('Okta group push over HTTP (O1 steps 7-10)', () => {
  let stack: TestStack;
  let token: string;
  const userIds: string[] = [];
  let created: Json;
  let id: string;

  const okta = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token }), OKTA_CLIENT);
  const getGroup = async (groupId: string): Promise<Json> => expectScimJson(await okta('GET', `/Groups/${groupId}`), 200);
  const memberValues = async (groupId: string): Promise<string[]> => memberValuesOf(await getGroup(groupId));
  const memberRef = (userId: string): Json => ({ value: userId, $ref: `${stack.scimBaseUrl}/Users/${userId}`, type: 'User' });

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
    for (let i = 1; i <= 3; i++) {
      const user = await createUser(okta, {
        schemas: [USER_SCHEMA],
        userName: `push.user${i}@okta.local`,
        name: { givenName: 'Push', familyName: `User${i}` },
        emails: [{ primary: true, value: `push.user${i}@okta.local`, type: 'work' }],
        externalId: `00upush${i}`,
        active: true,
      });
      userIds.push(String(user.id));
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('finds no group of that name before the push: an empty ListResponse', async () => {
    const res = await okta('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`);
    expect(res.status).toBe(200);
    expect(await scimJson(res)).toEqual({ schemas: [LIST_SCHEMA], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('pushes the group: POST with "members": [] answers 201 with the group, Location and ETag (O1 step 7)', async () => {
    const res = await okta('POST', '/Groups', fixture('okta-create-group-o1.json'));
    expect(res.status).toBe(201);
    created = await scimJson(res);
    id = String(created.id);
    expect(id).toMatch(UUID);
    const location = `${stack.scimBaseUrl}/Groups/${id}`;
    expect(created).toEqual({
      schemas: [GROUP_SCHEMA],
      id,
      displayName: 'Test SCIMv2',
      // No members yet: an empty multi-valued attribute is omitted (RFC 7643 section 2.5).
      meta: {
        resourceType: 'Group',
        created: expect.stringMatching(ISO),
        lastModified: expect.stringMatching(ISO),
        location,
        version: expect.stringMatching(/^W\/".+"$/),
      },
    });
    expect(res.headers.get('location')).toBe(location);
    expect(res.headers.get('etag')).toBe((created.meta as Json).version);
    expect(await getGroup(id)).toEqual(created);
  });

  it('refuses a second push of the same displayName (any case) with 409 uniqueness', async () => {
    const res = await okta('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'TEST SCIMV2', members: [] });
    expect(res.status).toBe(409);
    expect(await scimJson(res)).toEqual({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
  });

  it('answers the rename PATCH (path-less id + displayName) with 204, and renames (O1 step 8)', async () => {
    await expectNoContent(await okta('PATCH', `/Groups/${id}`, fixture('okta-patch-group-rename-o1.json', { GROUP_ID: id })));
    expect((await getGroup(id)).displayName).toBe('Test SCIMv2');

    const rename = JSON.parse(fixture('okta-patch-group-rename-o1.json', { GROUP_ID: id })) as { Operations: { value: Json }[] };
    const op = rename.Operations[0] as { value: Json };
    op.value.displayName = 'Test SCIMv2 renamed';
    await expectNoContent(await okta('PATCH', `/Groups/${id}`, rename));
    expect(await getGroup(id)).toMatchObject({ id, displayName: 'Test SCIMv2 renamed' });
    expect(await getGroup(id)).not.toHaveProperty('members');
  });

  it('answers the rename PATCH with 200 and the group when ?attributes=displayName is asked for', async () => {
    const res = await okta('PATCH', `/Groups/${id}?attributes=displayName`, fixture('okta-patch-group-rename-o1.json', { GROUP_ID: id }));
    expect(res.status).toBe(200);
    const body = await scimJson(res);
    expect(body).toMatchObject({ schemas: [GROUP_SCHEMA], id, displayName: 'Test SCIMv2' });
    expect(body).not.toHaveProperty('members');
    expect(res.headers.get('etag')).toMatch(/^W\/".+"$/);
    expect((await getGroup(id)).displayName).toBe('Test SCIMv2');
  });

  it('answers the membership PATCH (remove by filter + add with display) with 204; members are then exactly right (O1 step 9)', async () => {
    const [u1, u2, u3] = userIds;
    await expectNoContent(
      await okta('PATCH', `/Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: u1, display: 'push.user1@okta.local' }, { value: u3 }] }],
      }),
    );
    expect(await memberValues(id)).toEqual(sorted([u1, u3]));

    // Okta sends the rename first, then the membership change.
    await expectNoContent(await okta('PATCH', `/Groups/${id}`, fixture('okta-patch-group-rename-o1.json', { GROUP_ID: id })));
    await expectNoContent(
      await okta(
        'PATCH',
        `/Groups/${id}`,
        fixture('okta-patch-group-membership-o1.json', { USER_ID_1: String(u1), USER_ID_2: String(u2) }),
      ),
    );
    const group = await getGroup(id);
    expect(group.displayName).toBe('Test SCIMv2');
    expect((group.members as Json[]).sort((a, b) => String(a.value).localeCompare(String(b.value)))).toEqual(
      sorted([u2, u3]).map((m) => memberRef(m)),
    );
  });

  it('applies a full replace of the members (path "members"): 204, then exactly the given members', async () => {
    const [u1, u2] = userIds;
    await expectNoContent(
      await okta('PATCH', `/Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'members', value: [{ value: u1, display: 'push.user1@okta.local' }, { value: u2 }] }],
      }),
    );
    expect(await memberValues(id)).toEqual(sorted([u1, u2]));

    const user = await scimJson(await okta('GET', `/Users/${String(u1)}`));
    expect(user.groups).toEqual([{ value: id, $ref: `${stack.scimBaseUrl}/Groups/${id}`, display: 'Test SCIMv2', type: 'direct' }]);
  });

  it('imports the groups with GET /Groups?startIndex=1&count=100: integers, members included (O1 step 3)', async () => {
    const other = await okta('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2 Other', members: [] });
    expect(other.status).toBe(201);
    const otherId = String((await scimJson(other)).id);

    const res = await okta('GET', '/Groups?startIndex=1&count=100');
    expect(res.status).toBe(200);
    const body = await scimJson<ListBody>(res);
    expect(body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    for (const field of ['totalResults', 'startIndex', 'itemsPerPage'] as const) expect(Number.isInteger(body[field])).toBe(true);
    expect(sorted((body.Resources ?? []).map((r) => String(r.id)))).toEqual(sorted([id, otherId]));
    expect((body.Resources ?? []).find((r) => r.id === id)).toEqual(await getGroup(id));

    const beyond = await scimJson<ListBody>(await okta('GET', '/Groups?startIndex=101&count=100'));
    expect(beyond).toMatchObject({ totalResults: 2, startIndex: 101, itemsPerPage: 0 });
    expect(beyond.Resources ?? []).toEqual([]);
  });

  it('accepts the path-less member replaces seen in issues (keycloak-scim-server#100, scimgateway#113) with 204', async () => {
    const [u1, u2, u3] = userIds;
    await expectNoContent(
      await okta(
        'PATCH',
        `/Groups/${id}`,
        fixture('okta-patch-group-replace-members-metatavu100.json', { USER_ID_1: String(u2), USER_ID_2: String(u3) }),
      ),
    );
    expect(await memberValues(id)).toEqual(sorted([u2, u3]));
    expect(await memberValues(id)).not.toContain(u1);

    await expectNoContent(
      await okta('PATCH', `/Groups/${id}`, fixture('okta-patch-group-replace-all-scimgateway113.json', { GROUP_ID: id })),
    );
    expect(await getGroup(id)).toMatchObject({ id, displayName: 'org-cd1:viewer' });
    expect(await getGroup(id)).not.toHaveProperty('members');

    // Back to Okta's name and members for what follows.
    await expectNoContent(await okta('PATCH', `/Groups/${id}`, fixture('okta-patch-group-rename-o1.json', { GROUP_ID: id })));
    await expectNoContent(
      await okta('PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: u1 }] }] }),
    );
  });

  it('refuses a member that does not exist with 400 invalidValue and changes nothing', async () => {
    const before = await getGroup(id);
    const res = await okta('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] }],
    });
    expect(res.status).toBe(400);
    expect(await scimJson(res)).toEqual({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.any(String) });
    expect(await getGroup(id)).toEqual(before);
  });

  it('unlinks with DELETE: 204, then 404 for the group, gone from the import and from its members (O1 step 10)', async () => {
    const [u1] = userIds;
    const res = await okta('DELETE', `/Groups/${id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    const gone = await okta('GET', `/Groups/${id}`);
    expect(gone.status).toBe(404);
    expect(await scimJson(gone)).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
    const again = await okta('DELETE', `/Groups/${id}`);
    expect(again.status).toBe(404);

    const list = await scimJson<ListBody>(await okta('GET', '/Groups?startIndex=1&count=100'));
    expect(list.totalResults).toBe(1);
    expect((list.Resources ?? []).map((r) => r.id)).not.toContain(id);
    expect(await scimJson(await okta('GET', `/Users/${String(u1)}`))).not.toHaveProperty('groups');
  });
});
