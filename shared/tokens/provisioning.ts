/**
 * What an administrator does on the Provisioning page: enable and disable provisioning,
 * generate, list and delete SCIM tokens. Pure domain code on ports; every change is audited
 * in the same write as the change itself.
 */
import type { Actor, AuditEvent, AuditLog } from '../audit/events';
import type { Clock } from '../clock';
import { expiryAfterDays, expiryOf, isExpired, MAX_TOKEN_LIFETIME_DAYS, utcDate } from './expiry';
import { kindOf, ProvisioningDisabledError, TokenLimitError, type CredentialKind, type TokenRecord, type TokenRepository } from './ports';
import { CLIENT_SECRET_PREFIX, generateToken, isTokenId, type NewToken } from './token';
import { checkFederation, type Federation } from './federation';
import { MAX_TOKENS, MAX_TOKEN_NAME_LENGTH, type TokenView } from './limits';

export { MAX_TOKENS, MAX_TOKEN_NAME_LENGTH, type TokenView } from './limits';

export interface ProvisioningView {
  enabled: boolean;
  tokens: TokenView[];
}

export class TokenNotFoundError extends Error {
  override readonly name = 'TokenNotFoundError';
}
export class InvalidTokenNameError extends Error {
  override readonly name = 'InvalidTokenNameError';
}

export class InvalidTokenLifetimeError extends Error {
  override readonly name = 'InvalidTokenLifetimeError';
}

/** The view shows the truth by the clock: a token past its expiry is Expired even before the job ran. */
export function tokenView(record: TokenRecord, now: Date): TokenView {
  const expiresAt = new Date(record.expiresAt);
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    expiresOn: utcDate(expiresAt),
    status: record.status === 'Expired' || isExpired(expiresAt, now) ? 'Expired' : 'Active',
    lastUsedAt: record.lastUsedAt ?? null,
  };
}

/** A SCIM client (OAuth 2.0 client credentials) as the admin API lists it: never its secret. */
export interface ClientView {
  clientId: string;
  name: string;
  /** The last characters of the secret, to tell clients apart. */
  hint: string;
  createdAt: string;
  expiresAt: string;
  expiresOn: string;
  status: TokenView['status'];
  lastUsedAt: string | null;
  /** The identity provider trusted to sign assertions for it (RFC 7523), when one is registered. */
  federation?: Federation;
}

export function clientView(record: TokenRecord, now: Date): ClientView {
  const { id, ...rest } = tokenView(record, now);
  return { clientId: id, ...rest, ...(record.federation ? { federation: record.federation } : {}) };
}

export class ClientNotFoundError extends Error {
  override readonly name = 'ClientNotFoundError';
}

/** What differs between the two kinds of credential: their names in the audit log and in messages, and their secret's form. */
const KINDS: Record<CredentialKind, { noun: string; prefix?: string; notFound: (id: string) => Error }> = {
  token: { noun: 'token', notFound: (id) => new TokenNotFoundError(`No token with id ${id}`) },
  client: { noun: 'client', prefix: CLIENT_SECRET_PREFIX, notFound: (id) => new ClientNotFoundError(`No SCIM client with id ${id}`) },
};

export interface ProvisioningServiceDeps {
  tokens: TokenRepository;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  newEventId: () => string;
  /** A new credential's id, value and hash (default: random, in the kind's format). */
  newToken?: (kind: CredentialKind) => NewToken;
  /** How long an Expired token stays listed (its TTL), as the expiry job sets it. */
  retentionDays?: number;
}

const DAY_MS = 24 * 3600 * 1000;
/** An Expired token stays listed this long unless configured (TOKEN_RETENTION_DAYS). */
export const DEFAULT_TOKEN_RETENTION_DAYS = 90;

export class ProvisioningService {
  private readonly newToken: (kind: CredentialKind) => NewToken;

