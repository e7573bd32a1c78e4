import type { AuditEvent } from '../audit/events';
import type { TokenStatus } from './expiry';

/** A stored SCIM token: never the value, only its hash. */
export interface TokenRecord {
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
}

export interface ProvisioningSettings {
  enabled: boolean;
  changedAt?: string;
  changedBy?: string;
  /** Active tokens: kept in the same transactions that create, expire and delete them. */
  activeTokens: number;
}

/** The port the token rules need; shared/store implements it on DynamoDB. */
export interface TokenRepository {
  getToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /**
   * Creates the token if provisioning is enabled and fewer than `max` tokens are active, in one
   * transaction with the audit event.
   */
  createToken(record: TokenRecord, max: number, audit?: AuditEvent): Promise<void>;
  /** Deletes a token (with the audit event, atomically); false when it does not exist. */
  deleteToken(id: string, audit?: AuditEvent): Promise<boolean>;
  getSettings(): Promise<ProvisioningSettings>;
  /**
   * Flips the flag; disabling deletes every token in the same transaction. The audit event is
   * written in that transaction; `changed` is false when the flag already had that value.
   */
  setEnabled(enabled: boolean, by: string, at: string, audit?: AuditEvent): Promise<{ settings: ProvisioningSettings; changed: boolean }>;
  /** Marks an Active token Expired (idempotent); false when it was not Active. */
  markExpired(id: string, removeAfter: Date): Promise<boolean>;
  /** Records that the warning for `days` before expiry was sent; false when it already was. */
  markWarned(id: string, days: number): Promise<boolean>;
  /** Records use at `at` unless a use after `notBefore` is already recorded. */
  recordUse(id: string, at: string, notBefore: string): Promise<void>;
}

export class TokenLimitError extends Error {
  override readonly name = 'TokenLimitError';
}
export class ProvisioningDisabledError extends Error {
  override readonly name = 'ProvisioningDisabledError';
}
/** Another writer changed the tokens while a multi-item write was prepared; safe to retry. */
export class TokenConflictError extends Error {
  override readonly name = 'TokenConflictError';
}
