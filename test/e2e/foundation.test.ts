import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

describe('local stack end to end: GET /ServiceProviderConfig', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack();
    token = await seedToken(stack.tokens);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers SCIM JSON through the authorizer and the SCIM function', async () => {
    const res = await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(body.meta).toEqual({ resourceType: 'ServiceProviderConfig', location: `${stack.scimBaseUrl}/ServiceProviderConfig` });
    expect(body.authenticationSchemes).toEqual([
      expect.objectContaining({ type: 'oauthbearertoken', primary: true }),
      // OAuth 2.0 client credentials: the token endpoint on this origin (the local gateway serves both).
      expect.objectContaining({
        type: 'oauth2',
        primary: false,
        specUri: 'https://www.rfc-editor.org/rfc/rfc6749',
        description: expect.stringContaining(`token endpoint ${new URL(stack.scimBaseUrl).origin}/api/oauth2/token`),
      }),
    ]);
  });

  it('refuses a request without a token with SCIM error JSON', async () => {
    const res = await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(await res.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
      detail: 'A valid SCIM bearer token is required.',
    });
  });

  it('refuses a well-formed token that does not exist', async () => {
    const forged = `${token.slice(0, 5)}AAAAAAAAAAAAAAAA${token.slice(21)}`;
    const res = await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  it('answers an unknown SCIM path with a SCIM 404', async () => {
    const res = await fetch(`${stack.scimBaseUrl}/NoSuchThing`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const res = await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await res.json()).toMatchObject({ status: '405' });
  });

  it('answers a body over the gateway limit with a SCIM 413', async () => {
    const res = await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '413' });
  });
});
