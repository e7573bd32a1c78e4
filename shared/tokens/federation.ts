/**
 * Federated credentials for a SCIM client (RFC 7523, the JWT bearer grant): instead of a secret,
 * the client proves itself with a short-lived JWT signed by an identity provider the administrator
 * trusts for it (e.g. Entra ID's workload identity federation): its issuer, the subject it names the
 * client by, the audience it addresses, and its keys (a JWKS URL, or the keys themselves).
 */
import { decodeJwt, errors, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { checkHttpsUrl, WebhookRuleError } from '../scim/events/webhook-rules';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** An assertion must expire within this many seconds of now: a short-lived proof, not a long-lived key. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
/** Clock difference allowed between the issuer and this service. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 60;
const MAX_CLAIM_LENGTH = 512;
const MAX_KEYS = 10;
/** Asymmetric algorithms only: an HMAC key would be a shared secret, which is what federation avoids. */
export const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export interface Federation {
  issuer: string;
  subject: string;
  audience: string;
  /** Where the issuer publishes its keys (fetched with a timeout, cached)… */
  jwksUrl?: string;
  /** …or the public keys themselves. */
  jwks?: { keys: JWK[] };
}

export class FederationRuleError extends Error {
  override readonly name = 'FederationRuleError';
}

function claim(raw: Record<string, unknown>, name: 'issuer' | 'subject' | 'audience'): string {
  const v = raw[name];
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_CLAIM_LENGTH) {
    throw new FederationRuleError(`${name} must be a non-empty string of at most ${MAX_CLAIM_LENGTH} characters.`);
  }
  return v;
}

/** A federation as an administrator registers it: every field checked, nothing else kept. */
export function checkFederation(raw: unknown, options: { allowLocalHttp: boolean }): Federation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FederationRuleError('Send a JSON object.');
  const body = raw as Record<string, unknown>;
  const extra = Object.keys(body).filter((k) => !['issuer', 'subject', 'audience', 'jwksUrl', 'keys'].includes(k));
  if (extra.length > 0)
    throw new FederationRuleError(`Unknown field ${extra.join(', ')}: a federation takes issuer, subject, audience, and jwksUrl or keys.`);
  const federation: Federation = { issuer: claim(body, 'issuer'), subject: claim(body, 'subject'), audience: claim(body, 'audience') };
  if ((body.jwksUrl === undefined) === (body.keys === undefined))
    throw new FederationRuleError("Give the issuer's keys as jwksUrl or as keys (one of them).");
  if (body.jwksUrl !== undefined) {
    try {
      federation.jwksUrl = checkHttpsUrl(body.jwksUrl, { ...options, field: 'jwksUrl', whyHttps: 'the keys decide who may sign in' });
    } catch (e: unknown) {
      if (e instanceof WebhookRuleError) throw new FederationRuleError(e.message);
      throw e;
    }
    return federation;
  }
  const keys = body.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) {
    throw new FederationRuleError(`keys must be an array of 1 to ${MAX_KEYS} public JWKs.`);
  }
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || !['RSA', 'EC', 'OKP'].includes(String((key as JWK).kty))) {
      throw new FederationRuleError('Each key must be a public JWK (kty RSA, EC or OKP).');
    }
    if (PRIVATE_MEMBERS.some((m) => m in key))
      throw new FederationRuleError('keys must hold public keys only (no private or symmetric key material).');
  }
  federation.jwks = { keys: keys as JWK[] };
  return federation;
}

/** The issuer and subject an assertion claims, unverified: which federation to verify it against. */
export function assertionParties(assertion: string): { issuer: string; subject: string } | undefined {
  try {
    const { iss, sub } = decodeJwt(assertion);
    return typeof iss === 'string' && typeof sub === 'string' ? { issuer: iss, subject: sub } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an assertion proves the federated client: signed by the issuer's key (asymmetric
 * algorithms only), with its `iss`, `sub` and `aud`, an `exp` in the future but within
 * MAX_ASSERTION_LIFETIME_SECONDS, and `nbf`/`iat` not in the future (each within the clock tolerance).
 */
export async function verifyAssertion(assertion: string, federation: Federation, keys: JWTVerifyGetKey, now: Date): Promise<boolean> {
  try {
    const { payload } = await jwtVerify(assertion, keys, {
      issuer: federation.issuer,
      subject: federation.subject,
      audience: federation.audience,
      algorithms: ASSERTION_ALGORITHMS,
      currentDate: now,
      clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
    });
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (typeof payload.exp !== 'number' || payload.exp - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS) return false;
    if (typeof payload.iat === 'number' && payload.iat - nowSeconds > ASSERTION_CLOCK_TOLERANCE_SECONDS) return false;
    return true;
  } catch (e: unknown) {
    if (e instanceof errors.JOSEError) return false;
    throw e;
  }
}
