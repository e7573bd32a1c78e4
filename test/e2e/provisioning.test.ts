import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestStack, type TestStack } from '../support/local-stack';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

interface TokenView {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string;
  expiresOn: string;
  status: string;
  lastUsedAt: string | null;
  token?: string;
}

describe('provisioning admin API over the local gateway', () => {
  let stack: TestStack;
  let owner: string;

  const admin = async (method: string, path: string, body?: unknown, jwt = owner): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${jwt}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const scimStatus = async (token: string): Promise<number> =>
    (await fetch(`${stack.scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } })).status;
  const generate = async (name: string): Promise<TokenView> => {
    const res = await admin('POST', '/provisioning/tokens', { name });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return (await res.json()) as TokenView;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    owner = stack.adminToken;
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('walks the whole provisioning story', async () => {
    let res = await admin('GET', '/provisioning');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ enabled: false, scimEndpoint: stack.scimBaseUrl, tokens: [] });

    res = await admin('POST', '/provisioning/tokens', {});
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 409, title: 'Conflict', detail: expect.stringContaining('Enable provisioning') });

    res = await admin('PUT', '/provisioning', { enabled: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ enabled: true, scimEndpoint: stack.scimBaseUrl, tokens: [] });
    expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200); // idempotent

    const first = await generate('Okta');
    const second = await generate('Okta rotation');
    expect(first).toEqual({
      id: expect.any(String),
      name: 'Okta',
      hint: first.token?.slice(-4),
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      expiresOn: first.expiresAt.slice(0, 10),
      status: 'Active',
      lastUsedAt: null,
      token: expect.stringMatching(/^scim_/),
    });
    res = await admin('POST', '/provisioning/tokens', { name: 'third' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/At most 2 .*Delete one/);

    expect(await scimStatus(first.token ?? '')).toBe(200);
    expect(await scimStatus(second.token ?? '')).toBe(200);

    res = await admin('GET', '/provisioning/tokens');
    const listText = await res.text();
    const list = JSON.parse(listText) as { tokens: TokenView[] };
    expect(list.tokens.map((t) => t.name)).toEqual(['Okta', 'Okta rotation']);
    expect(list.tokens[0]?.lastUsedAt).toEqual(expect.any(String));
    expect(list.tokens.every((t) => t.token === undefined)).toBe(true);
    expect(listText).not.toContain(first.token);

    expect((await admin('DELETE', `/provisioning/tokens/${first.id}`)).status).toBe(204);
    expect(await scimStatus(first.token ?? '')).toBe(401);
    expect(await scimStatus(second.token ?? '')).toBe(200);
    res = await admin('DELETE', `/provisioning/tokens/${first.id}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');

    res = await admin('PUT', '/provisioning', { enabled: false });
    expect(await res.json()).toEqual({ enabled: false, scimEndpoint: stack.scimBaseUrl, tokens: [] });
    expect(await scimStatus(second.token ?? '')).toBe(401);

    expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200);
    expect(await scimStatus(first.token ?? '')).toBe(401);
    expect(await scimStatus(second.token ?? '')).toBe(401);
    const fresh = await generate('Entra');
    expect(await scimStatus(fresh.token ?? '')).toBe(200);

    // The audit log has every admin action and every refused SCIM authentication, never a token.
    const events: { action: string; outcome: string; reason?: string; count?: number; actor: { type: string; id: string } }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      res = await admin('GET', `/audit?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const t of [first, second, fresh]) expect(text).not.toContain(t.token);
      const page = JSON.parse(text) as { events: typeof events; nextCursor: string | null };
      events.push(...page.events);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    const summary = events.map((e) => `${e.action}:${e.outcome}`);
    expect(summary.filter((s) => s === 'token.generate:success')).toHaveLength(3);
    expect(summary).toEqual(
      expect.arrayContaining([
        'token.generate:failure',
        'token.delete:success',
        'token.delete:failure',
        'provisioning.disable:success',
        'provisioning.view:success',
        'token.list:success',
      ]),
    );
    // Reading the audit log is audited too (after the read, so the newest event is that read).
    res = await admin('GET', '/audit?limit=1');
    expect(((await res.json()) as { events: typeof events }).events[0]).toMatchObject({ action: 'audit.read', outcome: 'success' });
    expect(events.filter((e) => e.actor.type === 'admin').every((e) => e.actor.id === 'local-owner')).toBe(true);
    // Refusals from one IP for one reason within a minute are one event with a count.
    const refusals = events.filter((e) => e.action === 'scim.authenticate');
    expect(refusals.length).toBeLessThanOrEqual(2);
    expect(refusals.reduce((n, e) => n + (e.count ?? 0), 0)).toBe(4);
    expect(refusals.every((e) => e.outcome === 'denied' && e.reason === 'unknown' && e.actor.type === 'scimToken')).toBe(true);
  });

  it('lets only Owner and System Admin change anything: 401 without or with a bad JWT or a SCIM token, other roles read only', async () => {
    expect((await fetch(`${stack.adminBaseUrl}/provisioning`)).status).toBe(401);
    const bad = await admin('GET', '/provisioning', undefined, `${owner.slice(0, -4)}AAAA`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');

    await admin('PUT', '/provisioning', { enabled: true });
    const made = await generate('for-admin-test');
    const scimToken = made.token ?? '';
    expect((await admin('GET', '/provisioning', undefined, scimToken)).status).toBe(401);

    // The console's read-only view: any signed-in role reads, and is refused every change.
    const tokenIds = async (): Promise<string[]> =>
      ((await (await admin('GET', '/provisioning')).json()) as { tokens: TokenView[] }).tokens.map((t) => t.id).sort();
    const before = await tokenIds();
    expect(before).toContain(made.id);
    const viewer = await stack.signAdminToken('Viewer');
    for (const path of ['/provisioning', '/provisioning/tokens', '/audit', '/users', '/groups', '/webhooks']) {
      expect([path, (await admin('GET', path, undefined, viewer)).status]).toEqual([path, 200]);
    }
    for (const [method, path, body] of [
      ['PUT', '/provisioning', { enabled: false }],
      ['POST', '/provisioning/tokens', { name: 'viewer' }],
      ['DELETE', `/provisioning/tokens/${made.id}`],
      ['POST', '/webhooks', { url: 'https://example.com/hook' }],
    ] as const) {
      const res = await admin(method, path, body, viewer);
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(await res.json()).toMatchObject({ status: 403, title: 'Forbidden', detail: expect.stringContaining('may only read') });
    }
    expect(await scimStatus(scimToken)).toBe(200); // the Viewer's PUT and DELETE changed nothing
    expect(((await (await admin('GET', '/provisioning')).json()) as { enabled: boolean }).enabled).toBe(true);
    expect(await tokenIds()).toEqual(before);

    const systemAdmin = await stack.signAdminToken('SystemAdmin');
    expect((await admin('GET', '/provisioning', undefined, systemAdmin)).status).toBe(200);
  });

  it.each(['Viewer,Owner', '[Owner]', 'Product Owner', 'SystemAdmin Viewer', 'Owner ', '["Owner"]'])(
    'grants nothing to a group named %j (roles are exact, whatever API Gateway flattens the list to)',
    async (group) => {
      expect((await admin('PUT', '/provisioning', { enabled: true })).status).toBe(200);
      const jwt = await stack.signAdminToken(group);
      const res = await admin('PUT', '/provisioning', { enabled: false }, jwt);
      expect(res.status).toBe(403);
      expect(((await (await admin('GET', '/provisioning')).json()) as { enabled: boolean }).enabled).toBe(true);
    },
  );

  it('answers bad input with problem details and changes nothing', async () => {
    await admin('PUT', '/provisioning', { enabled: true });
    for (const body of [{ enabled: 'false' }, {}, '{not json', '[true]']) {
      const res = await admin('PUT', '/provisioning', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'about:blank', status: 400, title: 'Bad Request' });
    }
    expect(((await (await admin('GET', '/provisioning')).json()) as { enabled: boolean }).enabled).toBe(true);
    expect((await admin('POST', '/provisioning/tokens', { name: 'x'.repeat(101) })).status).toBe(400);
    expect((await admin('GET', '/audit?limit=0')).status).toBe(400);
    expect((await admin('GET', '/audit?cursor=nonsense')).status).toBe(400);
    const res = await admin('PATCH', '/provisioning', { enabled: true });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT');
  });

  it('npm run dev:token prints a local JWT for any role', async () => {
    const { stdout } = await run(process.execPath, [require.resolve('tsx/cli'), 'infra/local/dev-token.ts', '--role', 'SystemAdmin'], {
      cwd: root,
      env: { ...process.env, SCIM_LOCAL_DIR: stack.localDir },
    });
    const jwt = stdout.trim();
    expect(JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({ 'cognito:groups': ['SystemAdmin'] });
    expect((await admin('GET', '/provisioning/tokens', undefined, jwt)).status).toBe(200);
  });
});
