/** Audit events: who did what, when, to what, with which outcome. Never a secret. */
/** scimClient: an OAuth 2.0 client (its client_id), at the token endpoint and with its access tokens. */
export type ActorType = 'admin' | 'scimToken' | 'scimClient' | 'anonymous' | 'system';

export interface Actor {
  type: ActorType;
  /** Admin subject, SCIM token id, or a description for anonymous callers. */
  id: string;
  /** For admins: e-mail or user name; for tokens: the token's name. */
  display?: string;
  roles?: string[];
  sourceIp?: string;
  userAgent?: string;
}

export type Outcome = 'success' | 'denied' | 'failure';

export interface AuditEvent {
  id: string;
  /** ISO 8601 instant. */
  at: string;
  actor: Actor;
  /** e.g. provisioning.enable, token.generate, scim.authenticate, user.create */
  action: string;
  target?: { type: string; id?: string; display?: string };
  outcome: Outcome;
  /** Machine-readable reason of a refusal or failure (e.g. expired, limit). */
  reason?: string;
  /**
   * How many times it happened, for an aggregated event: refused authentications are one event
   * per source IP, reason and minute (so that a flood of them cannot flood the log).
   */
  count?: number;
}

/** The port: where audit events go. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  /** Counts one more occurrence of the aggregated event `event.id` (recorded as it is the first time). */
  recordAggregated(event: AuditEvent): Promise<void>;
  /** Newest first; `since` (an ISO instant) stops at the first event before it. */
  list(options: { limit: number; cursor?: string; since?: string }): Promise<{ events: AuditEvent[]; nextCursor?: string }>;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}
