/**
 * Running a BulkRequest (RFC 7644 section 3.7) on stand-in services that record every call: bulkId
 * references resolved in paths and anywhere in data to the ids created earlier in the request
 * (3.7.2), circular references refused before anything runs (3.7.1), forward, unknown and failed
 * references refused per operation, failOnErrors, SCIM errors and unexpected ones as results
 * (3.7.3), and the request's deadline and work budget shared by its operations.
 */
import { RequestBudget } from '../../shared/scim/budget';
import { parseBulkRequest } from '../../shared/scim/messages/bulk';
import { ScimError } from '../../shared/scim/messages/error';
import type { PatchOp } from '../../shared/scim/messages/patch-op';
import { planBulk, runBulk, type BulkResourceService, type BulkServices } from '../../shared/scim/service/bulk';
import type { Preconditions } from '../../shared/scim/service/meta';
import type { Written } from '../../shared/scim/service/users';
import type { RequestContext } from '../../shared/scim/service/writer';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BASE = 'https://scim.example/v2';

type Json = Record<string, unknown>;

interface Call {
  endpoint: 'Users' | 'Groups';
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  id?: string;
  data?: unknown;
  preconditions?: Preconditions;
}

interface Fakes {
  calls: Call[];
  services: BulkServices;
}

/**
 * Services that record each call and answer with ids "users-1", "groups-2", … (one counter), the
 * version "v-<id>"; `before` runs first in each call and may throw (a refusal) or spend the budget.
 */
function fakes(before: (call: Call, ctx: RequestContext) => void = () => undefined): Fakes {
  const calls: Call[] = [];
  let next = 0;
  const service = (endpoint: Call['endpoint']): BulkResourceService => {
    const run = async (call: Call, ctx: RequestContext): Promise<Written> => {
      calls.push(call);
      before(call, ctx);
      const id = call.id ?? `${endpoint.toLowerCase()}-${++next}`;
      return { resource: { id }, version: `v-${id}` };
    };
    return {
      create: (data, ctx) => run({ endpoint, method: 'POST', data }, ctx),
      replace: (id, data, ctx, preconditions) => run({ endpoint, method: 'PUT', id, data, preconditions }, ctx),
      patch: (id, data: PatchOp, ctx, preconditions) => run({ endpoint, method: 'PATCH', id, data, preconditions }, ctx),
      delete: async (id, ctx, preconditions) => {
        await run({ endpoint, method: 'DELETE', id, preconditions }, ctx);
      },
    };
  };
  return { calls, services: { Users: service('Users'), Groups: service('Groups') } };
}

const context = (budget?: RequestBudget): RequestContext => ({
  actor: { type: 'scimToken', id: 'token-1' },
  baseUrl: BASE,
  ...(budget ? { budget } : {}),
});

const request = (Operations: unknown[], extra: Json = {}): Json => ({ schemas: [BULK_REQUEST], Operations, ...extra });

const run = async (fake: Fakes, body: Json, ctx: RequestContext = context()): Promise<Json[]> =>
  (await runBulk(parseBulkRequest(body), fake.services, ctx)) as unknown as Json[];

const postUser = (bulkId: string, extra: Json = {}): Json => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [USER], userName: `${bulkId}@example.com`, ...extra },
});
const postGroup = (bulkId: string, members: string[]): Json => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: { schemas: [GROUP], displayName: bulkId, members: members.map((value) => ({ value })) },
});

/** An error result as section 3.7.3 shows it. */
const errorResult = (method: string, status: number, detail: RegExp | string, extra: Json = {}): Json => ({
  method,
  ...extra,
  status: String(status),
  response: { schemas: [ERROR], status: String(status), detail: typeof detail === 'string' ? detail : expect.stringMatching(detail) },
});

