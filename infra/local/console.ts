/**
 * The admin console, served by the local gateway at /admin/: the Vite build (infra/console), a
 * config.json that signs in as the local development Owner at once, and /admin/session, which
 * signs a development ID token for a role (the role switcher; local only, never deployed). Every
 * answer carries the deployed console's security headers (infra/console/security-headers.ts), so
 * a page that works here does not rely on anything CloudFront's policy forbids.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { consoleSecurityHeaders } from '../console/security-headers';
import type { LocalConsoleConfig } from '../console/src/config';
import { ADMIN_BASE_PATH } from '../../shared/http/routes';

export const CONSOLE_PATH = '/admin';

export interface LocalConsoleOptions {
  /** The built console (index.html, assets/). */
  dir: string;
  /** The roles that may change provisioning (the admin function's ADMIN_ROLES). */
  manageRoles: readonly string[];
  /** Signs a development ID token for a role. */
  sign: (role: string) => Promise<string>;
}

/** The roles the switcher offers: the managing ones (the first, Owner, is who the console starts as), then a read-only one. */
export const READ_ONLY_ROLE = 'Viewer';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export type LocalPage = (url: URL) => Promise<APIGatewayProxyResult | undefined>;

export function localConsole(options: LocalConsoleOptions): LocalPage {
  const headers = consoleSecurityHeaders({ connectSrc: [] });
  const roles = [...options.manageRoles, READ_ONLY_ROLE];
  const answer = (statusCode: number, type: string, body: string, extra: Record<string, string> = {}): APIGatewayProxyResult => ({
    statusCode,
    headers: { ...headers, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra },
    body,
  });
  return async (url) => {
    const path = url.pathname;
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return undefined;
    // Relative asset paths need the trailing slash.
    if (path === CONSOLE_PATH) return { statusCode: 302, headers: { Location: `${CONSOLE_PATH}/` }, body: '' };
    const rest = path.slice(CONSOLE_PATH.length + 1);
    if (rest === 'config.json') {
      const config: LocalConsoleConfig = {
        mode: 'local',
        apiBase: ADMIN_BASE_PATH,
        sessionUrl: `${CONSOLE_PATH}/session`,
        roles,
        manageRoles: [...options.manageRoles],
      };
      return answer(200, TYPES['.json'] ?? '', JSON.stringify(config));
    }
    if (rest === 'session') {
      const role = url.searchParams.get('role') ?? '';
      if (!roles.includes(role))
        return answer(400, TYPES['.json'] ?? '', JSON.stringify({ detail: `role must be one of ${roles.join(', ')}` }));
      return answer(200, TYPES['.json'] ?? '', JSON.stringify({ idToken: await options.sign(role) }));
    }
    try {
      const file = normalize(join(options.dir, rest === '' ? 'index.html' : decodeURIComponent(rest)));
      if (!file.startsWith(`${normalize(options.dir)}${sep}`)) return answer(404, 'text/plain; charset=utf-8', 'Not found');
      const body = await readFile(file, 'utf8');
      const cache: Record<string, string> = rest.startsWith('assets/') ? { 'Cache-Control': 'public, max-age=31536000, immutable' } : {};
      return answer(200, TYPES[extname(file)] ?? 'application/octet-stream', body, cache);
    } catch {
      return answer(404, 'text/plain; charset=utf-8', 'Not found');
    }
  };
}
