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
