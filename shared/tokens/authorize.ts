import { createHash } from 'node:crypto';
import type { AuditEvent } from '../audit/events';
import type { Clock } from '../clock';
import { isExpired } from './expiry';
import type { KeyObject } from 'node:crypto';
import { looksLikeJwt, verifyAccessToken } from './access-token';
import { kindOf, type CredentialKind, type TokenRecord, type TokenRepository } from './ports';
import { parseToken, TOKEN_PREFIX, tokenMatches } from './token';

/** Why a SCIM token is refused (the `reason` of the audit event and of the AuthRefusals metric). */
export const REFUSALS = ['missing', 'malformed', 'unknown', 'mismatch', 'expired', 'inactive'] as const;
export type Refusal = (typeof REFUSALS)[number];

/** token: a SCIM token; client: an OAuth 2.0 access token of a SCIM client (tokenId is then the client id). */
export type AuthResult =
  | { allowed: true; tokenId: string; credential: CredentialKind }
  | { allowed: false; reason: Refusal; tokenId?: string; credential?: CredentialKind };

/** What an access token must say of itself: issued by our token endpoint, for this SCIM API. */
export interface AccessTokenAudience {
  issuer: string;
  audience: string;
}

export interface AuthorizerOptions {
  tokens: Pick<TokenRepository, 'getToken' | 'recordUse'>;
  clock: Clock;
  /** How long a looked-up token may be reused without reading it again (revocation delay); 0 disables. */
  cacheMs: number;
  /** `lastUsedAt` is written at most once per this interval per token. */
  recordUseEveryMs?: number;
  /** The access tokens' verification key (the signer's public half); without it only SCIM tokens are accepted. */
  accessTokenKey?: () => Promise<KeyObject>;
}

/** The longest cache the product allows: a deleted token must be refused within 5 seconds. */
export const MAX_AUTH_CACHE_MS = 5000;
const MAX_CACHE_ENTRIES = 64;

/**
 * Decides whether a SCIM bearer token may call the SCIM API. Allowed only when the token is
 * well-formed, exists, its hash matches (constant time), it is Active and not expired by the
 * clock. A token record exists only while provisioning is enabled (disabling deletes them in
 * the same write), so one read answers both questions.
 */
export class ScimTokenAuthorizer {
  private readonly cache = new Map<string, { record: TokenRecord; fetchedAt: number }>();
  private readonly lastRecorded = new Map<string, number>();
  private readonly cacheMs: number;
  private readonly recordUseEveryMs: number;

  constructor(private readonly options: AuthorizerOptions) {
    if (options.cacheMs < 0 || options.cacheMs > MAX_AUTH_CACHE_MS) {
      throw new RangeError(`The token cache may hold a token for 0 to ${MAX_AUTH_CACHE_MS} ms, not ${options.cacheMs}`);
    }
    this.cacheMs = options.cacheMs;
    this.recordUseEveryMs = options.recordUseEveryMs ?? 60_000;
  }

  /**
   * `expected` says what an access token must be for (the token endpoint that issued it, this SCIM
   * API); a SCIM token needs nothing of it.
   */
  async authorize(value: string | undefined, expected?: AccessTokenAudience): Promise<AuthResult> {
    if (!value) return { allowed: false, reason: 'missing' };
    if (!value.startsWith(TOKEN_PREFIX) && looksLikeJwt(value)) return this.authorizeAccessToken(value, expected);
    const parsed = parseToken(value);
    if (!parsed) return { allowed: false, reason: 'malformed' };
    const { id } = parsed;
    const now = this.options.clock.now();
    const record = await this.lookup(id, now.getTime());
    // A SCIM client's record is no bearer token (its secret has another form, so this is a second guard).
    if (!record || kindOf(record) !== 'token') return { allowed: false, reason: 'unknown', tokenId: id };
    if (!tokenMatches(value, record.hash)) return { allowed: false, reason: 'mismatch', tokenId: id };
    if (isExpired(new Date(record.expiresAt), now)) return { allowed: false, reason: 'expired', tokenId: id };
    if (record.status !== 'Active') return { allowed: false, reason: 'inactive', tokenId: id };
    await this.recordUse(record, now);
    return { allowed: true, tokenId: id, credential: 'token' };
  }

