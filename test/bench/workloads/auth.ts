/** (e) The authorizer cold and warm, and how long a deleted token keeps working. */
import type { Bench } from '../harness';

export async function authorizer(bench: Bench, warmRequests: number): Promise<{ refusedAfterMs: number; requestsUntilRefused: number }> {
  for (let i = 0; i < warmRequests; i++)
    await bench.measure('authorizer + GET /ServiceProviderConfig (warm)', () => bench.scim('/ServiceProviderConfig'));

  // A second token, deleted through the admin API; then the time until the SCIM API refuses it.
  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${bench.stack.adminBaseUrl}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${bench.stack.adminToken}`, 'Content-Type': 'application/json' },
    });
  const created = (await (await admin('/provisioning/tokens', { method: 'POST', body: '{"name":"doomed"}' })).json()) as {
    id: string;
    token: string;
  };
  const call = (): Promise<Response> =>
    fetch(`${bench.stack.scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${created.token}` } });
  if ((await call()).status !== 200) throw new Error('the new token does not work');
  await admin(`/provisioning/tokens/${created.id}`, { method: 'DELETE' });
  const deletedAt = performance.now();
  let requests = 0;
  for (;;) {
    requests++;
    if ((await call()).status === 401) break;
    if (performance.now() - deletedAt > 30_000) throw new Error('a deleted token still works after 30 s');
  }
  return { refusedAfterMs: Math.round(performance.now() - deletedAt), requestsUntilRefused: requests };
}

/** (e) OAuth 2.0: the token endpoint (client credentials), and the authorizer with an access token instead of a SCIM token. */
export async function oauthClient(bench: Bench, requests: number): Promise<void> {
  const made = await fetch(`${bench.stack.adminBaseUrl}/provisioning/clients`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bench.stack.adminToken}`, 'Content-Type': 'application/json' },
    body: '{"name":"bench"}',
  });
  const { clientId, clientSecret } = (await made.json()) as { clientId: string; clientSecret: string };
  const tokenUrl = `${new URL(bench.stack.scimBaseUrl).origin}/api/oauth2/token`;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
  let accessToken = '';
  for (let i = 0; i < requests; i++) {
    const { res, body } = await bench.measure('POST /api/oauth2/token (client credentials)', () =>
      fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form }),
    );
    if (res.status !== 200) throw new Error(`the token endpoint answered ${res.status}`);
    accessToken = (JSON.parse(body) as { access_token: string }).access_token;
  }
  for (let i = 0; i < requests; i++) {
    await bench.measure('access token + GET /ServiceProviderConfig (warm)', () =>
      bench.scim('/ServiceProviderConfig', { headers: { Authorization: `Bearer ${accessToken}` } }),
    );
  }
}
