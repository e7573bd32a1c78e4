/**
 * Microsoft Entra ID's group provisioning, replayed over HTTP against the local stack with the
 * literal bodies of Microsoft's SCIM documentation (E1 items 12-17, E2's flagged member remove):
 * create with the ADSCIM schema URN, reads with excludedAttributes=members, rename, member add,
 * legacy and flagged member removes (all 204), User.groups of a member, and delete.
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import {
  createUser,
  ENTRA_CLIENT,
  ERROR_SCHEMA,
  expectNoContent,
  expectScimJson,
  fixture,
  GROUP_SCHEMA,
  ISO,
  LIST_SCHEMA,
  memberValuesOf,
  PATCH_OP,
  scimClient,
  scimJson,
  sorted,
  USER_SCHEMA,
  type Json,
  type ListBody,
} from '../support/scim-client';

const E1_EXTERNAL_ID = '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159';
const E1_RENAMED = '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName';

describe('Microsoft Entra ID group provisioning over HTTP (E1 items 12-17, E2)', () => {
  let stack: TestStack;
  let token: string;
  const userIds: string[] = [];
  let created: Json;
  let id: string;

  const entra = scimClient(() => ({ baseUrl: stack.scimBaseUrl, token }), ENTRA_CLIENT);
  const getGroup = async (query = ''): Promise<Json> => expectScimJson(await entra('GET', `/Groups/${id}${query}`), 200);
  const memberValues = async (): Promise<string[]> => memberValuesOf(await getGroup());
  /** Entra's group PATCHes must answer 204 No Content (E1). */
  const patch204 = async (body: string | Json): Promise<void> => expectNoContent(await entra('PATCH', `/Groups/${id}`, body));

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
    for (let i = 1; i <= 3; i++) {
      const user = await createUser(entra, {
        schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: `entra-member-${i}`,
        userName: `member${i}@contoso.com`,
        active: true,
        emails: [{ primary: true, type: 'work', value: `member${i}@contoso.com` }],
        meta: { resourceType: 'User' },
        name: { familyName: `Member${i}`, givenName: 'Entra' },
        roles: [],
      });
      userIds.push(String(user.id));
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('creates the E1 group (with the ADSCIM schema URN): 201, without members (E1 item 12)', async () => {
    const res = await entra('POST', '/Groups', fixture('entra-create-group-e1.json'));
    expect(res.status).toBe(201);
    created = await scimJson(res);
    id = String(created.id);
    expect(id).not.toBe('');
    const location = `${stack.scimBaseUrl}/Groups/${id}`;
    expect(created).toEqual({
      schemas: [GROUP_SCHEMA],
      id,
      externalId: E1_EXTERNAL_ID,
      displayName: 'displayName',
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
  });

  it('reads the group with excludedAttributes=members: 200 without a members key (E1 item 13)', async () => {
    const body = await getGroup('?excludedAttributes=members');
    const { members: _members, ...withoutMembers } = created;
    expect(body).toEqual(withoutMembers);
    expect(body).not.toHaveProperty('members');
  });

  it('finds the group by displayName with excludedAttributes=members: a ListResponse of one (E1 item 13)', async () => {
    const res = await entra('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`);
    expect(res.status).toBe(200);
    const { members: _members, ...withoutMembers } = created;
    expect(await scimJson<ListBody>(res)).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [withoutMembers],
    });

    const none = await entra('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "no such group"')}`);
    expect(await scimJson<ListBody>(none)).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('renames with op "Replace" of displayName: 204, found by the new name (E1 item 14)', async () => {
    await patch204(fixture('entra-patch-group-rename-e1.json'));
    expect((await getGroup()).displayName).toBe(E1_RENAMED);
    const res = await entra('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${E1_RENAMED}"`)}`);
    expect(await scimJson(res)).toMatchObject({ totalResults: 1, Resources: [{ id, displayName: E1_RENAMED }] });
  });

  it('adds members with op "Add" and "$ref": null: 204 (E1 item 15)', async () => {
    const [u1, u2, u3] = userIds;
    await patch204(fixture('entra-patch-group-add-member-e1.json', { USER_ID_1: String(u1) }));
    expect(await memberValues()).toEqual([u1]);
    // Several memberships in one PATCH (the gallery checklist asks for it).
    await patch204({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: 'members', value: [{ $ref: null, value: u2 }] },
        { op: 'Add', path: 'members', value: [{ $ref: null, value: u3 }] },
      ],
    });
    expect(await memberValues()).toEqual(sorted([u1, u2, u3]));
    // Sent again (Entra retries), nothing changes.
    await patch204(fixture('entra-patch-group-add-member-e1.json', { USER_ID_1: String(u1) }));
    expect(await memberValues()).toEqual(sorted([u1, u2, u3]));
  });

  it('shows the group in GET /Users/{id} of a member: groups with value, $ref, display and type', async () => {
    const [u1] = userIds;
    const res = await entra('GET', `/Users/${String(u1)}`);
    expect(res.status).toBe(200);
    expect((await scimJson(res)).groups).toEqual([
      { value: id, $ref: `${stack.scimBaseUrl}/Groups/${id}`, display: E1_RENAMED, type: 'direct' },
    ]);
  });

  it('removes with the legacy form (op "Remove", path members, value list): 204, and only that member is gone (E1 item 16)', async () => {
    const [u1, u2, u3] = userIds;
    await patch204(fixture('entra-patch-group-remove-member-legacy-e1.json', { USER_ID_1: String(u1) }));
    expect(await memberValues()).toEqual(sorted([u2, u3]));
    expect(await scimJson(await entra('GET', `/Users/${String(u1)}`))).not.toHaveProperty('groups');
  });

  it('removes with the flagged form (members[value eq "…"]): 204 (E2)', async () => {
    const [, u2, u3] = userIds;
    await patch204(fixture('entra-patch-group-remove-member-e2.json', { USER_ID_1: String(u2) }));
    expect(await memberValues()).toEqual([u3]);
  });

  it('refuses a member id that does not exist with 400 invalidValue and changes nothing', async () => {
    const before = await getGroup();
    const res = await entra(
      'PATCH',
      `/Groups/${id}`,
      fixture('entra-patch-group-add-member-e1.json', { USER_ID_1: 'f648f8d5ea4e4cd38e9c' }),
    );
    expect(res.status).toBe(400);
    expect(await scimJson(res)).toEqual({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.any(String) });
    expect(await getGroup()).toEqual(before);
  });

  it('deletes the group: 204, then 404, and its members no longer list it (E1 item 17)', async () => {
    const [, , u3] = userIds;
    const res = await entra('DELETE', `/Groups/${id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const gone = await entra('GET', `/Groups/${id}?excludedAttributes=members`);
    expect(gone.status).toBe(404);
    expect(await scimJson(gone)).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
    const patched = await entra('PATCH', `/Groups/${id}`, fixture('entra-patch-group-rename-e1.json'));
    expect(patched.status).toBe(404);
    expect(await scimJson(await entra('GET', `/Users/${String(u3)}`))).not.toHaveProperty('groups');
    const byName = await entra('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${E1_RENAMED}"`)}`);
    expect(await scimJson(byName)).toMatchObject({ totalResults: 0 });
  });
});
