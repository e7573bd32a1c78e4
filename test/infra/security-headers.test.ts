/**
 * The admin console's security headers (infra/console/security-headers.ts): one pure definition
 * that CloudFront and the local gateway both serve, so it is tested on its own here.
 */
import { Token } from 'aws-cdk-lib';
import { consoleSecurityHeaders, contentSecurityPolicy, cspDirectives, HSTS_MAX_AGE_SECONDS } from '../../infra/console/security-headers';

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const SIGN_IN = 'https://acme-admin.auth.eu-west-1.amazoncognito.com';

describe('consoleSecurityHeaders', () => {
  it('gives the strict policy, word for word', () => {
    expect(consoleSecurityHeaders({ connectSrc: [API, SIGN_IN] })).toEqual({
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        `connect-src 'self' ${API} ${SIGN_IN}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    expect(HSTS_MAX_AGE_SECONDS).toBe(63072000);
  });

  it('allows no inline code, no eval and no wildcard, and nothing by default', () => {
    const csp = contentSecurityPolicy({ connectSrc: [API, SIGN_IN] });
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*|https?:(?!\/\/)/);
    const directives = new Map(cspDirectives({ connectSrc: [API] }));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", API]);
  });

  it('with no other origin, lets the console call its own origin only (the local gateway serves the API beside it)', () => {
    expect(new Map(cspDirectives({ connectSrc: [] })).get('connect-src')).toEqual(["'self'"]);
    expect(consoleSecurityHeaders({ connectSrc: ['http://127.0.0.1:8787'] })['Content-Security-Policy']).toContain(
      "connect-src 'self' http://127.0.0.1:8787;",
    );
  });

  it.each([
    ['a wildcard', 'https://*.amazoncognito.com'],
    ['a bare wildcard', '*'],
    ['a path', 'https://api.example.com/prod'],
    ['a second source', 'https://a.example.com https://b.example.com'],
    ['another directive', "https://a.example.com; script-src 'unsafe-inline'"],
    ['a keyword', "'unsafe-eval'"],
    ['a scheme only', 'https:'],
    ['no scheme', 'api.example.com'],
  ])('refuses %s in connect-src', (_what, source) => {
    expect(() => consoleSecurityHeaders({ connectSrc: [source] })).toThrow(/must be one origin/);
  });

  it('takes origins CDK only knows at deploy time (unresolved tokens)', () => {
    const api = `https://${Token.asString({ Ref: 'Api' })}.execute-api.${Token.asString({ Ref: 'AWS::Region' })}.amazonaws.com`;
    expect(contentSecurityPolicy({ connectSrc: [api] })).toContain(`connect-src 'self' ${api};`);
  });
});