describe('bulkId references (RFC 7644 section 3.7.2)', () => {
  it("replaces a group's members[].value bulkId:qwerty with the id its POST created, and answers as section 3.7.3 does", async () => {
    const fake = fakes();
    const results = await run(fake, request([postUser('qwerty'), postGroup('ytrewq', ['bulkId:qwerty'])]));
    expect(fake.calls[1]).toEqual({
      endpoint: 'Groups',
      method: 'POST',
      data: { schemas: [GROUP], displayName: 'ytrewq', members: [{ value: 'users-1' }] },
    });
    expect(results).toEqual([
      { method: 'POST', bulkId: 'qwerty', version: 'W/"v-users-1"', location: `${BASE}/Users/users-1`, status: '201' },
      { method: 'POST', bulkId: 'ytrewq', version: 'W/"v-groups-2"', location: `${BASE}/Groups/groups-2`, status: '201' },
    ]);
  });

  it('replaces references at any depth and only whole values; the request itself is left as it was', async () => {
    const fake = fakes();
    const body = request([
      postUser('boss'),
      postUser('ann', {
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'bulkId:boss' } },
        nickName: 'not bulkId:boss',
        title: 'bulkId:',
        x509Certificates: [[{ value: 'bulkId:boss' }]],
      }),
    ]);
    const sent = JSON.stringify(body);
    await run(fake, body);
    expect(fake.calls[1]?.data).toEqual({
      schemas: [USER],
      userName: 'ann@example.com',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'users-1' } },
      nickName: 'not bulkId:boss',
      title: 'bulkId:',
      x509Certificates: [[{ value: 'users-1' }]],
    });
    expect(JSON.stringify(body)).toBe(sent);
  });

  it('resolves a path /Users/bulkId:qwerty for PUT, PATCH and DELETE, with version as If-Match', async () => {
    const fake = fakes();
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] };
    const results = await run(
      fake,
      request([
        postUser('qwerty'),
        { method: 'PUT', path: '/Users/bulkId:qwerty', version: 'W/"v-users-1"', data: { schemas: [USER], userName: 'b' } },
        { method: 'PATCH', path: '/users/bulkId:qwerty', data: patch },
        { method: 'DELETE', path: '/Users/bulkId:qwerty', version: 'W/"a", W/"b"' },
      ]),
    );
    expect(fake.calls.slice(1).map(({ endpoint, method, id, preconditions }) => ({ endpoint, method, id, preconditions }))).toEqual([
      { endpoint: 'Users', method: 'PUT', id: 'users-1', preconditions: { ifMatch: ['W/"v-users-1"'] } },
      { endpoint: 'Users', method: 'PATCH', id: 'users-1', preconditions: {} },
      { endpoint: 'Users', method: 'DELETE', id: 'users-1', preconditions: { ifMatch: ['W/"a"', 'W/"b"'] } },
    ]);
    // The PATCH's data reaches the service parsed (the PatchOp message).
    expect((fake.calls[2]?.data as PatchOp).operations).toEqual([
      { op: 'replace', path: expect.objectContaining({ text: 'active' }), value: false, index: 0 },
    ]);
    expect(results.slice(1)).toEqual([
      { method: 'PUT', version: 'W/"v-users-1"', location: `${BASE}/Users/users-1`, status: '200' },
      { method: 'PATCH', version: 'W/"v-users-1"', location: `${BASE}/Users/users-1`, status: '200' },
      { method: 'DELETE', location: `${BASE}/Users/users-1`, status: '204' },
    ]);
  });

  it('refuses (409) a reference to a bulkId that a later operation creates, and still runs that one', async () => {
    const fake = fakes();
    const results = await run(fake, request([postGroup('g', ['bulkId:u']), postUser('u')]));
    expect(fake.calls.map((c) => c.endpoint)).toEqual(['Users']);
    expect(results).toEqual([
      errorResult(
        'POST',
        409,
        'Operations[0] refers to "bulkId:u", which a later operation (Operations[1]) creates: operations run in order, so put the POST before the operations that refer to it.',
        { bulkId: 'g' },
      ),
      { method: 'POST', bulkId: 'u', version: 'W/"v-users-1"', location: `${BASE}/Users/users-1`, status: '201' },
    ]);
  });

  it('refuses (409) a reference no operation has, one to a PATCH, and one to a POST that failed', async () => {
    const fake = fakes((call) => {
      if (call.method === 'POST' && (call.data as Json).userName === 'taken@example.com') {
        throw ScimError.typed('uniqueness', 'A User with userName "taken@example.com" already exists.');
      }
    });
    const results = await run(
      fake,
      request([
        postGroup('a', ['bulkId:nobody']),
        { method: 'PATCH', path: '/Users/u9', bulkId: 'p', data: { Operations: [{ op: 'add', path: 'title', value: 'x' }] } },
        postGroup('b', ['bulkId:p']),
        postUser('taken'),
        { method: 'DELETE', path: '/Users/bulkId:taken' },
      ]),
    );
    expect(results).toEqual([
      errorResult('POST', 409, 'Operations[0] refers to "bulkId:nobody", but no operation of this request has that bulkId.', {
        bulkId: 'a',
      }),
      { method: 'PATCH', bulkId: 'p', version: 'W/"v-u9"', location: `${BASE}/Users/u9`, status: '200' },
      errorResult(
        'POST',
        409,
        'Operations[2] refers to "bulkId:p", the bulkId of a PATCH (Operations[1]): only a POST creates a resource to refer to.',
        {
          bulkId: 'b',
        },
      ),
      {
        method: 'POST',
        bulkId: 'taken',
        status: '409',
        response: {
          schemas: [ERROR],
          status: '409',
          scimType: 'uniqueness',
          detail: 'A User with userName "taken@example.com" already exists.',
        },
      },
      // No location: the path named a resource that was never created.
      errorResult(
        'DELETE',
        409,
        'Operations[4] refers to "bulkId:taken", whose POST (Operations[3]) failed or was not run; this operation was not run.',
      ),
    ]);
    expect(fake.calls.map((c) => c.method)).toEqual(['PATCH', 'POST']);
  });

  it('refuses (404) a path of one resource type naming a bulkId of the other', async () => {
    const fake = fakes();
    const results = await run(fake, request([postUser('u'), { method: 'DELETE', path: '/Groups/bulkId:u' }]));
    expect(results[1]).toEqual(
      errorResult('DELETE', 404, 'Operations[1].path refers to "bulkId:u", which is one of /Users, not of /Groups.'),
    );
    expect(fake.calls).toHaveLength(1);
  });
});

