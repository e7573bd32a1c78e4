/**
 * SCIM clients (OAuth 2.0 client credentials) in the admin API: the secret once, listed without it,
 * at most 2 beside (not instead of) the 2 tokens, deleted and expired like tokens, swept away by
 * disabling provisioning, never a bearer token, audited.
 */
import { startTestStack, type TestStack } from '../support/local-stack';

interface ClientView {
  clientId: string;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string;
  expiresOn: string;
  status: string;
  lastUsedAt: string | null;
  clientSecret?: string;
  tokenEndpoint?: string;
}

describe('SCIM clients over the admin API', () => {
  let stack: TestStack;

  const admin = async (method: string, path: string, body?: unknown, jwt = stack.adminToken): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${jwt}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const clients = async (): Promise<ClientView[]> =>
    ((await (await admin('GET', '/provisioning/clients')).json()) as { clients: ClientView[] }).clients;
  const create = async (name: string): Promise<ClientView> => {
    const res = await admin('POST', '/provisioning/clients', { name });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return (await res.json()) as ClientView;
  };
  const scimStatus = async (bearer: string): Promise<number> =>
    (await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${bearer}` } })).status;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('issues a client id and secret once, valid one year, and lists the client without its secret', async () => {
    expect((await admin('POST', '/provisioning/clients', { name: 'Entra' })).status).toBe(409); // provisioning is off
    expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200);
    const before = Date.now();
    const made = await create('Entra');
    expect(made.clientId).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(made.clientSecret).toMatch(new RegExp(`^scimcs_${made.clientId}_[0-9A-Za-z]{49}$`));
    expect(made.hint).toBe(made.clientSecret?.slice(-4));
    const nextYear = new Date(before);
    nextYear.setUTCFullYear(nextYear.getUTCFullYear() + 1);
    expect(made).toMatchObject({ name: 'Entra', status: 'Active', lastUsedAt: null, expiresOn: nextYear.toISOString().slice(0, 10) });

    // The URL to give the identity provider with the id and secret.
    const tokenEndpoint = `${new URL(stack.scimBaseUrl).origin}/api/oauth2/token`;
    expect(made.tokenEndpoint).toBe(tokenEndpoint);
    const listing = (await (await admin('GET', '/provisioning/clients')).json()) as { clients: ClientView[]; tokenEndpoint: string };
    expect(listing.tokenEndpoint).toBe(tokenEndpoint);
    const listed = await clients();
    const { clientSecret: _secret, tokenEndpoint: _endpoint, ...view } = made;
    expect(listed).toEqual([view]);
    expect(JSON.stringify(listed)).not.toContain(made.clientSecret ?? '');
    // Clients are not tokens: the token list does not show it, and its secret is no bearer token.
    expect(((await (await admin('GET', '/provisioning/tokens')).json()) as { tokens: unknown[] }).tokens).toEqual([]);
    expect(await scimStatus(made.clientSecret ?? '')).toBe(401);
    expect(await scimStatus(`scim_${(made.clientSecret ?? '').slice('scimcs_'.length)}`)).toBe(401);
  });

  it('keeps at most 2 clients, beside (not instead of) the 2 tokens; ids of one kind never delete the other', async () => {
    const second = await create('Entra (rotation)');
    const third = await admin('POST', '/provisioning/clients', { name: 'one too many' });
    expect(third.status).toBe(409);
    expect(await third.json()).toMatchObject({ detail: 'At most 2 SCIM clients can exist at once. Delete one before generating another.' });
    const tokens: string[] = [];
    for (const name of ['okta-1', 'okta-2']) {
      const res = await admin('POST', '/provisioning/tokens', { name });
      expect(res.status).toBe(201);
      tokens.push(((await res.json()) as { id: string }).id);
    }
    expect((await admin('POST', '/provisioning/tokens', { name: 'okta-3' })).status).toBe(409);

    expect((await admin('DELETE', `/provisioning/tokens/${second.clientId}`)).status).toBe(404);
    expect((await admin('DELETE', `/provisioning/clients/${tokens[0]}`)).status).toBe(404);
    expect((await clients()).map((c) => c.clientId)).toContain(second.clientId);
    expect((await admin('DELETE', `/provisioning/clients/${second.clientId}`)).status).toBe(204);
    expect((await admin('DELETE', `/provisioning/clients/${second.clientId}`)).status).toBe(404);
    expect((await clients()).map((c) => c.name)).toEqual(['Entra']);
    await create('Entra (again)'); // the slot is free again
    for (const bad of [{ name: '' }, { name: 'x'.repeat(101) }, { name: 'a', expiresInDays: 0 }, { name: 'a', scope: 'scim' }]) {
      expect([bad, (await admin('POST', '/provisioning/clients', bad)).status]).toEqual([bad, 400]);
    }
  });

  it('lets another role list clients but not create or delete them, and audits every change', async () => {
    const viewer = await stack.signAdminToken('Viewer');
    expect((await admin('GET', '/provisioning/clients', undefined, viewer)).status).toBe(200);
    expect((await admin('POST', '/provisioning/clients', { name: 'viewer' }, viewer)).status).toBe(403);
    const [first] = await clients();
    expect((await admin('DELETE', `/provisioning/clients/${first?.clientId}`, undefined, viewer)).status).toBe(403);
    expect((await clients()).length).toBe(2);
    const events = (
      (await (await admin('GET', '/audit?limit=200')).json()) as { events: { action: string; outcome: string; target?: { id?: string } }[] }
    ).events;
    const actions = events.map((e) => `${e.action}:${e.outcome}`);
    for (const a of [
      'client.generate:success',
      'client.generate:failure',
      'client.delete:success',
      'client.delete:failure',
      'client.list:success',
    ]) {
      expect(actions).toContain(a);
    }
    expect(JSON.stringify(events)).not.toMatch(/scimcs_/);
  });

  it('marks a client Expired by the clock and in the expiry job (freeing its slot), and disabling provisioning deletes every client', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const expiring = (await clients())[0];
    // Age one client in the table, as a year would.
    await stack.tokens.deleteToken(expiring?.clientId ?? '', undefined, 'client');
    await stack.tokens.createToken(
      {
        kind: 'client',
        id: expiring?.clientId ?? '',
        name: 'old',
        hint: 'abcd',
        hash: '0'.repeat(64),
        createdAt: past,
        expiresAt: past,
        status: 'Active',
        createdBy: 'test',
      },
      2,
    );
    expect((await clients()).find((c) => c.clientId === expiring?.clientId)?.status).toBe('Expired');
    await stack.runTokenExpiry();
    expect((await stack.tokens.getSettings()).activeClients).toBe(1);
    expect((await stack.tokens.getToken(expiring?.clientId ?? ''))?.status).toBe('Expired');
    await create('after expiry'); // the expired client no longer counts

    expect((await admin('PUT', '/provisioning', { enabled: false })).status).toBe(200);
    expect(await clients()).toEqual([]);
    expect(await stack.tokens.getSettings()).toMatchObject({ enabled: false, activeTokens: 0, activeClients: 0 });
    expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200);
    expect(await clients()).toEqual([]);
  });
});
