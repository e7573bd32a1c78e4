/**
 * Groups and memberships on DynamoDB Local, wired as functions/scim/handler.ts wires them: a
 * GroupService for groups and a ResourceService for users sharing one MembershipRepository.
 * Covers members on create, uniqueness, unknown members, the PATCH dialects of Okta and Entra
 * (legacy remove by value, filtered remove, path-less replace), nested groups and User.groups,
 * cycles, deletes of users and groups, concurrent writers, chunked writes and their retry,
 * member filters, and excludedAttributes=members.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parsePatchOp, type PatchOp } from '../../shared/scim/messages/patch-op';
import type { MembershipRepository } from '../../shared/scim/ports';
import { runMembershipCleanup } from '../../shared/scim/service/cleanup';
import type { GroupService } from '../../shared/scim/service/groups';
import type { UserService } from '../../shared/scim/service/users';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { DynamoMembershipRepository } from '../../shared/store/membership-repository';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';
import { BASE, ctx, patchOp, search, wireServices } from '../support/services';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, unknown>;
type Op = { op: string; path?: string; value?: unknown };
/** A tuple of N ids (so that destructuring gives strings). */
type Ids<N extends number, T extends string[] = []> = T['length'] extends N ? T : Ids<N, [...T, string]>;

/** A fixture of test/fixtures/idp with its placeholder ids (USER_ID_1, GROUP_ID, …) replaced by real ones. */
const fixture = (name: string, ids: Record<string, string> = {}): Json => {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'idp', name), 'utf8');
  return JSON.parse(text.replace(/\b(USER_ID_\d+|GROUP_ID)\b/g, (k) => ids[k] ?? k)) as Json;
};
const patchBody = (...Operations: Op[]): PatchOp => parsePatchOp({ schemas: [PATCH_OP], Operations });
const sorted = (ids: readonly string[]): string[] => [...ids].sort();
const userRef = (id: string): Json => ({ value: id, $ref: `${BASE}/Users/${id}`, type: 'User' });
const groupRef = (id: string): Json => ({ value: id, $ref: `${BASE}/Groups/${id}`, type: 'Group' });

/** What the GroupService asked the membership repository to do, and how often it read member items. */
interface Recorder {
  changes: { add: string[]; remove: string[] }[];
  listMembers: number;
  reset(): void;
}

/** Every membership the recorded changes wrote, added and removed (whatever the number of calls). */
const written = (calls: Recorder): { add: string[]; remove: string[] } => ({
  add: sorted(calls.changes.flatMap((c) => c.add)),
  remove: sorted(calls.changes.flatMap((c) => c.remove)),
});

/** Wraps the repository: records `change` and `listMembers` calls, then delegates. */
function recording(real: MembershipRepository): { repo: MembershipRepository; calls: Recorder } {
  const calls: Recorder = {
    changes: [],
    listMembers: 0,
    reset() {
      this.changes = [];
      this.listMembers = 0;
    },
  };
  const repo = Object.create(real) as MembershipRepository;
  repo.change = async (groupId, change, options) => {
    calls.changes.push({ add: sorted(change.add.map((m) => m.id)), remove: sorted(change.remove.map((m) => m.id)) });
    return real.change(groupId, change, options);
  };
  repo.listMembers = async (groupId, limit) => {
    calls.listMembers++;
    return real.listMembers(groupId, limit);
  };
  return { repo, calls };
}

/** A document client whose TransactWriteCommands go through `hook` first (to count them or make one fail). */
function hooked(db: DynamoDBDocumentClient, hook: () => void): DynamoDBDocumentClient {
  const wrapped = Object.create(db) as DynamoDBDocumentClient;
  const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
  (wrapped as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command: unknown) => {
    if (command instanceof TransactWriteCommand) hook();
    return send(command);
  };
  return wrapped;
}

