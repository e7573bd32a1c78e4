import type { ResourceRepository, StoredResource, WalkOptions } from '../../shared/scim/ports';
import { parsePatchOp } from '../../shared/scim/messages/patch-op';
import type { UserService } from '../../shared/scim/service/users';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';
import { FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';
import { ctx, search, wireServices } from '../support/services';

const body = (userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  ...extra,
});

/** Counts what the list code reads from the repository. */
function counting(repo: ResourceRepository): { repo: ResourceRepository; reads: { pageCalls: number; items: number } } {
  const reads = { pageCalls: 0, items: 0 };
  const wrapped: ResourceRepository = Object.create(repo) as ResourceRepository;
  wrapped.walk = async (options: WalkOptions) => {
    const page = await repo.walk(options);
    // Pages of the whole listing (a scan), not index lookups.
    if (options.order === 'created' && (options.range ?? { kind: 'all' }).kind === 'all') {
      reads.pageCalls++;
      reads.items += page.read;
    }
    return page;
  };
  return { repo: wrapped, reads };
}

describe('user service on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let repo: DynamoResourceRepository;
  let audit: DynamoAuditLog;
  let clock: FakeClock;
  const service = (r: ResourceRepository = repo): UserService => wireServices(table.db, table.tableName, clock, { userRepo: r }).users;

  beforeEach(async () => {
    table = await createTestTable();
    repo = new DynamoResourceRepository(table.db, table.tableName, 'User');
    audit = new DynamoAuditLog(table.db, table.tableName);
    clock = new FakeClock(new Date('2026-11-29T10:00:00Z'));
  });
  afterEach(() => table.destroy());

  it('pages through N users by startIndex reading each user once (O(N), not O(N^2))', async () => {
    const users = service();
    for (let i = 0; i < 120; i++) {
      clock.advance(1000);
      await users.create(body(`user${String(i).padStart(3, '0')}`), ctx);
    }
    const { repo: counted, reads } = counting(repo);
    const seen: string[] = [];
    for (let start = 1; start <= 120; start += 20) {
      const page = await service(counted).list(search({ startIndex: start, count: 20 }), ctx);
      expect(page).toMatchObject({ totalResults: 120, startIndex: start });
      seen.push(...page.resources.map((r) => String(r.userName)));
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `user${String(i).padStart(3, '0')}`));
    expect(reads.items).toBe(120); // page 6 read what page 1 read: 20 users
    expect(reads.pageCalls).toBe(6);
  });

  it('pages by RFC 9865 cursor, and refuses a cursor of another listing', async () => {
    const users = service();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await users.create(body(`c${i}`), ctx);
    }
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const page = await users.list(search({ cursor, count: 2 }), ctx);
      seen.push(...page.resources.map((r) => String(r.userName)));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    const first = await users.list(search({ cursor: '', count: 2 }), ctx);
    await expect(users.list(search({ cursor: first.nextCursor, count: 2, filter: 'userName sw "c"' }), ctx)).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidCursor',
    });
    clock.advance(3601_000);
    await expect(users.list(search({ cursor: first.nextCursor, count: 2 }), ctx)).rejects.toMatchObject({
      status: 400,
      scimType: 'expiredCursor',
    });
  });

  it('answers userName eq with one read, never a scan', async () => {
    const users = service();
    for (let i = 0; i < 5; i++) await users.create(body(`e${i}`, { externalId: `x${i}` }), ctx);
    const { repo: counted, reads } = counting(repo);
    const byName = await service(counted).list(search({ filter: 'userName eq "E3"' }), ctx);
    const byExt = await service(counted).list(search({ filter: 'externalId eq x4' }), ctx);
    expect(byName.resources.map((r) => r.userName)).toEqual(['e3']);
    expect(byExt.resources.map((r) => r.userName)).toEqual(['e4']);
    expect(reads.pageCalls).toBe(0);
  });

  it('searching every type, decides a filter on attributes users lack once, without reading the users', async () => {
    const users = service();
    for (let i = 0; i < 3; i++) await users.create(body(`abs${i}`), ctx);
    const { repo: counted, reads } = counting(repo);
    const acrossTypes = (filter: string): ReturnType<UserService['list']> =>
      service(counted).list(search({ filter, count: 10 }), ctx, false, true);
    // members is a group's attribute: absent on every user.
    expect((await acrossTypes('members.value eq "abs0"')).totalResults).toBe(0);
    expect((await acrossTypes('members pr')).totalResults).toBe(0);
    expect((await acrossTypes('members[type eq "User"]')).totalResults).toBe(0);
    expect(reads.pageCalls).toBe(0);
    // `ne` holds for an absent attribute: every user, read as an unfiltered listing is.
    const all = await acrossTypes('members.value ne "abs0"');
    expect(all.resources.map((r) => r.userName).sort()).toEqual(['abs0', 'abs1', 'abs2']);
  });

  it('applies two concurrent PATCHes that add different emails: no lost update', async () => {
    const users = service();
    const { resource } = await users.create(body('pat'), ctx);
    const id = String(resource.id);
    const add = (value: string): unknown => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'emails', value: [{ value, type: 'other' }] }],
    });
    await Promise.all([users.patch(id, parsePatchOp(add('a@example.com')), ctx), users.patch(id, parsePatchOp(add('b@example.com')), ctx)]);
    const emails = ((await users.get(id, ctx)).resource.emails as { value: string }[]).map((e) => e.value).sort();
    expect(emails).toEqual(['a@example.com', 'b@example.com']);
  });

  it('refuses a write with a stale If-Match (412) and changes nothing', async () => {
    const users = service();
    const created = await users.create(body('etag'), ctx);
    const id = String(created.resource.id);
    await users.replace(id, body('etag', { title: 'one' }), ctx);
    await expect(users.replace(id, body('etag', { title: 'two' }), ctx, { ifMatch: ['W/"1"'] })).rejects.toMatchObject({ status: 412 });
    expect((await users.get(id, ctx)).resource.title).toBe('one');
    await expect(users.delete(id, ctx, { ifMatch: ['W/"1"'] })).rejects.toMatchObject({ status: 412 });
    await users.delete(id, ctx, { ifMatch: ['W/"2"'] });
    await expect(users.get(id, ctx)).rejects.toMatchObject({ status: 404 });
  });

  it('records every write in the audit log with the token, operation, resource and outcome', async () => {
    const users = service();
    const { resource } = await users.create(body('audited'), ctx);
    clock.advance(1000);
    await expect(users.create(body('AUDITED'), ctx)).rejects.toMatchObject({ status: 409, scimType: 'uniqueness' });
    clock.advance(1000);
    await users.delete(String(resource.id), ctx);
    const { events } = await audit.list({ limit: 10 });
    expect(events.map((e) => [e.action, e.outcome, e.actor.id, e.target?.type])).toEqual([
      ['user.delete', 'success', 'tok1', 'User'],
      ['user.create', 'failure', 'tok1', 'User'],
      ['user.create', 'success', 'tok1', 'User'],
    ]);
    // The id alone: erasing a deleted user's record leaves no userName behind in the log.
    expect(events[2]?.target).toEqual({ type: 'User', id: resource.id });
    expect(JSON.stringify(events).toLowerCase()).not.toContain('audited');
  });

  it('never returns or stores the password in clear', async () => {
    const users = service();
    const { resource } = await users.create(body('secret', { password: 'Tr0ub4dor&3' }), ctx);
    expect(JSON.stringify(resource)).not.toContain('Tr0ub4dor');
    const stored = (await repo.get(String(resource.id))) as StoredResource;
    expect(JSON.stringify(stored)).not.toContain('Tr0ub4dor');
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
  });

  it('restores a deleted user only within the retention window (deletedRetentionDays), then gives the same identity a new id', async () => {
    const users = service();
    const first = await users.create(body('window', { externalId: 'ext-w' }), ctx);
    const id = String(first.resource.id);
    await users.delete(id, ctx);
    clock.advance(29 * 24 * 3600 * 1000);
    const back = await users.create(body('WINDOW', { externalId: 'ext-w' }), ctx);
    expect(back.resource.id).toBe(id);
    await users.delete(id, ctx);
    const deleted = await repo.getDeleted(id);
    expect(deleted?.retainUntil).toBe(new Date(clock.now().getTime() + 30 * 24 * 3600 * 1000).toISOString());
    clock.advance(30 * 24 * 3600 * 1000 + 1000); // past the window: DynamoDB's TTL may not have erased it yet
    const fresh = await users.create(body('window', { externalId: 'ext-w' }), ctx);
    expect(fresh.resource.id).not.toBe(id);
  });
});
