import type { HttpPost } from '../scim/events/ports';
import { DELIVERY_TIMEOUT_MS } from '../scim/events/webhook-rules';

/**
 * One delivery's POST: the endpoint's status, or why there was none. Redirects are not followed
 * (a 3xx is a failure: the registered URL is the one that must answer). The body of the answer is
 * read and dropped, never kept or logged.
 */
export const httpPost: HttpPost = async (url, headers, body) => {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (e: unknown) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return { error: 'timeout' };
    return { error: typeof code === 'string' ? code : 'connection failed' };
  }
};
