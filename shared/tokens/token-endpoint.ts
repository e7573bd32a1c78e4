/**
 * The OAuth 2.0 token endpoint (RFC 6749): the client credentials grant (section 4.4) for SCIM
 * clients. Client authentication by HTTP Basic or by client_id and client_secret in the form body
 * (section 2.3.1; never both); errors as section 5.2's JSON. What the endpoint answers is pure here;
 * the function (functions/oauth-token) only turns the HTTP request into a TokenRequest and back.
 */
import type { Actor, AuditEvent } from '../audit/events';
import type { Clock } from '../clock';
import { issueAccessToken, type AccessTokenSigner } from './access-token';
import { perMinute } from './authorize';
import { isExpired } from './expiry';
import type { JWTVerifyGetKey } from 'jose';
import { assertionParties, JWT_BEARER_GRANT, verifyAssertion, type Federation } from './federation';
import { kindOf, type TokenRecord, type TokenRepository } from './ports';
import { CLIENT_SECRET_PREFIX, parseToken, tokenMatches } from './token';

export const CLIENT_CREDENTIALS_GRANT = 'client_credentials';
const FORM_TYPE = 'application/x-www-form-urlencoded';

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

export interface TokenRequest {
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export interface TokenAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Who asked, when known, and how it ended (for the audit log and the metrics). */
  outcome: { clientId?: string; error?: OAuthErrorCode };
}

export interface TokenEndpointDeps {
  clients: Pick<TokenRepository, 'getToken' | 'listTokens' | 'recordUse'>;
  /** The key set of a federated issuer (jwksCache in shared/crypto/jwks.ts). */
  keySets: (federation: Federation) => JWTVerifyGetKey;
  signer: AccessTokenSigner;
  clock: Clock;
  lifetimeSeconds: number;
}

/** Token answers are never cached (section 5.1). */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function error(status: number, code: OAuthErrorCode, description: string, extra: Record<string, string> = {}): TokenAnswer {
  return {
    status,
    headers: { ...NO_STORE, ...extra },
    body: { error: code, error_description: description },
    outcome: { error: code },
  };
}

/** The client's credentials from a Basic header (section 2.3.1: each part form-urlencoded before base64), or undefined. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | 'bad' | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return /^Basic\b/i.test(header) ? 'bad' : undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'bad';
  try {
    const unform = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return 'bad';
  }
}

/** Form parameters, each at most once (section 3.2: a parameter sent twice is invalid_request). */
function formParams(body: string): Map<string, string> | string {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) {
    if (params.has(k)) return k;
    params.set(k, v);
  }
  return params;
}

export class TokenEndpoint {
  constructor(private readonly deps: TokenEndpointDeps) {}

  async handle(request: TokenRequest, urls: { issuer: string; audience: string }): Promise<TokenAnswer> {
    const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== FORM_TYPE) return error(400, 'invalid_request', `Send the request as ${FORM_TYPE}.`);
    const params = formParams(request.body);
    if (typeof params === 'string') return error(400, 'invalid_request', `The parameter ${params} was sent more than once.`);
    const basic = basicCredentials(request.headers.authorization);
    const challenge = { 'WWW-Authenticate': 'Basic realm="SCIM token endpoint", charset="UTF-8"' };
    if (basic === 'bad') return error(401, 'invalid_client', 'The Basic credentials cannot be read.', challenge);
    const inBody = params.has('client_id') || params.has('client_secret');
    if (basic && inBody)
      return error(400, 'invalid_request', 'Authenticate the client one way: HTTP Basic or client_id and client_secret, not both.');

    const grant = params.get('grant_type');
    if (!grant) return error(400, 'invalid_request', 'grant_type is missing.');
    if (grant === JWT_BEARER_GRANT) {
      if (basic || inBody)
        return error(400, 'invalid_request', 'The jwt-bearer grant authenticates with its assertion alone: send no client secret.');
      return this.jwtBearer(params.get('assertion'), urls);
    }
    if (grant !== CLIENT_CREDENTIALS_GRANT) {
      return error(400, 'unsupported_grant_type', `grant_type must be ${CLIENT_CREDENTIALS_GRANT} or ${JWT_BEARER_GRANT}.`);
    }

