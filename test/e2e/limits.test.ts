import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

// Input DynamoDB could not store, or a forged cursor, gets a SCIM 4xx, never a 500.
describe('limits of what can be stored', () => {
  let stack: TestStack;
  let token: string;
  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${stack.scimBaseUrl}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
    });
  const user = (extra: Record<string, unknown>): string =>
    JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'limits@example.com', ...extra });

  it('refuses a userName or externalId too long for an index key with 400 invalidValue', async () => {
    for (const body of [user({ userName: 'u'.repeat(3000) }), user({ externalId: 'e'.repeat(3000) })]) {
      const res = await call('/Users', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    }
  });

  it('refuses a resource too large to store with 400 invalidValue', async () => {
    const res = await call('/Users', { method: 'POST', body: user({ displayName: 'd'.repeat(500_000) }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ scimType: 'invalidValue' });
  });

  it('answers ids that cannot exist with 404', async () => {
    const id = 'x'.repeat(2100);
    for (const [method, body] of [
      ['GET'],
      ['DELETE'],
      ['PUT', user({})],
      ['PATCH', '{"Operations":[{"op":"replace","path":"active","value":false}]}'],
    ] as const) {
      const res = await call(`/Users/${id}`, { method, ...(body ? { body } : {}) });
      expect(res.status).toBe(404);
    }
    expect((await call(`/Groups/${id}`)).status).toBe(404);
  });

  it('refuses a forged cursor with 400 invalidCursor', async () => {
    const forge = (state: unknown): string =>
      Buffer.from(JSON.stringify({ v: 1, list: JSON.stringify(['', '', false]), exp: 4102444800, state }), 'utf8').toString('base64url');
    for (const state of [
      { mode: 'position', position: {}, offset: 0 },
      { mode: 'position', position: { PK: 'TOKEN', SK: 'x', GSI3PK: 'AUDIT', GSI3SK: 'y' }, offset: 0 },
      { mode: 'position', position: { PK: 'USER#a', SK: 'USER', GSI3PK: 'USERS', GSI3SK: 'z' }, offset: -5 },
    ]) {
      const res = await call(`/Users?cursor=${forge(state)}&count=2`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ scimType: 'invalidCursor' });
    }
  });
});