describe('groups and memberships on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let clock: FakeClock;
  let memberships: DynamoMembershipRepository;
  let calls: Recorder;
  let users: UserService;
  let groups: GroupService;
  let names = 0;

  /** The services as functions/scim/handler.ts builds them, on `repo` for memberships. */
  const wire = (repo: MembershipRepository): { users: UserService; groups: GroupService } =>
    wireServices(table.db, table.tableName, clock, { memberships: repo });
  /** The group item's member count and version (the counters live on the group's own item). */
  const stats = async (id: string): Promise<{ count: number; version: number }> => {
    const g = await new DynamoResourceRepository(table.db, table.tableName, 'Group').get(id);
    return { count: g?.memberCount ?? 0, version: g?.version ?? 0 };
  };

  beforeEach(async () => {
    table = await createTestTable();
    clock = new FakeClock(new Date('2026-11-29T10:00:00Z'));
    memberships = new DynamoMembershipRepository(table.db, table.tableName);
    const recorded = recording(memberships);
    calls = recorded.calls;
    ({ users, groups } = wire(recorded.repo));
  });
  afterEach(() => table.destroy());

  const newUser = async (userName = `user${++names}@example.com`): Promise<string> =>
    String((await users.create({ schemas: [USER_SCHEMA], userName }, ctx)).resource.id);
  /** `n` users, created a few at a time. */
  const manyUsers = async (n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => newUser()))));
    return out;
  };
  const newUsers = async <N extends number>(n: N): Promise<Ids<N>> => (await manyUsers(n)) as Ids<N>;
  const newGroup = async (displayName: string, members: string[] = [], extra: Json = {}): Promise<string> =>
    String(
      (await groups.create({ schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })), ...extra }, ctx)).resource
        .id,
    );
  /** A PATCH of a parsed PatchOp, or of a body as an identity provider sends it (a fixture). */
  const patch = (id: string, body: PatchOp | Json, withMembers = true): Promise<unknown> =>
    groups.patch(id, 'operations' in body ? (body as PatchOp) : parsePatchOp(body), ctx, {}, withMembers);
  const read = async (id: string): Promise<Json> => (await groups.get(id, ctx)).resource;
  /** The members' ids (a group without members has no `members`: empty multi-valued attributes are omitted). */
  const memberIds = async (id: string): Promise<string[]> =>
    sorted((((await read(id)).members as { value: string }[] | undefined) ?? []).map((m) => m.value));
  /** The group's items in the table, straight from DynamoDB: PK = GROUP#<gid>. */
  const groupItems = async (id: string): Promise<Json[]> =>
    (
      await table.db.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `GROUP#${id}` },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  const memberItems = async (id: string): Promise<Json[]> => (await groupItems(id)).filter((i) => String(i.SK).startsWith('MEMBER#'));
  /** Deletes still marked for the cleanup job (PK PURGE), read from the table. */
  const purgeMarks = async (): Promise<Json[]> =>
    (
      await table.db.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': 'PURGE' },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  /** The cleanup job's last pass over deletes, once their marks have settled (a minute later). */
  const settle = async (): Promise<void> => {
    clock.advance(61_000);
    await runMembershipCleanup({
      memberships,
      repos: {
        User: new DynamoResourceRepository(table.db, table.tableName, 'User'),
        Group: new DynamoResourceRepository(table.db, table.tableName, 'Group'),
      },
      clock,
      timeLeft: () => 60_000,
    });
  };
  const userGroups = async (id: string): Promise<Json[] | undefined> => (await users.get(id, ctx)).resource.groups as Json[] | undefined;

  describe('create', () => {
    it('creates a group with members: the created group returns them, typed and with $ref', async () => {
      const [u1, u2] = await newUsers(2);
      const written = await groups.create(
        {
          schemas: [GROUP_SCHEMA],
          displayName: 'Engineering',
          externalId: 'ext-eng',
          members: [{ value: u1 }, { value: u2, display: 'Two' }],
        },
        ctx,
      );
      expect(written.created).toBe(true);
      const id = String(written.resource.id);
      expect({ ...written.resource, members: sorted((written.resource.members as Json[]).map((m) => JSON.stringify(m))) }).toEqual({
        schemas: [GROUP_SCHEMA],
        id,
        externalId: 'ext-eng',
        displayName: 'Engineering',
        members: sorted([userRef(String(u1)), userRef(String(u2))].map((m) => JSON.stringify(m))),
        meta: {
          resourceType: 'Group',
          created: '2026-11-29T10:00:00.000Z',
          lastModified: '2026-11-29T10:00:00.000Z',
          location: `${BASE}/Groups/${id}`,
          version: expect.stringMatching(/^W\/".+"$/),
        },
      });
      expect(await read(id)).toEqual({ ...written.resource, members: expect.arrayContaining([userRef(String(u1)), userRef(String(u2))]) });
      expect(await stats(id)).toMatchObject({ count: 2 });
      expect(sorted((await memberItems(id)).map((i) => String(i.GSI1PK)))).toEqual(sorted([`MEMBEROF#${u1}`, `MEMBEROF#${u2}`]));
    });

    it('creates a group without members (Okta sends "members": []), returned without members (empty attributes are omitted)', async () => {
      const written = await groups.create(fixture('okta-create-group-o1.json'), ctx);
      expect(written.created).toBe(true);
      expect(written.resource).toMatchObject({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2' });
      expect(written.resource).not.toHaveProperty('members');
      expect(await memberItems(String(written.resource.id))).toEqual([]);
    });

    it('keeps displayName unique case-insensitively: 409 uniqueness on create and on rename', async () => {
      await newGroup('Engineering');
      await expect(newGroup('ENGINEERING')).rejects.toMatchObject({ status: 409, scimType: 'uniqueness' });
      const other = await newGroup('Sales');
      await expect(patch(other, patchBody({ op: 'replace', path: 'displayName', value: 'engineering' }))).rejects.toMatchObject({
        status: 409,
        scimType: 'uniqueness',
      });
      expect((await read(other)).displayName).toBe('Sales');
      // Two creates of one name at the same moment: one wins, the other is 409.
      const results = await Promise.allSettled([newGroup('Support'), newGroup('SUPPORT')]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409, scimType: 'uniqueness' } });
      expect((await groups.list(search({}), ctx)).totalResults).toBe(3);
    });
  });

  describe('unknown members', () => {
    it('refuses a create naming an unknown member with 400 invalidValue: no group, no membership', async () => {
      const u1 = await newUser();
      await expect(newGroup('Ghosts', [u1, randomUUID()])).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect((await groups.list(search({ filter: 'displayName eq "Ghosts"' }), ctx)).totalResults).toBe(0);
      expect((await groups.list(search({}), ctx)).totalResults).toBe(0);
      expect(await memberships.groupsOf(u1)).toEqual([]);
      // A deleted user is unknown too.
      const gone = await newUser();
      await users.delete(gone, ctx);
      await expect(newGroup('Ghosts', [gone])).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(written(calls)).toEqual({ add: [], remove: [] });
    });

    it('refuses a PATCH naming an unknown member with 400 invalidValue and changes nothing (rename included)', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Stable', [u1]);
      const before = await read(id);
      const before2 = await stats(id);
      calls.reset();
      const body = patchBody(
        { op: 'replace', path: 'displayName', value: 'Renamed' },
        { op: 'add', path: 'members', value: [{ value: u2 }, { value: 'no-such-id' }] },
      );
      await expect(patch(id, body)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(await read(id)).toEqual(before);
      expect(await stats(id)).toEqual(before2);
      expect((await memberItems(id)).map((i) => i.memberId)).toEqual([u1]);
      expect(await memberships.groupsOf(u2)).toEqual([]);
      expect(written(calls)).toEqual({ add: [], remove: [] });
    });

    it('refuses a PUT naming an unknown member with 400 invalidValue and changes nothing', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Stable', [u1]);
      const before = await read(id);
      await expect(
        groups.replace(id, { schemas: [GROUP_SCHEMA], displayName: 'Put', members: [{ value: u2 }, { value: randomUUID() }] }, ctx),
      ).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(await read(id)).toEqual(before);
      expect((await memberItems(id)).map((i) => i.memberId)).toEqual([u1]);
    });
  });

  describe('PATCH of members', () => {
    it('treats adding an existing member as a no-op: nothing written, same counters and ETag', async () => {
      const [u1, u2, u3] = await newUsers(3);
      const id = await newGroup('Noop', [u1, u2]);
      const before = await read(id);
      const before2 = await stats(id);
      calls.reset();
      await patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u1 }] }));
      expect(written(calls)).toEqual({ add: [], remove: [] });
      expect(await stats(id)).toEqual(before2);
      expect(await read(id)).toEqual(before);

      calls.reset();
      await patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u1 }, { value: u3 }] }));
      expect(written(calls)).toEqual({ add: [u3], remove: [] });
      expect(await memberIds(id)).toEqual(sorted([u1, u2, u3]));
      expect(await stats(id)).toMatchObject({ count: 3 });
    });

    it("removes exactly the listed members with Entra's legacy remove (path members + value), not all of them", async () => {
      const [u1, u2, u3, u4] = await newUsers(4);
      const id = await newGroup('Legacy', [u1, u2, u3, u4]);
      await patch(id, fixture('entra-patch-group-remove-member-legacy-e1.json', { USER_ID_1: u1 }));
      expect(await memberIds(id)).toEqual(sorted([u2, u3, u4]));
      await patch(
        id,
        patchBody({
          op: 'Remove',
          path: 'members',
          value: [
            { $ref: null, value: u2 },
            { $ref: null, value: u3 },
          ],
        }),
      );
      expect(await memberIds(id)).toEqual([u4]);
      // Removing someone who is not a member changes nothing.
      await patch(id, fixture('entra-patch-group-remove-member-legacy-e1.json', { USER_ID_1: u1 }));
      expect(await memberIds(id)).toEqual([u4]);
      expect(await stats(id)).toMatchObject({ count: 1 });
      expect(await memberItems(id)).toHaveLength(1);
      // Without a value, remove of "members" removes them all (RFC 7644 section 3.5.2.2).
      await patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u1 }, { value: u2 }] }));
      await patch(id, patchBody({ op: 'remove', path: 'members' }));
      expect((await read(id)).members).toBeUndefined();
      expect(await memberItems(id)).toEqual([]);
      expect(await stats(id)).toMatchObject({ count: 0 });
    });

    it('removes the member a filtered path names (members[value eq "…"], Entra with the flag)', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Flagged', [u1, u2]);
      calls.reset();
      await patch(id, fixture('entra-patch-group-remove-member-e2.json', { USER_ID_1: u2 }));
      expect(written(calls)).toEqual({ add: [], remove: [u2] });
      expect(await memberIds(id)).toEqual([u1]);
      expect(await stats(id)).toMatchObject({ count: 1 });
      expect(await memberships.groupsOf(u2)).toEqual([]);
    });

    it('removes only the members matching the whole filter (or, and with type)', async () => {
      const [u1, u2, u3] = await newUsers(3);
      const nested = await newGroup('Nested');
      const id = await newGroup('Filters', [u1, u2, u3, nested]);
      await patch(id, patchBody({ op: 'remove', path: `members[value eq "${u1}" or value eq "${u2}"]` }));
      expect(await memberIds(id)).toEqual(sorted([u3, nested]));
      // u3 is a User: a filter asking for type "Group" does not match it.
      await patch(id, patchBody({ op: 'remove', path: `members[value eq "${u3}" and type eq "Group"]` }));
      expect(await memberIds(id)).toEqual(sorted([u3, nested]));
      await patch(id, patchBody({ op: 'remove', path: 'members[type eq "Group"]' }));
      expect(await memberIds(id)).toEqual([u3]);
    });

    it('adds with Entra\'s "Add" of members with "$ref": null', async () => {
      const u1 = await newUser();
      const id = await newGroup('Entra add');
      await patch(id, fixture('entra-patch-group-add-member-e1.json', { USER_ID_1: u1 }));
      expect((await read(id)).members).toEqual([userRef(u1)]);
    });

    it('replaces the members with exactly the given set, writing only the difference (PATCH and PUT)', async () => {
      const [u1, u2, u3, u4, u5] = await newUsers(5);
      const id = await newGroup('Replace', [u1, u2, u3]);
      calls.reset();
      await patch(id, patchBody({ op: 'replace', path: 'members', value: [u2, u3, u4, u5].map((value) => ({ value })) }));
      expect(await memberIds(id)).toEqual(sorted([u2, u3, u4, u5]));
      expect(written(calls)).toEqual({ add: sorted([u4, u5]), remove: [u1] });
      expect(await stats(id)).toMatchObject({ count: 4 });
      expect(await memberItems(id)).toHaveLength(4);

      calls.reset();
      const put = await groups.replace(
        id,
        { schemas: [GROUP_SCHEMA], displayName: 'Replace', members: [{ value: u5 }, { value: u1 }] },
        ctx,
      );
      expect(written(calls)).toEqual({ add: [u1], remove: sorted([u2, u3, u4]) });
      expect(sorted((put.resource.members as Json[]).map((m) => String(m.value)))).toEqual(sorted([u1, u5]));
      expect(await memberIds(id)).toEqual(sorted([u1, u5]));
      expect(await stats(id)).toMatchObject({ count: 2 });

      // Replacing with the same set writes no membership.
      calls.reset();
      await patch(id, patchBody({ op: 'replace', path: 'members', value: [{ value: u1 }, { value: u5 }] }));
      expect(written(calls)).toEqual({ add: [], remove: [] });
    });

    it("applies Okta's path-less replace: id + displayName renames, members replaces the set", async () => {
      const [u1, u2, u3] = await newUsers(3);
      const id = await newGroup('Okta old name', [u1]);
      calls.reset();
      await patch(id, fixture('okta-patch-group-rename-o1.json', { GROUP_ID: id }));
      expect(await read(id)).toMatchObject({ id, displayName: 'Test SCIMv2', members: [userRef(u1)] });
      expect(written(calls)).toEqual({ add: [], remove: [] });

      await patch(id, fixture('okta-patch-group-replace-members-metatavu100.json', { USER_ID_1: u2, USER_ID_2: u3 }));
      expect(await memberIds(id)).toEqual(sorted([u2, u3]));
      expect((await read(id)).displayName).toBe('Test SCIMv2');

      await patch(id, fixture('okta-patch-group-replace-all-scimgateway113.json', { GROUP_ID: id }));
      expect(await read(id)).toMatchObject({ id, displayName: 'org-cd1:viewer' });
      expect((await read(id)).members).toBeUndefined();
      expect(await memberItems(id)).toEqual([]);
      expect(await stats(id)).toMatchObject({ count: 0 });

      // A path-less add of members adds them.
      await patch(id, patchBody({ op: 'add', value: { members: [{ value: u1 }] } }));
      expect(await memberIds(id)).toEqual([u1]);
      // The key may be the attribute's full name: still a member change, never a members list stored on the group.
      await patch(id, patchBody({ op: 'add', value: { 'urn:ietf:params:scim:schemas:core:2.0:Group:members': [{ value: u2 }] } }));
      expect(await memberIds(id)).toEqual(sorted([u1, u2]));
      await patch(id, patchBody({ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:Group:members': [{ value: u3 }] } }));
      expect(await memberIds(id)).toEqual([u3]);
      expect(await stats(id)).toMatchObject({ count: 1 });
      await patch(id, patchBody({ op: 'replace', value: { members: [] } }));

      // Another group's id in the value is not a rename of this one.
      await expect(patch(id, fixture('okta-patch-group-rename-o1.json', { GROUP_ID: randomUUID() }))).rejects.toMatchObject({
        status: 400,
        scimType: 'mutability',
      });
      expect((await read(id)).displayName).toBe('org-cd1:viewer');
    });

    it('accepts op in any case (Add, REMOVE, RePlAcE)', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Cases');
      await patch(
        id,
        patchBody(
          { op: 'ADD', path: 'members', value: [{ value: u1 }] },
          { op: 'Add', path: 'members', value: [{ value: u2 }] },
          { op: 'REMOVE', path: `members[value eq "${u1}"]` },
          { op: 'RePlAcE', path: 'displayName', value: 'Cased' },
        ),
      );
      expect(await read(id)).toMatchObject({ displayName: 'Cased', members: [userRef(u2)] });
    });

    it('renames: found by the new name only, and the old name is free again', async () => {
      const id = await newGroup('displayName');
      await patch(id, fixture('entra-patch-group-rename-e1.json'));
      const renamed = '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName';
      expect((await read(id)).displayName).toBe(renamed);
      const found = await groups.list(search({ filter: `displayName eq "${renamed}"` }), ctx);
      expect(found.resources.map((r) => r.id)).toEqual([id]);
      expect((await groups.list(search({ filter: 'displayName eq "displayName"' }), ctx)).totalResults).toBe(0);
      await expect(newGroup('DISPLAYNAME')).resolves.toEqual(expect.any(String));
    });
  });

  describe('versions', () => {
    it('changes the ETag with every member change, and refuses a stale If-Match with 412, changing nothing', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Versioned', [u1]);
      const v1 = String(((await read(id)).meta as Json).version);
      await patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u2 }] }));
      const v2 = String(((await read(id)).meta as Json).version);
      expect(v2).not.toBe(v1);
      await patch(id, patchBody({ op: 'remove', path: `members[value eq "${u2}"]` }));
      const v3 = String(((await read(id)).meta as Json).version);
      expect([v1, v2]).not.toContain(v3);

      await expect(
        groups.patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u2 }] }), ctx, { ifMatch: [v2] }),
      ).rejects.toMatchObject({
        status: 412,
      });
      expect(await memberIds(id)).toEqual([u1]);
      await groups.patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u2 }] }), ctx, { ifMatch: [v3] });
      expect(await memberIds(id)).toEqual(sorted([u1, u2]));
    });
  });

  describe('nested groups', () => {
    it('shows the inner group as direct and the outer ones as indirect in User.groups', async () => {
      const [u1, u2] = await newUsers(2);
      const inner = await newGroup('Inner', [u1]);
      const outer = await newGroup('Outer', [inner]);
      const top = await newGroup('Top');
      await patch(top, patchBody({ op: 'add', path: 'members', value: [{ value: outer }] }));
      expect((await read(outer)).members).toEqual([groupRef(inner)]);

      const ref = (id: string, display: string, type: string): Json => ({ value: id, $ref: `${BASE}/Groups/${id}`, display, type });
      const groupsOfU1 = await userGroups(u1);
      expect(groupsOfU1).toHaveLength(3);
      expect(groupsOfU1).toEqual(
        expect.arrayContaining([ref(inner, 'Inner', 'direct'), ref(outer, 'Outer', 'indirect'), ref(top, 'Top', 'indirect')]),
      );
      expect(groupsOfU1?.[0]).toEqual(ref(inner, 'Inner', 'direct')); // direct groups first

      // A direct membership wins over an indirect one; display follows a rename.
      await patch(
        outer,
        patchBody({ op: 'add', path: 'members', value: [{ value: u1 }] }, { op: 'replace', path: 'displayName', value: 'Outer 2' }),
      );
      expect(sorted(((await userGroups(u1)) ?? []).map((g) => `${String(g.display)}:${String(g.type)}`))).toEqual([
        'Inner:direct',
        'Outer 2:direct',
        'Top:indirect',
      ]);
      // A user in no group has no groups.
      expect(await userGroups(u2)).toBeUndefined();
    });

    it('refuses cycles (A in B then B in A; A in A; A in B in C then C in A) with 400 invalidValue and changes nothing', async () => {
      const u1 = await newUser();
      const a = await newGroup('A');
      const b = await newGroup('B', [a]);
      const c = await newGroup('C', [b]);
      calls.reset();
      const addTo = (id: string, ...members: string[]): Promise<unknown> =>
        patch(id, patchBody({ op: 'add', path: 'members', value: members.map((value) => ({ value })) }));
      await expect(addTo(a, b)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      await expect(addTo(a, a)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      await expect(addTo(a, c)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      await expect(addTo(a, u1, b)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
      await expect(patch(a, patchBody({ op: 'replace', value: { members: [{ value: c }] } }))).rejects.toMatchObject({
        status: 400,
        scimType: 'invalidValue',
      });
      await expect(groups.replace(a, { schemas: [GROUP_SCHEMA], displayName: 'A', members: [{ value: a }] }, ctx)).rejects.toMatchObject({
        status: 400,
        scimType: 'invalidValue',
      });
      expect(written(calls)).toEqual({ add: [], remove: [] });
      expect(await memberIds(a)).toEqual([]);
      expect(await memberItems(a)).toEqual([]);
      expect(await memberIds(b)).toEqual([a]);
      expect(await memberIds(c)).toEqual([b]);
      expect(await memberships.groupsOf(u1)).toEqual([]);
    });

    it('two concurrent writes that together would make a cycle never both land (one is refused, or both when they meet)', async () => {
      const addTo = (id: string, member: string, ifMatch?: string): Promise<unknown> =>
        groups.patch(id, patchOp({ op: 'add', path: 'members', value: [{ value: member }] }), ctx, ifMatch ? { ifMatch: [ifMatch] } : {});
      for (let round = 0; round < 8; round++) {
        const a = await newGroup(`RaceA${round}`);
        const b = await newGroup(`RaceB${round}`);
        // A's write names A's version (If-Match): a nesting elsewhere must not make it a 412.
        const { version } = await groups.get(a, ctx);
        const outcomes = await Promise.allSettled([addTo(a, b, `W/"${version}"`), addTo(b, a)]);
        const landed = outcomes.filter((o) => o.status === 'fulfilled').length;
        expect({ round, landed: landed <= 1 }).toEqual({ round, landed: true });
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ status: 400, scimType: 'invalidValue' });
        const aInB = (await memberIds(b)).includes(a);
        const bInA = (await memberIds(a)).includes(b);
        expect({ round, cycle: aInB && bInA }).toEqual({ round, cycle: false });
      }
    });
  });

  describe('deletes', () => {
    it('removes a deleted user from every group: members no longer list it, counters go down', async () => {
      const [u1, u2] = await newUsers(2);
      const g1 = await newGroup('G1', [u1, u2]);
      const g2 = await newGroup('G2', [u1]);
      await users.delete(u1, ctx);
      expect(await memberIds(g1)).toEqual([u2]);
      expect((await read(g2)).members).toBeUndefined();
      expect(await stats(g1)).toMatchObject({ count: 1 });
      expect(await stats(g2)).toMatchObject({ count: 0 });
      expect((await memberItems(g1)).map((i) => i.memberId)).toEqual([u2]);
      expect(await memberItems(g2)).toEqual([]);
      expect(await memberships.groupsOf(u1)).toEqual([]);
      expect((await groups.list(search({ filter: `members[value eq "${u1}"]` }), ctx)).totalResults).toBe(0);
      await settle();
      expect(await purgeMarks()).toEqual([]);
    });

    it('deletes a user whose groups the (eventually consistent) index still lists wrongly: 204, every real membership gone', async () => {
      const [u1, u2] = await newUsers(2);
      const g1 = await newGroup('Lag1', [u1, u2]);
      const gone = await newGroup('Lag2', [u2]); // u1 was a member once: the index has not caught up with its removal
      const lagging = Object.create(memberships) as DynamoMembershipRepository;
      lagging.groupsOf = async (memberId) => [...(await memberships.groupsOf(memberId)), ...(memberId === u1 ? [gone] : [])];
      await wire(lagging).users.delete(u1, ctx);
      expect(await memberIds(g1)).toEqual([u2]);
      expect(await stats(g1)).toMatchObject({ count: 1 });
      expect(await memberIds(gone)).toEqual([u2]);
      expect(await stats(gone)).toMatchObject({ count: 1 }); // never counted down for a membership it did not have
    });

    it('answers a delete that committed with success even when removing its memberships fails; the cleanup job finishes', async () => {
      const [u1] = await newUsers(1);
      const g1 = await newGroup('Later', [u1]);
      const failing = Object.create(memberships) as DynamoMembershipRepository;
      failing.removeEverywhere = async () => {
        throw new Error('injected: throttled');
      };
      const deferred: string[] = [];
      const withLog = wireServices(table.db, table.tableName, clock, {
        memberships: failing,
        onCleanupDeferred: (kind, e) => deferred.push(`${kind}: ${(e as Error).message}`),
      }).users;
      await withLog.delete(u1, ctx);
      expect(deferred).toEqual(['User: injected: throttled']);
      await expect(users.get(u1, ctx)).rejects.toMatchObject({ status: 404 });
      await settle();
      expect(await memberIds(g1)).toEqual([]);
      expect(await stats(g1)).toMatchObject({ count: 0 });
      expect(await purgeMarks()).toEqual([]);
    });

    it('leaves no membership of a user deleted while a PATCH was adding it, once the delete has settled', async () => {
      const [u1] = await newUsers(1);
      const g1 = await newGroup('Racing');
      // The PATCH checked the user exists, then the user is deleted, then the PATCH writes.
      const { users: u, groups: g } = wire(memberships);
      const resolve = memberships.resolve.bind(memberships);
      let deleted = false;
      memberships.resolve = async (ids) => {
        const found = await resolve(ids);
        if (!deleted) {
          deleted = true;
          await u.delete(u1, ctx);
        }
        return found;
      };
      await g.patch(g1, patchBody({ op: 'add', path: 'members', value: [{ value: u1 }] }), ctx);
      memberships.resolve = resolve;
      expect(await memberIds(g1)).toEqual([u1]); // written after the delete looked
      await settle();
      expect(await memberIds(g1)).toEqual([]);
      expect(await stats(g1)).toMatchObject({ count: 0 });
      expect(await purgeMarks()).toEqual([]);
    });

    it('removes a deleted group from SCIM at once (404), with its membership items, and from its parent group', async () => {
      const [u1, u2] = await newUsers(2);
      const child = await newGroup('Child');
      const doomed = await newGroup('Doomed', [u1, u2, child]);
      const parent = await newGroup('Parent', [doomed, u1]);
      await groups.delete(doomed, ctx);

      await expect(groups.get(doomed, ctx)).rejects.toMatchObject({ status: 404 });
      await expect(patch(doomed, patchBody({ op: 'add', path: 'members', value: [{ value: u2 }] }))).rejects.toMatchObject({ status: 404 });
      await expect(groups.delete(doomed, ctx)).rejects.toMatchObject({ status: 404 });
      expect((await groupItems(doomed)).map((i) => i.SK)).toEqual(['GROUP']); // the deleted record only: no MEMBER#, no counters
      expect((await read(parent)).members).toEqual([userRef(u1)]);
      expect(await stats(parent)).toMatchObject({ count: 1 });
      expect(await memberships.groupsOf(u2)).toEqual([]);
      expect(await memberships.groupsOf(child)).toEqual([]);
      expect(await userGroups(u1)).toEqual([{ value: parent, $ref: `${BASE}/Groups/${parent}`, display: 'Parent', type: 'direct' }]);
      await settle();
      expect(await purgeMarks()).toEqual([]);
      // Its name is free again.
      await expect(newGroup('doomed')).resolves.toEqual(expect.any(String));
    });
  });

  describe('concurrency', () => {
    const addMembers = (id: string, members: string[]): Promise<unknown> =>
      patch(id, patchBody({ op: 'add', path: 'members', value: members.map((value) => ({ value })) }), false);

    it('applies two PATCHes adding different members at the same moment: no lost update', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Pair');
      await Promise.all([addMembers(id, [u1]), addMembers(id, [u2])]);
      expect(await memberIds(id)).toEqual(sorted([u1, u2]));
      expect(await stats(id)).toMatchObject({ count: 2 });
    });

    it('applies 8 concurrent PATCHes of 3 members each: all 24 members, counters exact', async () => {
      const all = await manyUsers(24);
      const id = await newGroup('Crowd');
      await Promise.all(Array.from({ length: 8 }, (_, i) => addMembers(id, all.slice(i * 3, i * 3 + 3))));
      expect(await memberIds(id)).toEqual(sorted(all));
      expect(await stats(id)).toMatchObject({ count: 24 });
      expect(await memberItems(id)).toHaveLength(24);
    });

    it('never leaves membership items of a group deleted while a PATCH adds members (10 races)', async () => {
      const members = await manyUsers(3);
      for (let round = 0; round < 10; round++) {
        const id = await newGroup(`Race ${round}`);
        const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
        const [patched, deleted] = await Promise.allSettled([addMembers(id, members), later(round * 4).then(() => groups.delete(id, ctx))]);
        expect(deleted.status).toBe('fulfilled');
        if (patched.status === 'rejected') expect(patched.reason).toMatchObject({ status: 404 });
        await expect(groups.get(id, ctx)).rejects.toMatchObject({ status: 404 });
        expect(await memberItems(id)).toEqual([]);
        for (const m of members) expect(await memberships.groupsOf(m)).not.toContain(id);
      }
    });

    it('never leaves membership items when a PATCH lands at any step of a DELETE (forced interleavings)', async () => {
      const members = await manyUsers(2);
      /** A membership repository whose method `name` stops (after or before the real call) until released. */
      const paused = (name: 'change' | 'markPurgePending' | 'removeEverywhere', when: 'before' | 'after') => {
        let reached!: () => void;
        let release!: () => void;
        const arrived = new Promise<void>((r) => (reached = r));
        const gate = new Promise<void>((r) => (release = r));
        const repo = Object.create(memberships) as MembershipRepository;
        const real = (memberships[name] as (...args: unknown[]) => Promise<unknown>).bind(memberships);
        (repo as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
          if (when === 'after') await real(...args);
          reached();
          await gate;
          if (when === 'before') return real(...args);
          return undefined;
        };
        return { services: wire(repo), arrived, release };
      };
      const check = async (id: string): Promise<void> => {
        await expect(groups.get(id, ctx)).rejects.toMatchObject({ status: 404 });
        expect(await memberItems(id)).toEqual([]);
        for (const m of members) expect(await memberships.groupsOf(m)).not.toContain(id);
        await settle();
        expect(await purgeMarks()).toEqual([]);
      };

      // The PATCH read the live group and planned its adds; the whole DELETE runs before it writes.
      const g1 = await newGroup('Interleave 1');
      const late = paused('change', 'before');
      const patching = late.services.groups.patch(
        g1,
        patchBody({ op: 'add', path: 'members', value: members.map((value) => ({ value })) }),
        ctx,
      );
      patching.catch(() => undefined);
      await late.arrived;
      await groups.delete(g1, ctx);
      late.release();
      await expect(patching).rejects.toMatchObject({ status: 404 });
      await check(g1);

      // The DELETE marked the purge; the PATCH writes before the group is removed.
      const g2 = await newGroup('Interleave 2');
      const marked = paused('markPurgePending', 'after');
      const deleting2 = marked.services.groups.delete(g2, ctx);
      await marked.arrived;
      await patch(g2, patchBody({ op: 'add', path: 'members', value: members.map((value) => ({ value })) }));
      marked.release();
      await deleting2;
      await check(g2);

      // The DELETE removed the group but not yet its memberships; the PATCH comes in between.
      const g3 = await newGroup('Interleave 3', [String(members[0])]);
      const removed = paused('removeEverywhere', 'before');
      const deleting3 = removed.services.groups.delete(g3, ctx);
      await removed.arrived;
      await expect(patch(g3, patchBody({ op: 'add', path: 'members', value: [{ value: members[1] }] }))).rejects.toMatchObject({
        status: 404,
      });
      removed.release();
      await deleting3;
      await check(g3);
    });
  });

  describe('large PATCHes (more than one transaction)', () => {
    it('applies a PATCH of 250 member adds, and a retry after a failure part-way converges (adds, then a replace)', async () => {
      const all = await manyUsers(250);
      let transactions = 0;
      let failOn: number | undefined;
      const faulty = new DynamoMembershipRepository(
        hooked(table.db, () => {
          transactions++;
          if (transactions === failOn) throw new Error('injected: connection reset');
        }),
        table.tableName,
      );
      const flaky = wire(faulty).groups;
      const addAll = patchBody({ op: 'add', path: 'members', value: all.map((value) => ({ value })) });

      // One PATCH of 250 adds: several transactions, every member applied.
      const whole = await newGroup('Whole');
      transactions = 0;
      await flaky.patch(whole, addAll, ctx);
      expect(transactions).toBeGreaterThanOrEqual(3); // 250 items do not fit DynamoDB's 100 per transaction
      expect(await memberIds(whole)).toEqual(sorted(all));
      expect(await stats(whole)).toMatchObject({ count: 250 });
      expect(await memberItems(whole)).toHaveLength(250);

      // The same PATCH on another group, failing at its second transaction, then sent again.
      const retried = await newGroup('Retried');
      const patchSuccesses = async (): Promise<number> => {
        const log = new DynamoAuditLog(table.db, table.tableName);
        let n = 0;
        let cursor: string | undefined;
        do {
          const page = await log.list({ limit: 100, ...(cursor ? { cursor } : {}) });
          n += page.events.filter((e) => e.action === 'group.patch' && e.outcome === 'success' && e.target?.id === retried).length;
          cursor = page.nextCursor;
        } while (cursor);
        return n;
      };
      transactions = 0;
      failOn = 2;
      await expect(flaky.patch(retried, addAll, ctx)).rejects.toThrow('injected');
      failOn = undefined;
      const partial = (await memberItems(retried)).length;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(250);
      expect(await stats(retried)).toMatchObject({ count: partial }); // counters match the items even part-way
      // The audit log records the change only once all of it has landed (its event is in the last transaction).
      expect(await patchSuccesses()).toBe(0);
      await flaky.patch(retried, addAll, ctx);
      expect(await patchSuccesses()).toBe(1);
      expect(await memberIds(retried)).toEqual(sorted(all));
      expect(await stats(retried)).toMatchObject({ count: 250 });
      expect(await memberItems(retried)).toHaveLength(250);

      // A replace that removes 150 members, failing part-way, then sent again.
      const keep = all.slice(150);
      const replace = patchBody({ op: 'replace', path: 'members', value: keep.map((value) => ({ value })) });
      transactions = 0;
      failOn = 2;
      await expect(flaky.patch(retried, replace, ctx)).rejects.toThrow('injected');
      failOn = undefined;
      await flaky.patch(retried, replace, ctx);
      expect(await memberIds(retried)).toEqual(sorted(keep));
      expect(await stats(retried)).toMatchObject({ count: 100 });
      expect(await memberItems(retried)).toHaveLength(100);
      expect(await memberships.groupsOf(String(all[0]))).toEqual([whole]);
    });
  });

  describe('pages of large groups', () => {
    it('stops a page of groups before their members pass 10,000 (fewer than count), and paging goes on: every group once', async () => {
      // Groups whose item says 4,000 members each (the page's decision reads the count on the group's item).
      const repo = new DynamoResourceRepository(table.db, table.tableName, 'Group');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = randomUUID();
        ids.push(id);
        clock.advance(1000);
        const { plan } = repo.planCreate(
          id,
          { schemas: [GROUP_SCHEMA], displayName: `Big ${i}` },
          { at: clock.now().toISOString(), memberCount: 4000 },
        );
        await table.db.send(new TransactWriteCommand({ TransactItems: plan.items as never }));
      }
      const first = await groups.list(search({ count: 100 }), ctx);
      expect(first.resources.map((r) => r.displayName)).toEqual(['Big 0', 'Big 1']); // 8,000 members; a third would pass 10,000
      const byIndex: unknown[] = [];
      for (let startIndex = 1; startIndex <= 5;) {
        const page = await groups.list(search({ count: 100, startIndex }), ctx);
        byIndex.push(...page.resources.map((r) => r.id));
        startIndex += page.resources.length;
      }
      expect(byIndex).toEqual(ids);
      const byCursor: unknown[] = [];
      let cursor = '';
      for (let pages = 0; pages < 5; pages++) {
        const page = await groups.list(search({ count: 100, cursor }), ctx);
        byCursor.push(...page.resources.map((r) => r.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(byCursor).toEqual(ids);
      // Without members, nothing limits the page.
      expect((await groups.list(search({ count: 100 }), ctx, false)).resources).toHaveLength(5);
    });
  });

  describe('member filters and excludedAttributes=members', () => {
    it('finds the groups of a member with members[value eq "…"] and members.value eq "…"', async () => {
      const [u1, u2, u3] = await newUsers(3);
      const g1 = await newGroup('G1', [u1, u2]);
      const g2 = await newGroup('G2', [u1]);
      await newGroup('G3', [u2]);
      for (const filter of [`members[value eq "${u1}"]`, `members.value eq "${u1}"`]) {
        const found = await groups.list(search({ filter }), ctx);
        expect(found.totalResults).toBe(2);
        expect(sorted(found.resources.map((r) => String(r.id)))).toEqual(sorted([g1, g2]));
        const first = found.resources.find((r) => r.id === g1);
        expect(sorted(((first?.members ?? []) as Json[]).map((m) => String(m.value)))).toEqual(sorted([u1, u2]));
      }
      expect((await groups.list(search({ filter: `members[value eq "${u3}"]` }), ctx)).totalResults).toBe(0);
    });

    it('combines a member filter with displayName eq or id eq (and)', async () => {
      const [u1, u2] = await newUsers(2);
      const g1 = await newGroup('G1', [u1, u2]);
      const g2 = await newGroup('G2', [u2]);
      const ids = async (filter: string): Promise<string[]> =>
        (await groups.list(search({ filter }), ctx)).resources.map((r) => String(r.id));
      expect(await ids(`displayName eq "G1" and members[value eq "${u1}"]`)).toEqual([g1]);
      expect(await ids(`id eq "${g1}" and members[value eq "${u1}"]`)).toEqual([g1]);
      expect(await ids(`members[value eq "${u1}"] and displayName eq "G2"`)).toEqual([]);
      expect(await ids(`id eq "${g2}" and members.value eq "${u2}"`)).toEqual([g2]);
    });

    it('reads no member item when members are excluded (get, list, filter, PATCH)', async () => {
      const [u1, u2] = await newUsers(2);
      const id = await newGroup('Quiet', [u1]);
      calls.reset();
      const got = await groups.get(id, ctx, false);
      expect(got.resource).not.toHaveProperty('members');
      expect(got.resource).toMatchObject({ id, displayName: 'Quiet' });
      const listed = await groups.list(search({ filter: 'displayName eq "Quiet"' }), ctx, false);
      expect(listed.resources).toHaveLength(1);
      expect(listed.resources[0]).not.toHaveProperty('members');
      const all = await groups.list(search({ startIndex: 1, count: 100 }), ctx, false);
      expect(all.resources[0]).not.toHaveProperty('members');
      await patch(id, patchBody({ op: 'add', path: 'members', value: [{ value: u2 }] }), false);
      await patch(id, patchBody({ op: 'remove', path: `members[value eq "${u1}"]` }), false);
      expect(calls.listMembers).toBe(0);
      // Sanity: a read that returns members does read them.
      expect((await read(id)).members).toEqual([userRef(u2)]);
      expect(calls.listMembers).toBe(1);
    });
  });
});
