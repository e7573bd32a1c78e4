/**
 * Every request has a work budget (issue 11): the requests an attack pass found taking 27–30 s and
 * then answering 500 now answer at once, 400 tooMany when they would exceed the budget, and write
 * nothing; one that stays within it (1,000 re-adds of a deeply nested group) is answered right.
 * How fast they answer is measured by `npm run bench` (abusive requests), not here.
 */
import { createDocumentClient } from '../../shared/store/client';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, scimRequest, USER_SCHEMA, type Json } from '../support/scim-client';
import { seedUsers } from '../support/seed';

describe('the work budget of a request', () => {
  let stack: TestStack;
  let token: string;

  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, body !== undefined ? { body } : {});
  const json = async (res: Response, status: number): Promise<Json> => {
    const text = await res.text();
    expect({ status: res.status, body: text.slice(0, 400) }).toMatchObject({ status });
    return (text ? JSON.parse(text) : {}) as Json;
  };
  const patchOp = (Operations: unknown[]): Json => ({ schemas: [PATCH_OP], Operations });
  /** The resource as stored: its representation and ETag (a refused request must change neither). */
  const snapshot = async (path: string): Promise<{ etag: string | null; body: Json }> => {
    const res = await call('GET', path);
    return { etag: res.headers.get('etag'), body: await json(res, 200) };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('refuses a PATCH of 1,000 filtered operations on a user with 3,000 values (400 tooMany) and writes nothing', async () => {
    // Phone numbers: email addresses are index entries, at most MAX_EMAILS of them.
    const phoneNumbers = Array.from({ length: 3000 }, (_, i) => ({ value: `+1-555-${String(i).padStart(4, '0')}`, type: 'other' }));
    const user = await json(
      await call('POST', '/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'many-values@example.com', phoneNumbers }),
      201,
    );
    const path = `/Users/${String(user.id)}`;
    const before = await snapshot(path);
    const operations = Array.from({ length: 1000 }, (_, i) => ({
      op: 'replace',
      path: `phoneNumbers[value eq "+1-555-${String(i).padStart(4, '0')}"].type`,
      value: 'work',
    }));
    const refused = await json(await call('PATCH', path, patchOp(operations)), 400);
    expect(refused).toMatchObject({ status: '400', scimType: 'tooMany' });
    expect(String(refused.detail)).toMatch(/smaller requests/);
    expect(await snapshot(path)).toEqual(before);
  });

  it('refuses 1,000 remove members[type eq "Nobody"] on a 2,000-member group (400 tooMany) and writes nothing', async () => {
    const db = createDocumentClient();
    const ids = await seedUsers(db, stack.tableName, 2000, 'budget-member');
    db.destroy();
    const group = await json(await call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Budget everyone' }), 201);
    const path = `/Groups/${String(group.id)}`;
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000).map((value) => ({ value }));
      expect((await call('PATCH', path, patchOp([{ op: 'add', path: 'members', value: batch }]))).status).toBe(204);
    }
    const before = await snapshot(path);
    expect((before.body.members as Json[]).length).toBe(2000);
    const operations = Array.from({ length: 1000 }, () => ({ op: 'remove', path: 'members[type eq "Nobody"]' }));
    const refused = await json(await call('PATCH', path, patchOp(operations)), 400);
    expect(refused).toMatchObject({ status: '400', scimType: 'tooMany' });
    expect(await snapshot(path)).toEqual(before);
    // The same filter once is well within the budget: it removes nothing, and answers so.
    expect((await call('PATCH', path, patchOp([{ op: 'remove', path: 'members[type eq "Nobody"]' }]))).status).toBe(204);
    expect(((await snapshot(path)).body.members as Json[]).length).toBe(2000);
  });

  it('answers 1,000 re-adds of a deeply nested group at once: the group is added once; into its own chain it is a cycle (400)', async () => {
    // A chain of 40 groups: chain[0] holds chain[1], which holds chain[2], …
    const chain: string[] = [];
    for (let i = 0; i < 40; i++) {
      const g = await json(await call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Nest ${i}` }), 201);
      chain.push(String(g.id));
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      const add = patchOp([{ op: 'add', path: 'members', value: [{ value: chain[i + 1] }] }]);
      expect((await call('PATCH', `/Groups/${chain[i] ?? ''}`, add)).status).toBe(204);
    }
    const outer = await json(await call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Outer' }), 201);
    const reAdds = patchOp(Array.from({ length: 1000 }, () => ({ op: 'add', path: 'members', value: [{ value: chain[0] }] })));
    expect((await call('PATCH', `/Groups/${String(outer.id)}`, reAdds)).status).toBe(204);
    const members = (await snapshot(`/Groups/${String(outer.id)}`)).body.members as Json[];
    expect(members.map((m) => [m.value, m.type])).toEqual([[chain[0], 'Group']]);

    const innermost = `/Groups/${chain[chain.length - 1] ?? ''}`;
    const before = await snapshot(innermost);
    const cycle = await json(await call('PATCH', innermost, reAdds), 400);
    expect(cycle).toMatchObject({ scimType: 'invalidValue' });
    expect(await snapshot(innermost)).toEqual(before);
  });
});