  constructor(private readonly deps: ProvisioningServiceDeps) {
    this.newToken = deps.newToken ?? ((kind) => generateToken(undefined, KINDS[kind].prefix));
  }

  private event(actor: Actor, action: string, outcome: AuditEvent['outcome'], extra: Partial<AuditEvent> = {}): AuditEvent {
    return { id: this.deps.newEventId(), at: this.deps.clock.now().toISOString(), actor, action, outcome, ...extra };
  }

  async view(): Promise<ProvisioningView> {
    const [settings, tokens] = await Promise.all([this.deps.tokens.getSettings(), this.listTokens()]);
    return { enabled: settings.enabled, tokens };
  }

  async listTokens(): Promise<TokenView[]> {
    const now = this.deps.clock.now();
    return (await this.deps.tokens.listTokens()).filter((r) => kindOf(r) === 'token').map((r) => tokenView(r, now));
  }

  async listClients(): Promise<ClientView[]> {
    const now = this.deps.clock.now();
    return (await this.deps.tokens.listTokens()).filter((r) => kindOf(r) === 'client').map((r) => clientView(r, now));
  }

  async setEnabled(actor: Actor, enabled: boolean): Promise<ProvisioningView> {
    const action = enabled ? 'provisioning.enable' : 'provisioning.disable';
    const at = this.deps.clock.now().toISOString();
    const audit = this.event(actor, action, 'success', { target: { type: 'provisioning' } });
    const { changed } = await this.deps.tokens.setEnabled(enabled, actor.id, at, audit);
    if (!changed) await this.deps.audit.record({ ...audit, reason: 'unchanged' });
    return this.view();
  }

  /**
   * A new token, valid one year (the default), or `expiresInDays` days (1 to 365: an organisation
   * that rotates more often chooses a shorter life).
   */
  async generate(actor: Actor, name: unknown, expiresInDays?: unknown): Promise<{ view: TokenView; value: string }> {
    const { record, value, now } = await this.issue('token', actor, name, expiresInDays);
    return { view: tokenView(record, now), value };
  }

  /** A new SCIM client (OAuth 2.0 client credentials): its id and secret, under the same rules as a token. */
  async generateClient(actor: Actor, name: unknown, expiresInDays?: unknown): Promise<{ view: ClientView; secret: string }> {
    const { record, value, now } = await this.issue('client', actor, name, expiresInDays);
    return { view: clientView(record, now), secret: value };
  }

  private async issue(
    kind: CredentialKind,
    actor: Actor,
    name: unknown,
    expiresInDays: unknown,
  ): Promise<{ record: TokenRecord; value: string; now: Date }> {
    const now = this.deps.clock.now();
    const { noun } = KINDS[kind];
    if (name !== undefined && name !== null && (typeof name !== 'string' || name.trim() === '' || name.length > MAX_TOKEN_NAME_LENGTH)) {
      throw new InvalidTokenNameError(`name must be a non-empty string of at most ${MAX_TOKEN_NAME_LENGTH} characters`);
    }
    if (
      expiresInDays !== undefined &&
      expiresInDays !== null &&
      !(Number.isInteger(expiresInDays) && (expiresInDays as number) >= 1 && (expiresInDays as number) <= MAX_TOKEN_LIFETIME_DAYS)
    ) {
      throw new InvalidTokenLifetimeError(
        `expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_LIFETIME_DAYS} (default: one year)`,
      );
    }
    // A credential expired by the clock frees its slot now, not when the hourly job next runs.
    await this.expireByClock(now);
    const token = this.newToken(kind);
    const record: TokenRecord = {
      ...(kind === 'client' ? { kind } : {}),
      id: token.id,
      name: typeof name === 'string' ? name.trim() : `SCIM ${noun} ${utcDate(now)}`,
      hint: token.hint,
      hash: token.hash,
      createdAt: now.toISOString(),
      expiresAt: (typeof expiresInDays === 'number' ? expiryAfterDays(now, expiresInDays) : expiryOf(now)).toISOString(),
      status: 'Active',
      createdBy: actor.id,
    };
    const target = { type: noun, id: record.id, display: record.name };
    try {
      await this.deps.tokens.createToken(record, MAX_TOKENS, this.event(actor, `${noun}.generate`, 'success', { target }));
    } catch (e: unknown) {
      if (e instanceof TokenLimitError || e instanceof ProvisioningDisabledError) {
        const reason = e instanceof TokenLimitError ? 'limit' : 'disabled';
        await this.deps.audit.record(this.event(actor, `${noun}.generate`, 'failure', { reason }));
      }
      throw e;
    }
    return { record, value: token.value, now };
  }