  /**
   * An access token: its signature, audience, issuer and expiry first (no read), then its client,
   * read as a token is (one GetItem, or the short cache): a deleted or expired client, or disabled
   * provisioning (which deletes every client), refuses its access tokens from the next request.
   */
  private async authorizeAccessToken(value: string, expected: AccessTokenAudience | undefined): Promise<AuthResult> {
    if (!this.options.accessTokenKey || !expected) return { allowed: false, reason: 'malformed' };
    const now = this.options.clock.now();
    const check = await verifyAccessToken(value, await this.options.accessTokenKey(), { ...expected, now });
    if (!check.ok) return { allowed: false, reason: check.reason, credential: 'client' };
    const id = check.clientId;
    const record = await this.lookup(id, now.getTime());
    if (!record || kindOf(record) !== 'client') return { allowed: false, reason: 'unknown', tokenId: id, credential: 'client' };
    if (isExpired(new Date(record.expiresAt), now)) return { allowed: false, reason: 'expired', tokenId: id, credential: 'client' };
    if (record.status !== 'Active') return { allowed: false, reason: 'inactive', tokenId: id, credential: 'client' };
    await this.recordUse(record, now);
    return { allowed: true, tokenId: id, credential: 'client' };
  }

  private async lookup(id: string, nowMs: number): Promise<TokenRecord | undefined> {
    const cached = this.cache.get(id);
    if (cached && nowMs - cached.fetchedAt < this.cacheMs) return cached.record;
    this.cache.delete(id);
    const record = await this.options.tokens.getToken(id);
    if (record && this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(id, { record, fetchedAt: nowMs });
    }
    return record;
  }

  /** Writes `lastUsedAt` at most once per interval per token, and never fails the request. */
  private async recordUse(record: TokenRecord, now: Date): Promise<void> {
    const nowMs = now.getTime();
    const stored = record.lastUsedAt ? Date.parse(record.lastUsedAt) : 0;
    const last = Math.max(stored, this.lastRecorded.get(record.id) ?? 0);
    if (nowMs - last < this.recordUseEveryMs) return;
    this.lastRecorded.set(record.id, nowMs);
    try {
      await this.options.tokens.recordUse(record.id, now.toISOString(), new Date(nowMs - this.recordUseEveryMs).toISOString());
    } catch {
      this.lastRecorded.delete(record.id); // best effort: try again on a later request
    }
  }
}

/**
 * The audit event of a refused SCIM authentication: the token id when one could be read, never the
 * value. Refusals are aggregated: the same source IP and reason within a minute is one event.
 */
export function refusalEvent(
  result: Extract<AuthResult, { allowed: false }>,
  client: { sourceIp?: string | undefined; userAgent?: string | undefined },
  now: Date,
): AuditEvent {
  return {
    ...perMinute(now, [result.reason, client.sourceIp ?? '']),
    actor: {
      type: result.tokenId ? (result.credential === 'client' ? 'scimClient' : 'scimToken') : 'anonymous',
      id: result.tokenId ?? 'unknown',
      ...(client.sourceIp ? { sourceIp: client.sourceIp } : {}),
      ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 200) } : {}),
    },
    action: 'scim.authenticate',
    outcome: 'denied',
    reason: result.reason,
  };
}

/**
 * The id and time of an event aggregated per minute (audit log recordAggregated): the same parts
 * (reason, source IP…) within a minute are one event, whose id is theirs.
 */
export function perMinute(now: Date, parts: readonly string[]): { id: string; at: string } {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
  const digest = createHash('sha256')
    .update([minute, ...parts].join('|'))
    .digest('hex');
  return {
    id: `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`,
    at: minute,
  };
}
