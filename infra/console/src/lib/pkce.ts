/**
 * OAuth 2.0 authorization code with PKCE (RFC 7636, S256) for the Cognito managed login: the
 * verifier, its challenge, the state, and the URLs. Pure except for the random values and the
 * digest, which come from Web Crypto (the browser's, or Node's in the tests).
 */

const base64url = (bytes: Uint8Array): string => {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** 32 random bytes as base64url: 43 characters, within RFC 7636's 43 to 128. */
export const randomString = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** BASE64URL(SHA-256(verifier)): the S256 code challenge. */
export async function challengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

export interface AuthorizeParams {
  signInDomain: string;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
}

/** The managed login's authorize URL (openid, email, profile: what the app client allows). */
export function authorizeUrl(p: AuthorizeParams): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: 'openid email profile',
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
  });
  return `${p.signInDomain.replace(/\/+$/, '')}/oauth2/authorize?${q}`;
}

/** The token request's form body (a public client: no secret; the verifier proves the code is ours). */
export function tokenRequestBody(p: { clientId: string; redirectUri: string; code: string; verifier: string }): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    code: p.code,
    code_verifier: p.verifier,
  }).toString();
}

/** The managed login's sign-out URL (it ends the Cognito session, then comes back). */
export function logoutUrl(p: { signInDomain: string; clientId: string; logoutUri: string }): string {
  const q = new URLSearchParams({ client_id: p.clientId, logout_uri: p.logoutUri });
  return `${p.signInDomain.replace(/\/+$/, '')}/logout?${q}`;
}

/** The claims of a JWT's payload, unverified: only to show who is signed in and which controls to offer (the API decides). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  try {
    const binary = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The roles (Cognito groups) of an ID token. */
export function rolesOf(token: string): string[] {
  const groups = jwtClaims(token)['cognito:groups'];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}