  /** Marks Expired every token the clock says has expired (what the expiry job does), so the limit counts valid tokens. */
  private async expireByClock(now: Date): Promise<void> {
    const retentionMs = (this.deps.retentionDays ?? DEFAULT_TOKEN_RETENTION_DAYS) * DAY_MS;
    for (const token of await this.deps.tokens.listTokens()) {
      const expiresAt = new Date(token.expiresAt);
      if (token.status === 'Active' && isExpired(expiresAt, now)) {
        await this.deps.tokens.markExpired(token.id, new Date(expiresAt.getTime() + retentionMs), kindOf(token));
      }
    }
  }

  async deleteToken(actor: Actor, id: string): Promise<void> {
    await this.remove('token', actor, id);
  }

  async deleteClient(actor: Actor, id: string): Promise<void> {
    await this.remove('client', actor, id);
  }

  private async remove(kind: CredentialKind, actor: Actor, id: string): Promise<void> {
    const { noun } = KINDS[kind];
    // An id that cannot be a credential's is not looked up (nor written whole into the audit log).
    const audit = this.event(actor, `${noun}.delete`, 'success', { target: { type: noun, id: id.slice(0, 64) } });
    if (!isTokenId(id) || !(await this.deps.tokens.deleteToken(id, audit, kind))) {
      await this.deps.audit.record({ ...audit, outcome: 'failure', reason: 'not_found' });
      throw KINDS[kind].notFound(id);
    }
  }

  /** Trusts an identity provider to sign assertions for a client (RFC 7523), replacing any before. */
  async setClientFederation(actor: Actor, id: string, raw: unknown, options: { allowLocalHttp: boolean }): Promise<ClientView> {
    const federation = checkFederation(raw, options);
    return this.changeFederation(actor, id, federation);
  }

  async removeClientFederation(actor: Actor, id: string): Promise<ClientView> {
    return this.changeFederation(actor, id, undefined);
  }

  private async changeFederation(actor: Actor, id: string, federation: Federation | undefined): Promise<ClientView> {
    const action = federation ? 'client.federation.set' : 'client.federation.remove';
    const audit = this.event(actor, action, 'success', {
      target: { type: 'client', id: id.slice(0, 64), ...(federation ? { display: federation.issuer.slice(0, 200) } : {}) },
    });
    if (!isTokenId(id) || !(await this.deps.tokens.setFederation(id, federation, audit))) {
      await this.deps.audit.record({ ...audit, outcome: 'failure', reason: 'not_found' });
      throw KINDS.client.notFound(id);
    }
    const record = await this.deps.tokens.getToken(id);
    if (!record) throw KINDS.client.notFound(id);
    return clientView(record, this.deps.clock.now());
  }

  /** Records a read (who looked at the provisioning settings, the tokens or the audit log). */
  async recordRead(actor: Actor, action: string): Promise<void> {
    await this.deps.audit.record(this.event(actor, action, 'success'));
  }

  /** Records a refused admin request (a signed-in role without the right). */
  async recordDenied(actor: Actor, action: string): Promise<void> {
    await this.deps.audit.record(this.event(actor, action, 'denied', { reason: 'role' }));
  }
}
