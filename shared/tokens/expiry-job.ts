import type { Clock } from '../clock';
import { isExpired, utcDate } from './expiry';
import { kindOf, type CredentialKind, type TokenRepository } from './ports';

/** Warnings go out once per token at each of these thresholds (days before expiry). */
export const WARNING_THRESHOLDS_DAYS = [30, 7, 1] as const;
const DAY_MS = 24 * 3600 * 1000;

export interface ExpiringToken {
  /** A SCIM token or a SCIM client: both expire, and are warned of, alike. */
  kind: CredentialKind;
  id: string;
  name: string;
  expiresAt: string;
  expiresOn: string;
  daysLeft: number;
}

export interface ExpiryReport {
  /** Tokens this run marked Expired. */
  expired: string[];
  /** Active tokens that expire within the largest threshold. */
  expiringSoon: ExpiringToken[];
  /** Of those, the ones that crossed a threshold since the last warning (to notify now). */
  newlyWarned: (ExpiringToken & { threshold: number })[];
}

export interface ExpiryJobOptions {
  tokens: Pick<TokenRepository, 'listTokens' | 'markExpired' | 'markWarned'>;
  clock: Clock;
  /** How long an Expired token stays visible before TTL removes it. */
  retentionDays: number;
}

/**
 * Marks every Active token whose expiry instant has passed as Expired (idempotent: a token
 * already Expired is left alone) and finds the tokens that expire soon. The authorizer
 * refuses an expired token by the clock whether or not this job has run yet.
 */
export async function runTokenExpiry(options: ExpiryJobOptions): Promise<ExpiryReport> {
  const now = options.clock.now();
  const report: ExpiryReport = { expired: [], expiringSoon: [], newlyWarned: [] };
  for (const token of await options.tokens.listTokens()) {
    if (token.status !== 'Active') continue;
    const expiresAt = new Date(token.expiresAt);
    if (isExpired(expiresAt, now)) {
      const removeAfter = new Date(expiresAt.getTime() + options.retentionDays * DAY_MS);
      if (await options.tokens.markExpired(token.id, removeAfter, kindOf(token))) report.expired.push(token.id);
      continue;
    }
    const msLeft = expiresAt.getTime() - now.getTime();
    const largest = WARNING_THRESHOLDS_DAYS[0];
    if (msLeft > largest * DAY_MS) continue;
    const entry: ExpiringToken = {
      kind: kindOf(token),
      id: token.id,
      name: token.name,
      expiresAt: token.expiresAt,
      expiresOn: utcDate(expiresAt),
      daysLeft: Math.ceil(msLeft / DAY_MS),
    };
    report.expiringSoon.push(entry);
    const threshold = Math.min(...WARNING_THRESHOLDS_DAYS.filter((d) => msLeft <= d * DAY_MS));
    if ((token.expiryWarning ?? Infinity) > threshold && (await options.tokens.markWarned(token.id, threshold))) {
      report.newlyWarned.push({ ...entry, threshold });
    }
  }
  return report;
}
