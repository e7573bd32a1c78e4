/**
 * OAuth 2.0 client credentials for SCIM clients, as Microsoft Entra ID's gallery validator checks
 * them (Validate_Credentials): the token endpoint answers 2xx with access_token and expires_in of
 * 60 to 360 minutes, a SCIM call with the token is 2xx, an expired or tampered token is 401 in SCIM's
 * error form. Plus RFC 6749's errors, revocation (client deleted, provisioning disabled) at the next
 * request, and that an access token opens the SCIM API and nothing else.
 */
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { fileSigner } from '../../shared/crypto/signing-key';
import { issueAccessToken } from '../../shared/tokens/access-token';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';
import { ERROR_SCHEMA, SCIM_JSON, USER_SCHEMA } from '../support/scim-client';

interface Client {
  clientId: string;
  clientSecret: string;
}

const FORM = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('OAuth 2.0 client credentials (the token endpoint and access tokens)', () => {
  let stack: TestStack;
  let tokenUrl: string;
  let client: Client;

  const admin = async (method: string, path: string, body?: unknown, bearer = stack.adminToken): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const newClient = async (name: string): Promise<Client> => {
    const res = await admin('POST', '/provisioning/clients', { name });
    expect(res.status).toBe(201);
    return (await res.json()) as Client;
  };
  const requestToken = async (form: Record<string, string>, headers: Record<string, string> = {}, raw?: string): Promise<Response> =>
    fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': FORM, ...headers }, body: raw ?? new URLSearchParams(form).toString() });
  const accessToken = async (c: Client = client): Promise<string> => {
    const res = await requestToken({ grant_type: 'client_credentials' }, { Authorization: basic(c.clientId, c.clientSecret) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const scim = async (bearer: string, path = '/Users?count=1'): Promise<Response> =>
    fetch(`${stack.scimBaseUrl}${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
  const expectScimRefusal = async (res: Response): Promise<void> => {
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe(SCIM_JSON);
    expect(await res.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
  };

  beforeAll(async () => {
    stack = await startTestStack();
    tokenUrl = `${new URL(stack.scimBaseUrl).origin}/api/oauth2/token`;
    expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200);
    client = await newClient('Entra ID');
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('issues a Bearer access token of 60 minutes (HTTP Basic, or the secret in the form), an ES256 JWT for this SCIM API', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await requestToken({ grant_type: 'client_credentials' }, { Authorization: basic(client.clientId, client.clientSecret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    // Entra's validator: expires_in within 60 to 360 minutes.
    expect(body.expires_in).toBeGreaterThanOrEqual(60 * 60);
    expect(body.expires_in).toBeLessThanOrEqual(360 * 60);
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ iss: tokenUrl, aud: stack.scimBaseUrl, sub: client.clientId, client_id: client.clientId });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

    const inForm = await requestToken({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(inForm.status).toBe(200);
    const second = ((await inForm.json()) as { access_token: string }).access_token;
    expect(decodeJwt(second).jti).not.toBe(claims.jti);
  });

  it('opens the SCIM API with it (reads and writes, audited as the client), and nothing else', async () => {
    const bearer = await accessToken();
    expect((await scim(bearer)).status).toBe(200);
    const created = await fetch(`${stack.scimBaseUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': SCIM_JSON },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'oauth.user@example.com' }),
    });
    expect(created.status).toBe(201);
    const audit = (await (await admin('GET', '/audit?limit=50')).json()) as {
      events: { action: string; outcome: string; actor: { type: string; id: string } }[];
    };
    expect(audit.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'user.create',
          outcome: 'success',
          actor: expect.objectContaining({ type: 'scimClient', id: client.clientId }),
        }),
        expect.objectContaining({
          action: 'oauth.token',
          outcome: 'success',
          actor: expect.objectContaining({ type: 'scimClient', id: client.clientId }),
        }),
      ]),
    );
    // Not the admin API, and the client secret itself is no bearer token.
    expect((await admin('GET', '/provisioning', undefined, bearer)).status).toBe(401);
    await expectScimRefusal(await scim(client.clientSecret));
    // Its use is recorded, as a token's is.
    const listed = (
      (await (await admin('GET', '/provisioning/clients')).json()) as { clients: { clientId: string; lastUsedAt: string | null }[] }
    ).clients;
    expect(listed.find((c) => c.clientId === client.clientId)?.lastUsedAt).toEqual(expect.any(String));
  });

  it('refuses an expired, tampered, foreign or misdirected access token with 401 in SCIM error form', async () => {
    const bearer = await accessToken();
    const [h, p, s] = bearer.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    await expectScimRefusal(await scim(`${h}.${p}.${flipped}`));
    // Claims changed (a later exp), signature kept.
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const longer = Buffer.from(JSON.stringify({ ...payload, exp: Number(payload.exp) + 86_400 })).toString('base64url');
    await expectScimRefusal(await scim(`${h}.${longer}.${s}`));
    // alg none.
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    await expectScimRefusal(await scim(`${none}.${p}.`));
    await expectScimRefusal(await scim(`${none}.${p}.AAAA`));

    const ours = fileSigner(join(stack.localDir, 'oauth-signing-key.pem'));
    const claims = { issuer: tokenUrl, audience: stack.scimBaseUrl, clientId: client.clientId, lifetimeSeconds: 3600 };
    // Signed by this deployment's key, but expired one second ago.
    const expired = await issueAccessToken(ours, { ...claims, now: new Date(Date.now() - 3601_000) });
    await expectScimRefusal(await scim(expired.token));
    // The same key, for another audience or from another issuer.
    await expectScimRefusal(
      await scim((await issueAccessToken(ours, { ...claims, audience: 'https://other.example/scim/v2', now: new Date() })).token),
    );
    await expectScimRefusal(
      await scim((await issueAccessToken(ours, { ...claims, issuer: 'https://evil.example/token', now: new Date() })).token),
    );
    // Another key altogether.
    const foreign = fileSigner(join(stack.localDir, 'someone-elses-key.pem'));
    await expectScimRefusal(await scim((await issueAccessToken(foreign, { ...claims, now: new Date() })).token));
    // A valid one still works (the refusals above did not lock the client out).
    const fresh = await issueAccessToken(ours, { ...claims, now: new Date() });
    expect((await scim(fresh.token)).status).toBe(200);
  });

  it("answers RFC 6749's errors: invalid_client (401 with a challenge), unsupported_grant_type, invalid_request", async () => {
    const cases: [string, Promise<Response>, number, string][] = [
      ['no client authentication', requestToken({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
      [
        'a wrong secret',
        requestToken(
          { grant_type: 'client_credentials' },
          { Authorization: basic(client.clientId, `${client.clientSecret.slice(0, -1)}${client.clientSecret.endsWith('x') ? 'y' : 'x'}`) },
        ),
        401,
        'invalid_client',
      ],
      [
        'an unknown client',
        requestToken({ grant_type: 'client_credentials', client_id: 'AAAAAAAAAAAAAAAA', client_secret: client.clientSecret }),
        401,
        'invalid_client',
      ],
      [
        'a SCIM token as the secret',
        requestToken({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: await seedTokenOnce() }),
        401,
        'invalid_client',
      ],
      [
        'unreadable Basic credentials',
        requestToken({ grant_type: 'client_credentials' }, { Authorization: 'Basic !!!' }),
        401,
        'invalid_client',
      ],
      [
        'the password grant',
        requestToken(
          { grant_type: 'password', username: 'a', password: 'b' },
          { Authorization: basic(client.clientId, client.clientSecret) },
        ),
        400,
        'unsupported_grant_type',
      ],
      ['no grant_type', requestToken({}, { Authorization: basic(client.clientId, client.clientSecret) }), 400, 'invalid_request'],
      [
        'Basic and the form at once',
        requestToken(
          { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
          { Authorization: basic(client.clientId, client.clientSecret) },
        ),
        400,
        'invalid_request',
      ],
      [
        'grant_type twice',
        requestToken(
          {},
          { Authorization: basic(client.clientId, client.clientSecret) },
          'grant_type=client_credentials&grant_type=client_credentials',
        ),
        400,
        'invalid_request',
      ],
      [
        'a JSON body',
        requestToken(
          {},
          { 'Content-Type': 'application/json', Authorization: basic(client.clientId, client.clientSecret) },
          '{"grant_type":"client_credentials"}',
        ),
        400,
        'invalid_request',
      ],
    ];
    for (const [what, pending, status, error] of cases) {
      const res = await pending;
      const body = (await res.json()) as { error: string; error_description?: string };
      expect([what, res.status, body.error]).toEqual([what, status, error]);
      expect(body.error_description).toEqual(expect.any(String));
      expect(res.headers.get('cache-control')).toBe('no-store');
      if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(JSON.stringify(body)).not.toContain(client.clientSecret);
    }
    const get = await fetch(tokenUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ error: 'invalid_request' });
    const events = (
      (await (await admin('GET', '/audit?limit=200')).json()) as { events: { action: string; outcome: string; reason?: string }[] }
    ).events;
    expect(events.filter((e) => e.action === 'oauth.token' && e.outcome === 'denied').map((e) => e.reason)).toEqual(
      expect.arrayContaining(['invalid_client', 'unsupported_grant_type', 'invalid_request']),
    );
  });

  it('refuses the access tokens of a deleted client, and of every client once provisioning is disabled, from the next request', async () => {
    const other = await newClient('to delete');
    const bearer = await accessToken(other);
    expect((await scim(bearer)).status).toBe(200);
    expect((await admin('DELETE', `/provisioning/clients/${other.clientId}`)).status).toBe(204);
    await expectScimRefusal(await scim(bearer));
    expect(
      (await requestToken({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret })).status,
    ).toBe(401);

    const still = await accessToken();
    expect((await scim(still)).status).toBe(200);
    expect((await admin('PUT', '/provisioning', { enabled: false })).status).toBe(200);
    await expectScimRefusal(await scim(still));
    expect(
      (await requestToken({ grant_type: 'client_credentials' }, { Authorization: basic(client.clientId, client.clientSecret) })).status,
    ).toBe(401);
  });

  /** A SCIM token (the other credential), made once. */
  let seeded: string | undefined;
  async function seedTokenOnce(): Promise<string> {
    seeded ??= await seedToken(stack.tokens);
    return seeded;
  }
});
