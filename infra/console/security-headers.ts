/**
 * The security headers of the admin console's pages: one definition for CloudFront (the response
 * headers policy of infra/constructs/admin-console.ts) and the local gateway (/admin/), so the
 * console runs under the same Content-Security-Policy everywhere and a page that works locally
 * cannot rely on something the deployed one forbids.
 *
 * The console is built without inline scripts or styles (vite.config.mts), so the policy allows
 * the console's own files only: no 'unsafe-inline', no 'unsafe-eval', no wildcard. It may call two
 * origins besides its own: the admin API and the Cognito managed login (its token endpoint).
 */

/** Two years (the value hstspreload.org recommends): a browser that came once never tries http again for that long. */
export const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 60 * 60;
export const FRAME_OPTIONS = 'DENY';
export const REFERRER_POLICY = 'no-referrer';

export interface ConsoleSecurityHeadersOptions {
  /** Origins the console's scripts may call besides its own (scheme and host, no path). */
  connectSrc: readonly string[];
}

export type CspDirective = readonly [name: string, sources: readonly string[]];

/**
 * A connect-src source must be one origin: a wildcard would let a script injected some other way
 * send what it read anywhere, and a space, `;` or `,` would smuggle in another source or directive.
 * (CDK passes origins as unresolved tokens, `https://${Token[…]}`, which pass this check.)
 */
function checkOrigin(source: string): string {
  if (!/^https?:\/\/[^\s;,'*/]+$/.test(source)) {
    throw new Error(`Console connect-src "${source}" must be one origin (http(s)://host, no path, no wildcard)`);
  }
  return source;
}

/** The directives, in order: nothing by default, then the console's own files and the two APIs it calls. */
export function cspDirectives(options: ConsoleSecurityHeadersOptions): CspDirective[] {
  return [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    // data: for the empty favicon of index.html (`<link rel="icon" href="data:,">`).
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    // 'self' for ./config.json.
    ['connect-src', ["'self'", ...options.connectSrc.map(checkOrigin)]],
    ['base-uri', ["'none'"]],
    // Sign-in and sign-out are navigations to the managed login, never form posts.
    ['form-action', ["'none'"]],
    // Clickjacking: no page may frame the console (X-Frame-Options says the same to older browsers).
    ['frame-ancestors', ["'none'"]],
  ];
}

export function contentSecurityPolicy(options: ConsoleSecurityHeadersOptions): string {
  return cspDirectives(options)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** Header name → value, as the console's responses carry them. */
export function consoleSecurityHeaders(options: ConsoleSecurityHeadersOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': FRAME_OPTIONS,
    'Referrer-Policy': REFERRER_POLICY,
  };
}
