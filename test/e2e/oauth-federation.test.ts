/**
 * Federated credentials (RFC 7523 JWT bearer grant), with a local identity provider standing in for
 * Entra ID's workload identity federation: its keys at a JWKS URL (or given inline), assertions it
 * signs exchanged for access tokens, and everything else refused with invalid_grant.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startTestStack, type TestStack } from '../support/local-stack';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISSUER = 'https://login.example.com/tenant-1/v2.0';
const SUBJECT = 'app-7c1d';
const AUDIENCE = 'api://scim-provisioning';

describe('federated credentials: the JWT bearer grant with a trusted issuer', () => {
  let stack: TestStack;
  let tokenUrl: string;
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksFetches = 0;
  let signingKey: CryptoKey;
  let publicJwk: JWK;
  let clientId: string;
  let silentServer: Server;

  const admin = async (method: string, path: string, body?: unknown, bearer = stack.adminToken): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const assertion = async (
    claims: { iss?: string; sub?: string; aud?: string; exp?: string | number } = {},
    key: CryptoKey = signingKey,
    alg = 'ES256',
  ): Promise<string> =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid: 'k1' })
      .setIssuer(claims.iss ?? ISSUER)
      .setSubject(claims.sub ?? SUBJECT)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key);
  const exchange = async (form: Record<string, string>): Promise<Response> =>
    fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const expectGrant = async (form: Record<string, string>, error: string, status = 400): Promise<void> => {
    const res = await exchange(form);
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([status, error]);
  };
  const listen = (server: Server): Promise<string> =>
    new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

  beforeAll(async () => {
    stack = await startTestStack();
    tokenUrl = `${new URL(stack.scimBaseUrl).origin}/api/oauth2/token`;
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      jwksFetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    });
    jwksUrl = `${await listen(jwksServer)}/jwks`;
    // An issuer that never answers (the JWKS fetch must time out, not hold the request).
    silentServer = createServer(() => undefined);
    silentServer.unref();
    await listen(silentServer);
    expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200);
    const made = await admin('POST', '/provisioning/clients', { name: 'Entra workload identity' });
    clientId = ((await made.json()) as { clientId: string }).clientId;
  });
  afterAll(async () => {
    jwksServer?.close();
    silentServer?.closeAllConnections();
    silentServer?.close();
    await stack.stop();
  });

  it('registers the trusted issuer for a client (Owner and System Admin), checked and audited', async () => {
    const federation = { issuer: ISSUER, subject: SUBJECT, audience: AUDIENCE, jwksUrl };
    const viewer = await stack.signAdminToken('Viewer');
    expect((await admin('PUT', `/provisioning/clients/${clientId}/federation`, federation, viewer)).status).toBe(403);
    for (const bad of [
      { ...federation, jwksUrl: 'http://login.example.com/keys' },
      { ...federation, jwksUrl: 'https://10.0.0.5/keys' },
      { ...federation, keys: [publicJwk] },
      { issuer: ISSUER, subject: SUBJECT, audience: AUDIENCE },
      { ...federation, subject: '' },
      { ...federation, extra: true },
      { issuer: ISSUER, subject: SUBJECT, audience: AUDIENCE, keys: [{ ...publicJwk, d: 'private' }] },
      { issuer: ISSUER, subject: SUBJECT, audience: AUDIENCE, keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
    ]) {
      const res = await admin('PUT', `/provisioning/clients/${clientId}/federation`, bad);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
    expect((await admin('PUT', '/provisioning/clients/AAAAAAAAAAAAAAAA/federation', federation)).status).toBe(404);
    const res = await admin('PUT', `/provisioning/clients/${clientId}/federation`, federation);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ clientId, federation });
    const listed = ((await (await admin('GET', '/provisioning/clients')).json()) as { clients: { federation?: unknown }[] }).clients;
    expect(listed[0]?.federation).toEqual(federation);
    const audit = ((await (await admin('GET', '/audit?limit=50')).json()) as { events: { action: string; outcome: string }[] }).events;
    expect(audit.map((e) => `${e.action}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['client.federation.set:success', 'client.federation.set:failure']),
    );
  });

  it("exchanges the issuer's assertion for an access token that opens the SCIM API; the keys are fetched once and cached", async () => {
    const res = await exchange({ grant_type: JWT_BEARER, assertion: await assertion() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const scim = await fetch(`${stack.scimBaseUrl}/Users?count=1`, { headers: { Authorization: `Bearer ${body.access_token}` } });
    expect(scim.status).toBe(200);
    expect((await exchange({ grant_type: JWT_BEARER, assertion: await assertion() })).status).toBe(200);
    expect(jwksFetches).toBe(1);
  });

  it('refuses every other assertion with invalid_grant', async () => {
    const other = await generateKeyPair('ES256');
    const cases: [string, string][] = [
      ['another audience', await assertion({ aud: 'api://someone-else' })],
      ['another subject', await assertion({ sub: 'app-other' })],
      ['another issuer', await assertion({ iss: 'https://evil.example.com/' })],
      ['expired', await assertion({ exp: Math.floor(Date.now() / 1000) - 120 })],
      ['valid for two hours (not near)', await assertion({ exp: '2h' })],
      ['signed by another key', await assertion({}, other.privateKey)],
      [
        'HMAC-signed',
        await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setSubject(SUBJECT)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(32))),
      ],
      ['not a JWT', 'not-a-jwt'],
    ];
    for (const [what, jwt] of cases) {
      const res = await exchange({ grant_type: JWT_BEARER, assertion: jwt });
      expect([what, res.status, ((await res.json()) as { error: string }).error]).toEqual([what, 400, 'invalid_grant']);
    }
    await expectGrant({ grant_type: JWT_BEARER }, 'invalid_request');
    await expectGrant({ grant_type: JWT_BEARER, assertion: await assertion(), client_id: clientId, client_secret: 'x' }, 'invalid_request');
  });

  it('takes inline keys too, times out a silent JWKS URL, and stops trusting the issuer once the federation is removed', async () => {
    const rsa = await generateKeyPair('RS256');
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1' };
    const inline = { issuer: ISSUER, subject: SUBJECT, audience: AUDIENCE, keys: [rsaJwk] };
    expect((await admin('PUT', `/provisioning/clients/${clientId}/federation`, inline)).status).toBe(200);
    expect((await exchange({ grant_type: JWT_BEARER, assertion: await assertion({}, rsa.privateKey, 'RS256') })).status).toBe(200);
    await expectGrant({ grant_type: JWT_BEARER, assertion: await assertion() }, 'invalid_grant'); // the ES256 key is no longer trusted

    const silentUrl = `http://127.0.0.1:${(silentServer.address() as AddressInfo).port}/jwks`;
    expect(
      (await admin('PUT', `/provisioning/clients/${clientId}/federation`, { ...inline, keys: undefined, jwksUrl: silentUrl })).status,
    ).toBe(200);
    const started = Date.now();
    await expectGrant({ grant_type: JWT_BEARER, assertion: await assertion() }, 'invalid_grant');
    expect(Date.now() - started).toBeLessThan(8000); // the 3 s fetch timeout, not the function's 10 s

    expect((await admin('DELETE', `/provisioning/clients/${clientId}/federation`)).status).toBe(200);
    const listed = ((await (await admin('GET', '/provisioning/clients')).json()) as { clients: { federation?: unknown }[] }).clients;
    expect(listed[0]?.federation).toBeUndefined();
    await expectGrant({ grant_type: JWT_BEARER, assertion: await assertion({}, rsa.privateKey, 'RS256') }, 'invalid_grant');
  }, 30_000);
});
