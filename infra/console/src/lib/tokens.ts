/** What the Provisioning page shows of tokens: lifetimes, expiry warnings, the limit (pure; time is passed in). */
import { expiryAfterDays } from '../../../../shared/tokens/expiry';
import { MAX_TOKENS, type TokenView } from '../../../../shared/tokens/limits';

export { MAX_TOKENS };

/** The token as the admin API lists it (never its value). */
export type Token = TokenView;

/** The lifetimes Generate Token offers, in days (the admin API takes 1 to 365). */
export const LIFETIME_CHOICES = [30, 90, 180, 365] as const;
export const DEFAULT_LIFETIME_DAYS = 365;

/** yyyy-MM-dd (UTC), as the token list shows dates. */
export const day = (at: Date | string): string => (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);

/** The expiry day a token generated now with this lifetime gets (what the API will answer as expiresOn). */
export const expiryDayFor = (now: Date, days: number): string => day(expiryAfterDays(now, days));

/** Tokens that still work (Active and not past their expiry): these count towards MAX_TOKENS. */
export const validTokens = (tokens: readonly Token[], now: Date): Token[] =>
  tokens.filter((t) => t.status === 'Active' && Date.parse(t.expiresAt) > now.getTime());

/** Why Generate Token is disabled, or undefined when it is not. */
export function generateBlocked(tokens: readonly Token[], now: Date, enabled: boolean): string | undefined {
  if (!enabled) return 'Enable provisioning to generate a token.';
  if (validTokens(tokens, now).length >= MAX_TOKENS) {
    return `At most ${MAX_TOKENS} valid tokens can exist at once. Delete one to generate another.`;
  }
  return undefined;
}

export type ExpiryLevel = 'warning' | 'urgent';

export interface ExpiryWarning {
  token: Token;
  level: ExpiryLevel;
  /** Whole days left (0 on its last day). */
  daysLeft: number;
}

const DAY_MS = 24 * 3600 * 1000;
export const WARN_DAYS = 30;
export const URGENT_DAYS = 7;

/** Valid tokens that expire within 30 days (urgent within 7), soonest first. */
export function expiryWarnings(tokens: readonly Token[], now: Date): ExpiryWarning[] {
  return validTokens(tokens, now)
    .map((token) => ({ token, daysLeft: Math.floor((Date.parse(token.expiresAt) - now.getTime()) / DAY_MS) }))
    .filter((w) => w.daysLeft < WARN_DAYS)
    .map((w): ExpiryWarning => ({ ...w, level: w.daysLeft < URGENT_DAYS ? 'urgent' : 'warning' }))
    .sort((a, b) => a.daysLeft - b.daysLeft);
}

/** What the warning says: when, and the rotation to do. */
export function warningText(w: ExpiryWarning): string {
  const when = w.daysLeft === 0 ? 'today' : w.daysLeft === 1 ? 'tomorrow' : `in ${w.daysLeft} days`;
  return (
    `Token "${w.token.name}" expires ${when} (${w.token.expiresOn}). ` +
    'Generate a new token, set it in your identity provider, then delete the old one.'
  );
}
