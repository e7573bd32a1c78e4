/**
 * A bulk request's operations share the request's deadline (SCIM_REQUEST_DEADLINE_MS, here 300 ms
 * instead of 10 s): the operations run before it are applied; once it has passed, every operation
 * left answers 503 saying it was not run (or, for the one the deadline met, that nothing of it was
 * written), the whole request still answers 200 with a result for every operation, and no
 * operation that answered 503 was applied.
 */
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { expectScimJson, scimRequest, USER_SCHEMA, type Json, type ListBody } from '../support/scim-client';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

describe('a bulk request and its deadline', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack({ SCIM_REQUEST_DEADLINE_MS: '300' });
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, body === undefined ? {} : { body });

  it('applies the operations run in time and answers 503 for each one the deadline left, applying none of them', async () => {
    // As many as a request may carry; a password makes each create slower (scrypt): they take well over 300 ms.
    const spc = await expectScimJson(await call('GET', '/ServiceProviderConfig'), 200);
    const Operations = Array.from({ length: Number((spc.bulk as Json).maxOperations) }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: { schemas: [USER_SCHEMA], userName: `late${i}@example.com`, password: `pass-${i}-word` },
    }));
    const started = performance.now();
    const res = await call('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations });
    const ms = performance.now() - started;
    const results = (await expectScimJson(res, 200)).Operations as Json[];
    expect(results.map((r) => r.bulkId)).toEqual(Operations.map((o) => o.bulkId));
    expect(results.map((r) => r.status).join(',')).toMatch(/^(201,)+503(,503)*$/);
    for (const r of results.filter((x) => x.status === '503')) {
      expect(r.response).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '503',
        detail: expect.stringMatching(/ran out of time .*nothing (of it|more) was written/),
      });
    }
    // Answered soon after the deadline, not after running everything.
    expect(ms).toBeLessThan(3000);
    const listed = await expectScimJson<ListBody>(await call('GET', '/Users?count=1000&attributes=userName'), 200);
    const names = (listed.Resources ?? []).map((u) => String(u.userName)).sort();
    const applied = results.flatMap((r, i) => (r.status === '201' ? [`late${i}@example.com`] : [])).sort();
    expect(names).toEqual(applied);
  });
});