describe('circular references (RFC 7644 section 3.7.1)', () => {
  it("refuses section 3.7.1's two groups, each a member of the other, with 409 for both, and creates neither", async () => {
    const fake = fakes();
    const results = await run(fake, request([postGroup('qwerty', ['bulkId:ytrewq']), postGroup('ytrewq', ['bulkId:qwerty'])]));
    expect(fake.calls).toEqual([]);
    expect(results).toEqual([
      errorResult('POST', 409, /^Operations\[0\] is part of a circular reference \("bulkId:qwerty" → "bulkId:ytrewq" → "bulkId:qwerty"\)/, {
        bulkId: 'qwerty',
      }),
      errorResult('POST', 409, /^Operations\[1\] is part of a circular reference \("bulkId:ytrewq" → "bulkId:qwerty" → "bulkId:ytrewq"\)/, {
        bulkId: 'ytrewq',
      }),
    ]);
    expect(String((results[0]?.response as Json).detail)).toMatch(/RFC 7644 section 3\.7\.1.*then add them with PATCH/);
  });

  it('finds a group that is its own member, and a longer cycle; what refers into a cycle fails as a failed POST', async () => {
    const plan = planBulk(
      parseBulkRequest(
        request([
          postGroup('self', ['bulkId:self']),
          postGroup('a', ['bulkId:b']),
          postGroup('b', ['bulkId:c']),
          postGroup('c', ['bulkId:a', 'bulkId:self']),
          postGroup('d', ['bulkId:a']),
          postUser('e'),
        ]),
      ),
    );
    expect(plan.operations.map((p) => p.cycle)).toEqual([
      ['self', 'self'],
      ['a', 'b', 'c', 'a'],
      ['b', 'c', 'a', 'b'],
      ['c', 'a', 'b', 'c'],
      undefined,
      undefined,
    ]);
    expect(plan.operations.map((p) => p.references)).toEqual([['self'], ['b'], ['c'], ['a', 'self'], ['a'], []]);
  });

  it('a chain without a cycle is no cycle, even when it refers forward', () => {
    const plan = planBulk(parseBulkRequest(request([postGroup('a', ['bulkId:b']), postGroup('b', ['bulkId:c']), postUser('c')])));
    expect(plan.operations.map((p) => p.cycle)).toEqual([undefined, undefined, undefined]);
  });
});

describe('failOnErrors and errors (RFC 7644 section 3.7.3)', () => {
  const failing = (): Fakes =>
    fakes((call) => {
      if (String((call.data as Json | undefined)?.userName).startsWith('bad')) throw ScimError.typed('invalidValue', 'A bad user.');
    });

  it('failOnErrors 1: stops at the first error; the rest is not run and not listed', async () => {
    const fake = failing();
    const results = await run(fake, request([postUser('bad1'), postUser('ok1'), postUser('ok2')], { failOnErrors: 1 }));
    expect(results).toEqual([
      {
        method: 'POST',
        bulkId: 'bad1',
        status: '400',
        response: { schemas: [ERROR], status: '400', scimType: 'invalidValue', detail: 'A bad user.' },
      },
    ]);
    expect(fake.calls).toHaveLength(1);
  });

  it('failOnErrors 2: runs on after the first error and stops at the second; without it, everything runs', async () => {
    const ops = [postUser('bad1'), postUser('ok1'), postUser('bad2'), postUser('ok2')];
    const two = failing();
    expect((await run(two, request(ops, { failOnErrors: 2 }))).map((r) => [r.bulkId, r.status])).toEqual([
      ['bad1', '400'],
      ['ok1', '201'],
      ['bad2', '400'],
    ]);
    expect(two.calls).toHaveLength(3);
    const all = failing();
    expect((await run(all, request(ops))).map((r) => r.status)).toEqual(['400', '201', '400', '201']);
  });

  it('gives a failed PUT, PATCH or DELETE the location of its resource', async () => {
    const fake = fakes(() => {
      throw ScimError.of(412, 'The resource has version W/"2", not the one in If-Match (W/"1").');
    });
    const results = await run(fake, request([{ method: 'DELETE', path: '/Groups/g%201', version: 'W/"1"' }]));
    expect(results).toEqual([
      errorResult('DELETE', 412, 'The resource has version W/"2", not the one in If-Match (W/"1").', { location: `${BASE}/Groups/g%201` }),
    ]);
  });

  it('answers an error that is not a SCIM error with 500 for that operation, tells the caller, and runs on', async () => {
    const boom = new Error('DynamoDB said no');
    const fake = fakes((call) => {
      if (call.method === 'PATCH') throw boom;
    });
    const seen: unknown[] = [];
    const results = await runBulk(
      parseBulkRequest(
        request([{ method: 'PATCH', path: '/Users/u1', data: { Operations: [{ op: 'remove', path: 'title' }] } }, postUser('next')]),
      ),
      fake.services,
      context(),
      { onUnexpected: (error, op) => seen.push(error, op.index) },
    );
    expect(results).toEqual([
      {
        method: 'PATCH',
        location: `${BASE}/Users/u1`,
        status: '500',
        response: {
          schemas: [ERROR],
          status: '500',
          detail:
            'The service failed on this operation, which may or may not have been applied: read the resource before sending it again.',
        },
      },
      expect.objectContaining({ bulkId: 'next', status: '201' }),
    ]);
    expect(seen).toEqual([boom, 0]);
  });

  it('answers a PATCH whose data is no PatchOp with the PATCH error, as a single request would', async () => {
    const fake = fakes();
    const results = await run(fake, request([{ method: 'PATCH', path: '/Users/u1', data: { Operations: [{ op: 'move' }] } }]));
    expect(results[0]).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    expect(fake.calls).toEqual([]);
  });
});

