/**
 * Who is signed in. Locally: the local development Owner at once, and a role switcher (the local
 * gateway signs a development ID token for a role). Deployed: the Cognito managed login with the
 * authorization code grant and PKCE; the tokens stay in memory (a reload signs in again, silently
 * while the managed login's session lasts); only the verifier and state wait in sessionStorage
 * for the redirect back, and are removed when it comes.
 */
import type { CognitoConsoleConfig, ConsoleConfig, LocalConsoleConfig } from './config';
import { authorizeUrl, challengeOf, logoutUrl, randomString, rolesOf, jwtClaims, tokenRequestBody } from './lib/pkce';

export interface Session {
  idToken: string;
  roles: string[];
  /** Who, for the header: the e-mail address, else the subject. */
  who: string;
}

const PENDING_KEY = 'scim-console.pkce';

export function sessionOf(idToken: string): Session {
  const claims = jwtClaims(idToken);
  const who = [claims.email, claims['cognito:username'], claims.sub].find((v): v is string => typeof v === 'string') ?? 'signed in';
  return { idToken, roles: rolesOf(idToken), who };
}

/** A development session of this role (local only). */
export async function localSession(config: LocalConsoleConfig, role: string): Promise<Session> {
  const res = await fetch(`${config.sessionUrl}?${new URLSearchParams({ role })}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`The local gateway did not sign in as ${role} (${res.status}).`);
  const { idToken } = (await res.json()) as { idToken: string };
  return sessionOf(idToken);
}

/** Sends the browser to the managed login (never returns normally). */
async function signIn(config: CognitoConsoleConfig): Promise<never> {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  window.location.assign(authorizeUrl({ ...config, state, challenge: await challengeOf(verifier) }));
  return new Promise<never>(() => undefined);
}

/** Back from the managed login with a code: exchange it (once) for the tokens; else go and sign in. */
export async function cognitoSession(config: CognitoConsoleConfig): Promise<Session> {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('code');
  const state = url.searchParams.get('state');
  const pending = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!code) return signIn(config);
  // The code and state leave the address bar (and the history) before anything else runs.
  window.history.replaceState(null, '', `${url.pathname}${url.hash}`);
  // A failed exchange is said, not retried: another redirect could loop on a misconfigured client.
  const expected = pending ? (JSON.parse(pending) as { verifier: string; state: string }) : undefined;
  if (!expected || expected.state !== state)
    throw new Error('The sign-in answer does not belong to this browser tab: reload to sign in again.');
  const res = await fetch(`${config.signInDomain.replace(/\/+$/, '')}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({ clientId: config.clientId, redirectUri: config.redirectUri, code, verifier: expected.verifier }),
  });
  const tokens = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string };
  if (!res.ok || !tokens.id_token) throw new Error(`Sign-in failed (${tokens.error ?? res.status}): reload to sign in again.`);
  return sessionOf(tokens.id_token);
}

export function signOut(config: CognitoConsoleConfig): void {
  window.location.assign(logoutUrl(config));
}

export async function startSession(config: ConsoleConfig): Promise<Session> {
  return config.mode === 'local' ? localSession(config, config.roles[0] ?? 'Owner') : cognitoSession(config);
}

/** After a 401 (the hour-long ID token ran out): deployed, sign in again; locally, a new development token. */
export function reauthenticate(config: ConsoleConfig): void {
  if (config.mode === 'cognito') void signIn(config);
}
