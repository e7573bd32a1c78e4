/**
 * What makes the local stack and the admin API explain themselves: the OpenAPI description served
 * without sign-in, refused unknown query parameters, the audit log's `since`, the start page, and one
 * log line per request that names no secret and no person.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { seedToken, startTestStack, type TestStack } from '../support/local-stack';

describe('an operable local stack', () => {
  let stack: TestStack;
  const lines: string[] = [];
  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${stack.adminBaseUrl}${path}`, { ...init, headers: { Authorization: `Bearer ${stack.adminToken}`, ...init.headers } });

  beforeAll(async () => {
    stack = await startTestStack({}, 0, { log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('serves the admin API description at /openapi.json to anyone, valid and pointing at this API', async () => {
    const res = await fetch(`${stack.adminBaseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: stack.adminBaseUrl }]);
    await expect(SwaggerParser.validate(doc as never)).resolves.toBeDefined();
    // Another method there is 405, not a sign-in prompt.
    expect((await fetch(`${stack.adminBaseUrl}/openapi.json`, { method: 'DELETE' })).status).toBe(405);
  });

  it('refuses a query parameter an admin endpoint does not take, naming the ones it does', async () => {
    const res = await admin('/audit?limit=5&page=2');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 400, detail: 'Unknown query parameter "page": it takes limit, cursor, since.' });
    expect((await admin('/provisioning?verbose=1')).status).toBe(400);
    expect((await admin('/audit?limit=5')).status).toBe(200);
  });

  it('pages the audit log by cursor and stops at since', async () => {
    const before = new Date().toISOString();
    for (let i = 0; i < 3; i++) expect((await admin('/provisioning')).status).toBe(200);
    const first = (await (await admin(`/audit?since=${encodeURIComponent(before)}&limit=2`)).json()) as {
      events: { at: string; action: string }[];
      nextCursor: string | null;
    };
    expect(first.events).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = (await (await admin(`/audit?since=${encodeURIComponent(before)}&limit=50&cursor=${first.nextCursor}`)).json()) as {
      events: { at: string; action: string }[];
      nextCursor: string | null;
    };
    const all = [...first.events, ...rest.events];
    // The three views, and the audit reads themselves (each read is audited after it answers).
    expect(all.filter((e) => e.action === 'provisioning.view')).toHaveLength(3);
    expect(all.every((e) => e.at >= before)).toBe(true);
    expect(rest.nextCursor).toBeNull();
    const bad = await admin('/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ detail: expect.stringContaining('since must be an ISO 8601') });
  });

  it('answers / with where everything is, as JSON and as a page for a browser', async () => {
    const origin = new URL(stack.scimBaseUrl).origin;
    const json = await fetch(`${origin}/`);
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({
      scim: stack.scimBaseUrl,
      admin: stack.adminBaseUrl,
      openApi: `${stack.adminBaseUrl}/openapi.json`,
    });
    const html = await fetch(`${origin}/`, { headers: { Accept: 'text/html' } });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = await html.text();
    for (const url of [stack.scimBaseUrl, stack.adminBaseUrl, `${stack.adminBaseUrl}/openapi.json`])
      expect(text).toContain(`href="${url}"`);
    expect((await fetch(`${origin}/nothing-here`)).status).toBe(404);
  });

  it('logs one line per request: time, method, path, query names, status and ms, never a value of a header or the query', async () => {
    const token = await seedToken(stack.tokens);
    lines.length = 0;
    const filter = encodeURIComponent('userName eq "alice.secret@example.com"');
    const res = await fetch(`${stack.scimBaseUrl}/Users?filter=${filter}&count=5`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Custom': 'header-value-123' },
    });
    expect(res.status).toBe(200);
    await fetch(`${stack.scimBaseUrl}/Users`, { headers: { Authorization: 'Bearer scim_wrong' } });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} GET \/api\/scim\/v2\/Users\?filter=…&count=… 200 \d+ms$/);
    expect(lines[1]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} GET \/api\/scim\/v2\/Users 401 \d+ms$/);
    const all = lines.join('\n');
    for (const secret of [token, 'alice.secret', 'Bearer', 'header-value-123', 'scim_wrong']) expect(all).not.toContain(secret);
  });
});
