/**
 * No 500 on bad input (issue 11): bodies nested thousands deep, forged and edited cursors (SCIM and
 * audit), over-long ids in admin paths, unknown query parameters. Each gets a 4xx in its API's
 * error format, and cursors are opaque: no table key can be read from one.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { runAs } from '../../infra/local/iam';
import { createDocumentClient } from '../../shared/store/client';
import { tokenKeys } from '../../shared/store/keys';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { ERROR_SCHEMA, scimRequest, USER_SCHEMA, type Json, type ListBody } from '../support/scim-client';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describe('hostile input', () => {
  let stack: TestStack;
  let token: string;
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    scimRequest({ baseUrl: stack.scimBaseUrl, token }, method, path, body !== undefined ? { body } : {});
  const admin = (method: string, path: string, body?: string): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body } : {}),
    });
  const scimError = async (res: Response, status: number, scimType?: string): Promise<void> => {
    const body = (await res.json()) as Json;
    expect({ status: res.status, schemas: body.schemas, scimType: body.scimType }).toEqual({
      status,
      schemas: [ERROR_SCHEMA],
      scimType,
    });
  };
  const problem = async (res: Response, status: number): Promise<void> => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await res.json()) as Json).toMatchObject({ status });
  };
  /** A character of a token changed for another of its alphabet. */
  const edit = (cursor: string, at: number): string => {
    const c = cursor[at] === 'A' ? 'B' : 'A';
    return `${cursor.slice(0, at)}${c}${cursor.slice(at + 1)}`;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: `hostile${i}@example.com` })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('refuses bodies nested thousands deep with 400 invalidSyntax (search, create, PATCH), and 400 on the admin API', async () => {
    const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
    const deepObject = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    await scimError(await call('POST', '/Users/.search', `{"schemas":["${SEARCH}"],"filter":${deep(10_000)}}`), 400, 'invalidSyntax');
    await scimError(await call('POST', '/.search', `{"schemas":["${SEARCH}"],"attributes":${deep(100_000)}}`), 400, 'invalidSyntax');
    await scimError(
      await call('POST', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"d","name":${deepObject(5000)}}`),
      400,
      'invalidSyntax',
    );
    const users = (await (await call('GET', '/Users?count=1')).json()) as ListBody;
    const id = String(users.Resources?.[0]?.id);
    await scimError(await call('PATCH', `/Users/${id}`, `{"Operations":[{"op":"add","value":${deepObject(5000)}}]}`), 400, 'invalidSyntax');
    await problem(await admin('PUT', '/provisioning', `{"enabled":${deep(10_000)}}`), 400);
    // Nesting a real resource needs stays accepted (a user with a manager in its enterprise extension: 4 levels).
    const res = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'nested-ok@example.com',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: id } },
    });
    expect(res.status).toBe(201);
  });

  it('refuses an edited, cut or forged SCIM cursor with 400 invalidCursor; a cursor shows no table key', async () => {
    for (const query of ['count=2', 'count=2&sortBy=userName', `count=2&filter=${encodeURIComponent('userName sw "hostile"')}`]) {
      const first = (await (await call('GET', `/Users?${query}&cursor=`)).json()) as ListBody;
      const cursor = String(first.nextCursor);
      expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/USER|PK|GSI|hostile|position|offset|exp/);
      expect((await call('GET', `/Users?${query}&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
      for (const forged of [
        edit(cursor, 5),
        edit(cursor, Math.floor(cursor.length / 2)),
        cursor.slice(0, -4),
        `${cursor}AAAA`,
        'e30',
        'x'.repeat(8000),
      ]) {
        await scimError(await call('GET', `/Users?${query}&cursor=${encodeURIComponent(forged)}`), 400, 'invalidCursor');
      }
    }
    // A cursor of the users is not one of the groups', nor of another sort.
    const users = (await (await call('GET', '/Users?count=2&cursor=')).json()) as ListBody;
    await scimError(await call('GET', `/Groups?count=2&cursor=${encodeURIComponent(String(users.nextCursor))}`), 400, 'invalidCursor');
    await scimError(
      await call('GET', `/Users?count=2&sortBy=userName&cursor=${encodeURIComponent(String(users.nextCursor))}`),
      400,
      'invalidCursor',
    );
  });

  it('refuses an edited or forged audit cursor with 400; a SCIM cursor is not an audit cursor', async () => {
    const page = (await (await admin('GET', '/audit?limit=2')).json()) as { nextCursor: string | null };
    const cursor = String(page.nextCursor);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/AUDIT|PK|GSI/);
    expect((await admin('GET', `/audit?limit=2&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
    const forgedKey = Buffer.from(JSON.stringify({ PK: 'TOKEN', SK: 'x', GSI3PK: 'AUDIT', GSI3SK: 'z' })).toString('base64url');
    const scimCursor = String(((await (await call('GET', '/Users?count=2&cursor=')).json()) as ListBody).nextCursor);
    for (const forged of [edit(cursor, 3), cursor.slice(0, -3), forgedKey, scimCursor, 'x'.repeat(8000)]) {
      await problem(await admin('GET', `/audit?limit=2&cursor=${encodeURIComponent(forged)}`), 400);
    }
  });

  it('answers over-long and odd ids in admin paths with 404, never 500', async () => {
    for (const id of ['x'.repeat(5000), 'a'.repeat(17), '..%2F..%2Fprovisioning', '%00', 'scim_0123456789abcdef']) {
      await problem(await admin('DELETE', `/provisioning/tokens/${id}`), 404);
      await problem(await admin('DELETE', `/users/${id}/personal-data`), 404);
    }
  });

  it('counts a flood of refused authentications in one audit event per source IP, reason and minute', async () => {
    // An aggregated event is dated at the start of its minute.
    const since = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();
    const flood = Array.from({ length: 200 }, (_, i) =>
      fetch(`${stack.scimBaseUrl}/Users`, { headers: { Authorization: `Bearer scim_${String(i).padStart(16, '0')}_nope` } }),
    );
    expect(new Set((await Promise.all(flood)).map((r) => r.status))).toEqual(new Set([401]));
    // The identity provider's own token still works.
    expect((await call('GET', '/Users?count=1')).status).toBe(200);
    const { events } = (await (await admin('GET', `/audit?limit=100&since=${encodeURIComponent(since)}`)).json()) as {
      events: { action: string; reason?: string; count?: number }[];
    };
    const refusals = events.filter((e) => e.action === 'scim.authenticate');
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.length).toBeLessThanOrEqual(2); // the flood may straddle a minute
    expect(refusals.reduce((n, e) => n + (e.count ?? 0), 0)).toBe(200);
  });

  it('runs each function with only its grants, as IAM would: a request outside them is AccessDeniedException', async () => {
    const db = createDocumentClient();
    try {
      const readToken = (): Promise<unknown> => db.send(new GetCommand({ TableName: stack.tableName, Key: tokenKeys.item('x') }));
      await expect(runAs('scim', readToken)).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(runAs('scimAuthorizer', readToken)).resolves.toBeDefined();
    } finally {
      db.destroy();
    }
  });

  it('refuses unknown query parameters on the admin API with 400, and ignores them on SCIM routes', async () => {
    await problem(await admin('GET', '/audit?limit=2&sort=desc'), 400);
    await problem(await admin('GET', '/provisioning/tokens?x=1'), 400);
    expect((await call('GET', '/Users?count=1&unknown=1&count2=x')).status).toBe(200);
    expect((await call('GET', '/ServiceProviderConfig?x=%00')).status).toBe(200);
  });

  it('treats values that are objects where a string belongs, and headers named like Object members, as bad input (fuzz findings)', async () => {
    // {"toString": 1} cannot be turned into a string: reading it as one threw (500).
    const user = (await (await call('GET', '/Users?count=1')).json()) as ListBody;
    const id = String(user.Resources?.[0]?.id);
    const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
    await scimError(await call('PATCH', `/Users/${id}`, { schemas: [{ toString: 1 }], Operations: [] }), 400, 'invalidSyntax');
    await scimError(
      await call('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: { toString: 1 }, path: 'x' }] }),
      400,
      'invalidValue',
    );
    await scimError(await call('POST', '/Users/.search', { schemas: [{ toString: 1 }] }), 400, 'invalidSyntax');
    // A header or query parameter named `__proto__` or `constructor` is one like any other.
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const res = await fetch(`${stack.scimBaseUrl}/Users?count=1&${name}=1`, {
        headers: { Authorization: `Bearer ${token}`, [name]: 'x' },
      });
      expect(res.status).toBe(200);
    }
    // Larger than API Gateway's 10 KB for the request line and headers: refused as API Gateway does, never a bare 431.
    const big = await fetch(`${stack.scimBaseUrl}/Users`, { headers: { Authorization: `Bearer ${token}`, 'X-Pad': 'p'.repeat(20_000) } });
    expect(big.status).toBe(413);
  });
});