describe("the request's deadline and work budget, shared by its operations", () => {
  it('answers 503 for every operation once the deadline has passed, without running it', async () => {
    let now = 0;
    const budget = new RequestBudget({ deadline: 1000, now: () => now });
    const fake = fakes(() => {
      now += 400;
    });
    const results = await run(
      fake,
      request([postUser('a'), postUser('b'), postUser('c'), postUser('d'), { method: 'DELETE', path: '/Users/u7' }]),
      context(budget),
    );
    // 0, 400 and 800 ms are before the deadline: three run; at 1,200 ms the rest does not.
    expect(fake.calls).toHaveLength(3);
    const notRun =
      'Not run: the bulk request ran out of time before this operation; nothing of it was written. Send it again in another request.';
    expect(results.slice(3)).toEqual([
      errorResult('POST', 503, notRun, { bulkId: 'd' }),
      errorResult('DELETE', 503, notRun, { location: `${BASE}/Users/u7` }),
    ]);
  });

  it('answers 503 for the operation the shared budget ran out in and for every one after it', async () => {
    const budget = new RequestBudget({ deadline: Number.MAX_SAFE_INTEGER, now: () => 0, work: 1000 });
    const fake = fakes((_call, ctx) => ctx.budget?.spend(400, 'the test'));
    const results = await run(fake, request([postUser('a'), postUser('b'), postUser('c'), postUser('d')]), context(budget));
    expect(results.map((r) => r.status)).toEqual(['201', '201', '503', '503']);
    expect(results[2]).toEqual(
      errorResult(
        'POST',
        503,
        'Stopped: the bulk request used up its work budget during this operation, before it wrote anything. Send it again in another request.',
        { bulkId: 'c' },
      ),
    );
    expect(results[3]).toEqual(
      errorResult(
        'POST',
        503,
        'Not run: the bulk request used up its work budget before this operation; nothing of it was written. Send it again in another request.',
        { bulkId: 'd' },
      ),
    );
    expect(fake.calls).toHaveLength(3);
  });

  it('keeps 400 tooMany for an operation that alone needs more than a request may do', async () => {
    const budget = new RequestBudget({ deadline: Number.MAX_SAFE_INTEGER, now: () => 0, work: 1000 });
    const fake = fakes((_call, ctx) => ctx.budget?.spend(1500, 'the test'));
    const results = await run(fake, request([postUser('a'), postUser('b')]), context(budget));
    expect(results[0]).toMatchObject({ status: '400', response: { scimType: 'tooMany' } });
    expect(results[1]).toMatchObject({ status: '503' });
    expect(fake.calls).toHaveLength(1);
  });

  it('afterWrite: the work after a committed write is counted, never refused', () => {
    const budget = new RequestBudget({ deadline: Number.MAX_SAFE_INTEGER, now: () => 0, work: 100 });
    budget.spend(90, 'before the write');
    expect(() => budget.afterWrite().spend(50, 'the answer')).not.toThrow();
    expect(budget.used).toBe(140);
    expect(budget.exhausted).toBe(true);
    expect(() => budget.spend(1, 'more')).toThrow(/more work than one request may do/);
  });
});
