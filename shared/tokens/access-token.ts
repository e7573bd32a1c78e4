/**
 * OAuth 2.0 access tokens for SCIM clients: JWTs (RFC 9068's `at+jwt`), ES256, issued by the token
 * endpoint and accepted by the SCIM authorizer. The signing key is a port: AWS KMS in the stack
 * (the private key never leaves KMS), a local key file in local mode. Pure apart from node:crypto.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'ES256';
/** Entra ID's gallery wants access tokens of 60 minutes to 6 hours; the default is the shortest. */
export const MIN_ACCESS_TOKEN_SECONDS = 3600;
export const MAX_ACCESS_TOKEN_SECONDS = 21_600;
export const DEFAULT_ACCESS_TOKEN_SECONDS = MIN_ACCESS_TOKEN_SECONDS;

/** Refuses (at synth and at cold start) a lifetime outside 3600 to 21600 seconds. */
export function checkAccessTokenLifetime(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < MIN_ACCESS_TOKEN_SECONDS || seconds > MAX_ACCESS_TOKEN_SECONDS) {
    throw new RangeError(
      `accessTokenLifetimeSeconds must be a whole number from ${MIN_ACCESS_TOKEN_SECONDS} to ${MAX_ACCESS_TOKEN_SECONDS}, not ${seconds}`,
    );
  }
  return seconds;
}

/** The signing key: signs with ES256 (the raw r||s signature of JWS), and gives its public key to verify with. */
export interface AccessTokenSigner {
  /** The key's id (the JWT header's `kid`). */
  readonly keyId: string;
  sign(input: Uint8Array): Promise<Uint8Array>;
  publicKey(): Promise<KeyObject>;
}

export interface AccessTokenClaims {
  /** The token endpoint's URL. */
  iss: string;
  /** The SCIM base URL: the one API the token is for. */
  aud: string;
  /** The client id. */
  sub: string;
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
}

const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/** Signs a new access token for a client. */
export async function issueAccessToken(
  signer: AccessTokenSigner,
  claims: { issuer: string; audience: string; clientId: string; now: Date; lifetimeSeconds: number; jti?: string },
): Promise<{ token: string; claims: AccessTokenClaims }> {
  const iat = Math.floor(claims.now.getTime() / 1000);
  const payload: AccessTokenClaims = {
    iss: claims.issuer,
    aud: claims.audience,
    sub: claims.clientId,
    client_id: claims.clientId,
    iat,
    exp: iat + claims.lifetimeSeconds,
    jti: claims.jti ?? randomUUID(),
  };
  const input = `${b64url(JSON.stringify({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYPE, kid: signer.keyId }))}.${b64url(JSON.stringify(payload))}`;
  const signature = await signer.sign(new TextEncoder().encode(input));
  return { token: `${input}.${b64url(signature)}`, claims: payload };
}

/** Whether a bearer value has the form of a JWT (three base64url parts): worth verifying as an access token. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}$/.test(value) && value.length <= 4096;
}

export type AccessTokenCheck =
  { ok: true; clientId: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' };

/**
 * Verifies an access token: ES256 by this key only (the header's `alg` and `typ` are checked, `none`
 * and HMAC never accepted), the audience (this SCIM API), the issuer, and the expiry (no leeway:
 * a token is refused from its `exp` on).
 */
export async function verifyAccessToken(
  token: string,
  key: KeyObject,
  expected: { issuer: string; audience: string; now: Date },
): Promise<AccessTokenCheck> {
  if (!looksLikeJwt(token)) return { ok: false, reason: 'malformed' };
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== ACCESS_TOKEN_ALG || header.typ !== ACCESS_TOKEN_TYPE) return { ok: false, reason: 'mismatch' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ACCESS_TOKEN_ALG],
      typ: ACCESS_TOKEN_TYPE,
      issuer: expected.issuer,
      audience: expected.audience,
      currentDate: expected.now,
      requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
    });
    if (typeof payload.client_id !== 'string' || payload.client_id !== payload.sub || typeof payload.exp !== 'number') {
      return { ok: false, reason: 'mismatch' };
    }
    return { ok: true, clientId: payload.client_id, expiresAt: payload.exp };
  } catch (e: unknown) {
    if (e instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (e instanceof errors.JOSEError) return { ok: false, reason: 'mismatch' };
    throw e;
  }
}
