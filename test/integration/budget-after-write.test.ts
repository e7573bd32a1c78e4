/**
 * The work budget refuses before a write, never after it: a request must not answer an error for
 * a write it made. A user's answer reads its groups after the write; with a budget that this read
 * passes, the PATCH is still answered with what it wrote (a bulk request's operations share one
 * budget, so this is where it would otherwise run out). A budget that the planning passes still
 * refuses the request before anything is written.
 */
import { RequestBudget } from '../../shared/scim/budget';
import type { RequestContext } from '../../shared/scim/service/writer';
import { FakeClock } from '../support/clock';
import { createTestTable } from '../support/dynamo';
import { ctx as baseCtx, patchOp, wireServices, type Services } from '../support/services';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('the work budget and a write that has committed', () => {
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let services: Services;

  beforeEach(async () => {
    table = await createTestTable();
    services = wireServices(table.db, table.tableName, new FakeClock(new Date('2026-12-01T09:00:00Z')));
  });
  afterEach(() => table.destroy());

  const withBudget = (work: number): RequestContext & { budget: RequestBudget } => ({
    ...baseCtx,
    budget: new RequestBudget({ deadline: Number.MAX_SAFE_INTEGER, now: () => 0, work }),
  });

  it("answers a PATCH whose answer's group read passes the budget with the change it wrote, and counts that read", async () => {
    const { resource } = await services.users.create({ schemas: [USER], userName: 'member@example.com' }, baseCtx);
    const id = String(resource.id);
    await services.groups.create({ schemas: [GROUP], displayName: 'Readers', members: [{ value: id }] }, baseCtx);
    // The PATCH's planning spends 1 unit (its operation); reading the user's groups for the answer spends 300 (3 reads).
    const ctx = withBudget(50);
    const written = await services.users.patch(id, patchOp({ op: 'replace', path: 'nickName', value: 'Reads' }), ctx);
    expect(written.resource).toMatchObject({ nickName: 'Reads', groups: [expect.objectContaining({ display: 'Readers' })] });
    expect((await services.userRepo.get(id))?.resource.nickName).toBe('Reads');
    expect(ctx.budget.used).toBeGreaterThan(50);
    expect(ctx.budget.exhausted).toBe(true);
  });

  it('still refuses (400 tooMany) a PATCH whose planning passes the budget, and writes nothing', async () => {
    const { resource } = await services.users.create({ schemas: [USER], userName: 'planned@example.com' }, baseCtx);
    const id = String(resource.id);
    const before = await services.userRepo.get(id);
    await expect(
      services.users.patch(id, patchOp({ op: 'replace', path: 'nickName', value: 'Never' }), withBudget(0)),
    ).rejects.toMatchObject({
      status: 400,
      scimType: 'tooMany',
    });
    expect(await services.userRepo.get(id)).toEqual(before);
  });
});