    const credentials = basic ?? { id: params.get('client_id') ?? '', secret: params.get('client_secret') ?? '' };
    const refused = (): TokenAnswer => {
      const answer = error(401, 'invalid_client', 'Client authentication failed.', challenge);
      return { ...answer, outcome: { ...answer.outcome, ...(credentials.id ? { clientId: credentials.id.slice(0, 64) } : {}) } };
    };
    if (!credentials.id || !credentials.secret) return refused();
    const parsed = parseToken(credentials.secret, CLIENT_SECRET_PREFIX);
    if (!parsed || parsed.id !== credentials.id) return refused();
    const now = this.deps.clock.now();
    const client = await this.deps.clients.getToken(parsed.id);
    // One answer for every reason (unknown, wrong secret, expired): a caller learns nothing from it.
    if (!client || kindOf(client) !== 'client' || !tokenMatches(credentials.secret, client.hash)) return refused();
    if (client.status !== 'Active' || isExpired(new Date(client.expiresAt), now)) return refused();

    return this.grant(client, now, urls);
  }

  /**
   * RFC 7523 section 2.1: an assertion signed by the identity provider a client trusts. The client
   * is the one whose federation names the assertion's issuer and subject; anything that does not
   * verify is invalid_grant, with one answer for every reason.
   */
  private async jwtBearer(assertion: string | undefined, urls: { issuer: string; audience: string }): Promise<TokenAnswer> {
    if (!assertion) return error(400, 'invalid_request', 'assertion is missing.');
    const refused = error(400, 'invalid_grant', 'The assertion is not valid for any SCIM client.');
    const parties = assertionParties(assertion);
    if (!parties) return refused;
    const now = this.deps.clock.now();
    const client = (await this.deps.clients.listTokens()).find(
      (c) => kindOf(c) === 'client' && c.federation?.issuer === parties.issuer && c.federation.subject === parties.subject,
    );
    if (!client?.federation || client.status !== 'Active' || isExpired(new Date(client.expiresAt), now)) return refused;
    if (!(await verifyAssertion(assertion, client.federation, this.deps.keySets(client.federation), now))) {
      return { ...refused, outcome: { ...refused.outcome, clientId: client.id } };
    }
    return this.grant(client, now, urls);
  }

  private async grant(client: TokenRecord, now: Date, urls: { issuer: string; audience: string }): Promise<TokenAnswer> {
    const { token } = await issueAccessToken(this.deps.signer, {
      issuer: urls.issuer,
      audience: urls.audience,
      clientId: client.id,
      now,
      lifetimeSeconds: this.deps.lifetimeSeconds,
    });
    // Best effort, as for tokens: the use is recorded at most once a minute.
    await this.deps.clients.recordUse(client.id, now.toISOString(), new Date(now.getTime() - 60_000).toISOString()).catch(() => undefined);
    return {
      status: 200,
      headers: NO_STORE,
      body: { access_token: token, token_type: 'Bearer', expires_in: this.deps.lifetimeSeconds },
      outcome: { clientId: client.id },
    };
  }
}

/** The audit event of a token request: issued (success) or refused (aggregated per minute, address and reason, like SCIM refusals). */
export function tokenAuditEvent(
  answer: TokenAnswer,
  client: { sourceIp?: string | undefined; userAgent?: string | undefined },
  newId: () => string,
  at: Date,
): { event: AuditEvent; aggregated: boolean } {
  const denied = answer.status !== 200;
  const actor: Actor = {
    type: answer.outcome.clientId ? 'scimClient' : 'anonymous',
    id: answer.outcome.clientId ?? 'unknown',
    ...(client.sourceIp ? { sourceIp: client.sourceIp } : {}),
    ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 200) } : {}),
  };
  const when = denied
    ? perMinute(at, ['oauth.token', answer.outcome.error ?? '', client.sourceIp ?? ''])
    : { id: newId(), at: at.toISOString() };
  return {
    event: {
      ...when,
      actor,
      action: 'oauth.token',
      outcome: denied ? 'denied' : 'success',
      ...(answer.outcome.error ? { reason: answer.outcome.error } : {}),
    },
    aggregated: denied,
  };
}
