import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

// Its own file: the authorizer reads SCIM_AUTH_CACHE_SECONDS once, at cold start.
describe('with SCIM_AUTH_CACHE_SECONDS=1, a deleted token is refused within 1 second', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ SCIM_AUTH_CACHE_SECONDS: '1' });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('keeps answering from the cache inside the bound and refuses after it', async () => {
    const token = await seedToken(stack.tokens);
    const call = async (): Promise<number> =>
      (await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } })).status;
    expect(await call()).toBe(200);
    const [stored] = await stack.tokens.listTokens();
    const deletedAt = Date.now();
    await stack.tokens.deleteToken(stored?.id ?? '');
    const servedFromCache = await call();
    if (Date.now() - deletedAt < 900) expect(servedFromCache).toBe(200); // inside the bound: cached
    await new Promise((r) => setTimeout(r, 1100));
    expect(await call()).toBe(401);
  });
});
