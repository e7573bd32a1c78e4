/**
 * The deadline of a request (issue 11): the remaining time is checked before every write, so a
 * request past its deadline writes nothing more and answers 503 with Retry-After, and no write
 * lands after the client has been answered. The request's clock is a test clock here, moved on by
 * the test at the moment it chooses.
 */
import { RequestBudget } from '../../shared/scim/budget';
import type { RequestContext } from '../../shared/scim/service/writer';
import { FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';
import { ctx as baseCtx, patchOp, wireServices, type Services } from '../support/services';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('the deadline of a request', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let clock: FakeClock;
  let services: Services;

  beforeEach(async () => {
    table = await createTestTable();
    clock = new FakeClock(new Date('2026-12-01T09:00:00Z'));
    services = wireServices(table.db, table.tableName, clock);
  });
  afterEach(() => table.destroy());

  /** A request whose time is `elapsed()` ms into a 10 s deadline. */
  const request = (elapsed: () => number): RequestContext => ({
    ...baseCtx,
    budget: new RequestBudget({ deadline: 10_000, now: elapsed }),
  });

  it('writes nothing and answers 503 with Retry-After when the deadline passed before the write', async () => {
    const { resource } = await services.users.create({ schemas: [USER], userName: 'late@example.com' }, baseCtx);
    const id = String(resource.id);
    const before = await services.userRepo.get(id);
    // The request read and planned, and its time ran out before it wrote.
    const patched = services.users.patch(
      id,
      patchOp({ op: 'replace', path: 'nickName', value: 'Late' }),
      request(() => 10_000),
    );
    await expect(patched).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    expect(await services.userRepo.get(id)).toEqual(before);
    await expect(
      services.users.create(
        { schemas: [USER], userName: 'never@example.com' },
        request(() => 10_000),
      ),
    ).rejects.toMatchObject({ status: 503 });
    expect(await services.userRepo.findByName('never@example.com')).toBeUndefined();
    await expect(
      services.users.delete(
        id,
        request(() => 10_000),
      ),
    ).rejects.toMatchObject({ status: 503 });
    expect(await services.userRepo.get(id)).toEqual(before);
  });

  it('stops a change of many members between transactions once the deadline passes; the retry converges', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 150; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) => services.users.create({ schemas: [USER], userName: `m${i + j}@example.com` }, baseCtx)),
      );
      ids.push(...batch.map((w) => String(w.resource.id)));
    }
    const { resource } = await services.groups.create({ schemas: [GROUP], displayName: 'Deadline' }, baseCtx);
    const gid = String(resource.id);
    const addAll = patchOp({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) });
    // Each check of the clock is a second later: the first transaction is written in time, the later ones are not.
    let checks = 0;
    const slow = request(() => (checks++ < 2 ? 0 : 10_000));
    await expect(services.groups.patch(gid, addAll, slow)).rejects.toMatchObject({ status: 503 });
    const partial = await services.memberships.listMembers(gid, 1000);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(150);
    expect((await services.groupRepo.get(gid))?.memberCount).toBe(partial.length);
    await services.groups.patch(gid, addAll, baseCtx);
    expect((await services.memberships.listMembers(gid, 1000)).length).toBe(150);
    expect((await services.groupRepo.get(gid))?.memberCount).toBe(150);
  });
});
