import type { AuditEvent } from '../audit/events';
import type { TokenStatus } from './expiry';
import type { Federation } from './federation';

/**
 * The credentials an administrator issues: SCIM tokens (bearer tokens), and SCIM clients (OAuth 2.0
 * client credentials: the id is the client_id, the hash is the client secret's). Both live, expire,
 * are deleted and are swept away by disabling provisioning alike; each kind has its own limit.
 */
export type CredentialKind = 'token' | 'client';

/** A stored SCIM token or client: never the value or secret, only its hash. */
export interface TokenRecord {
  /** Absent on items written before clients existed: a token. */
  kind?: CredentialKind;
  id: string;
  name: string;
  hint: string;
  hash: string;
  createdAt: string;
  expiresAt: string;
  status: TokenStatus;
  lastUsedAt?: string;
  createdBy: string;
  /** The smallest warning threshold (days before expiry) already sent for this token. */
  expiryWarning?: number;
  /** A client's federated credential (RFC 7523): the issuer trusted to sign assertions for it. */
  federation?: Federation;
}

export interface ProvisioningSettings {
  enabled: boolean;
  changedAt?: string;
  changedBy?: string;
  /** Active tokens, and active clients: kept in the same transactions that create, expire and delete them. */
  activeTokens: number;
  activeClients: number;
}

export const kindOf = (record: Pick<TokenRecord, 'kind'>): CredentialKind => record.kind ?? 'token';

/** The port the token rules need; shared/store implements it on DynamoDB. */
export interface TokenRepository {
  getToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /**
   * Creates the token (or client) if provisioning is enabled and fewer than `max` of its kind are
   * active, in one transaction with the audit event.
   */
  createToken(record: TokenRecord, max: number, audit?: AuditEvent): Promise<void>;
  /** Deletes a token or client of that kind (with the audit event, atomically); false when there is none. */
  deleteToken(id: string, audit?: AuditEvent, kind?: CredentialKind): Promise<boolean>;
  getSettings(): Promise<ProvisioningSettings>;
  /**
   * Flips the flag; disabling deletes every token in the same transaction. The audit event is
   * written in that transaction; `changed` is false when the flag already had that value.
   */
  setEnabled(enabled: boolean, by: string, at: string, audit?: AuditEvent): Promise<{ settings: ProvisioningSettings; changed: boolean }>;
  /** Marks an Active token (or client) Expired (idempotent); false when it was not Active. */
  markExpired(id: string, removeAfter: Date, kind?: CredentialKind): Promise<boolean>;
  /** Records that the warning for `days` before expiry was sent; false when it already was. */
  markWarned(id: string, days: number): Promise<boolean>;
  /** Sets (or, with undefined, removes) a client's federation, with the audit event; false when there is no such client. */
  setFederation(id: string, federation: Federation | undefined, audit?: AuditEvent): Promise<boolean>;
  /** Records use at `at` unless a use after `notBefore` is already recorded. */
  recordUse(id: string, at: string, notBefore: string): Promise<void>;
}

export class TokenLimitError extends Error {
  override readonly name = 'TokenLimitError';
  constructor(
    message: string,
    readonly kind: CredentialKind = 'token',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
export class ProvisioningDisabledError extends Error {
  override readonly name = 'ProvisioningDisabledError';
}
/** Another writer changed the tokens while a multi-item write was prepared; safe to retry. */
export class TokenConflictError extends Error {
  override readonly name = 'TokenConflictError';
}
