/** The admin API, as the console calls it: the signed-in administrator's ID token, JSON in and out, problem details as errors. */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** `token()` is asked at each call: a role switch or a new sign-in applies to the next request. */
export function adminApi(base: string, token: () => string, onUnauthorized: () => void): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: token(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
    if (res.status === 401) onUnauthorized();
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
      throw new ApiError(res.status, problem.detail ?? problem.title ?? `The admin API answered ${res.status}.`);
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return {
    get: (path, query = {}) => {
      const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
      const text = q.toString();
      return call('GET', text ? `${path}?${text}` : path);
    },
    send: (method, path, body) => call(method, path, body),
  };
}
