/** Token lifetime rules (pure; time is always passed in). */
export const TOKEN_LIFETIME_YEARS = 1;

export type TokenStatus = 'Active' | 'Expired';

/**
 * One year after `issuedAt`, same UTC time of day. A token issued on 29 February expires on
 * 28 February of the next year (the last day of that month), never on 1 March.
 */
export function expiryOf(issuedAt: Date, years = TOKEN_LIFETIME_YEARS): Date {
  const y = issuedAt.getUTCFullYear() + years;
  const m = issuedAt.getUTCMonth();
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      y,
      m,
      Math.min(issuedAt.getUTCDate(), lastDay),
      issuedAt.getUTCHours(),
      issuedAt.getUTCMinutes(),
      issuedAt.getUTCSeconds(),
      issuedAt.getUTCMilliseconds(),
    ),
  );
}

/** A token's lifetime in days may be chosen from 1 to this (never more than the one year of the default). */
export const MAX_TOKEN_LIFETIME_DAYS = 365;

/** `days` days after `issuedAt` (a chosen lifetime), same UTC time of day. */
export function expiryAfterDays(issuedAt: Date, days: number): Date {
  return new Date(issuedAt.getTime() + days * 24 * 3600 * 1000);
}

/** `yyyy-MM-dd` in UTC. */
export function utcDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Expired by the clock: at and after the expiry instant. */
export function isExpired(expiresAt: Date, now: Date): boolean {
  return now.getTime() >= expiresAt.getTime();
}
