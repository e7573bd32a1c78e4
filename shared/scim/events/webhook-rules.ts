/**
 * The rules of webhooks: which endpoints may be registered, how a delivery is signed (Standard
 * Webhooks, https://www.standardwebhooks.com: the `standardwebhooks` package), when a failed
 * delivery is tried again, and when an endpoint that keeps failing is disabled. Pure.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Webhook as Signer } from 'standardwebhooks';
import { EVENT_TYPES } from './change-event';

/** At most this many webhooks at once. */
export const MAX_WEBHOOKS = 5;
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Seconds before each retry of a failed delivery (attempt n+1 waits RETRY_DELAYS_SECONDS[n-1]):
 * 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then 6 h four times. Twelve attempts over 31.7 hours;
 * after the last, the delivery is failed and its message goes to the dead-letter queue.
 */
export const RETRY_DELAYS_SECONDS: readonly number[] = [30, 120, 600, 1800, 3600, 7200, 14_400, 21_600, 21_600, 21_600, 21_600];
export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/**
 * An endpoint is disabled when it has failed this many attempts in a row and has kept failing for
 * DISABLE_AFTER_HOURS (no success in between): long enough for every retry of one event to run out.
 */
export const DISABLE_AFTER_FAILURES = MAX_DELIVERY_ATTEMPTS;
export const DISABLE_AFTER_HOURS = 24;

/** How long one delivery may take (connect, send, answer). */
export const DELIVERY_TIMEOUT_MS = 10_000;

export class WebhookRuleError extends Error {
  override readonly name = 'WebhookRuleError';
}

const PRIVATE_V4 = [
  /^10\./,
  /^127\./,
  /^169\.254\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^0\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isPrivateAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return PRIVATE_V4.some((r) => r.test(bare));
  if (isIP(bare) === 6) return /^(::1?|f[cd]|fe[89ab])/i.test(bare) || /^::ffff:/i.test(bare);
  return bare === 'localhost' || bare.endsWith('.localhost') || bare.endsWith('.internal');
}

/**
 * The endpoint URL as registered: HTTPS to a public host name or address (no credentials in it);
 * plain HTTP only to localhost, and only when `allowLocalHttp` (local mode). Throws WebhookRuleError.
 */
export function checkWebhookUrl(raw: unknown, options: { allowLocalHttp: boolean }): string {
  return checkHttpsUrl(raw, { ...options, field: 'url', whyHttps: 'deliveries carry signed events' });
}

/**
 * A URL this service may call out to (a webhook, an identity provider's JWKS): https to a public
 * host (no private or local IP literal), no credentials or fragment; plain http only to localhost,
 * and only where allowLocalHttp says so (the local stack).
 */
export function checkHttpsUrl(raw: unknown, options: { allowLocalHttp: boolean; field: string; whyHttps: string }): string {
  const { field } = options;
  if (typeof raw !== 'string' || raw.trim() === '') throw new WebhookRuleError(`${field} must be an https URL.`);
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookRuleError(`${field} may have at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookRuleError(`${field} is not a URL: ${JSON.stringify(raw.slice(0, 100))}.`);
  }
  if (url.username || url.password) throw new WebhookRuleError(`${field} may not hold a user name or password.`);
  if (url.hash) throw new WebhookRuleError(`${field} may not have a fragment (#…).`);
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol === 'http:') {
    if (options.allowLocalHttp && local) return url.toString();
    throw new WebhookRuleError(
      options.allowLocalHttp ? `${field} must be https (plain http only to localhost).` : `${field} must be https: ${options.whyHttps}.`,
    );
  }
  if (url.protocol !== 'https:') throw new WebhookRuleError(`${field} must be https.`);
  if (!(options.allowLocalHttp && local) && isPrivateAddress(url.hostname)) {
    throw new WebhookRuleError(`${field} may not point at a private or local address (${url.hostname}).`);
  }
  return url.toString();
}

/** The event types a webhook receives: a list of known event URIs; empty or absent for all of them. */
export function checkWebhookTypes(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string'))
    throw new WebhookRuleError('types must be an array of event type URIs.');
  const unknown = (raw as string[]).filter((t) => !EVENT_TYPES.includes(t));
  if (unknown.length > 0) {
    throw new WebhookRuleError(`Unknown event type ${unknown.map((t) => JSON.stringify(t)).join(', ')}; known: ${EVENT_TYPES.join(', ')}.`);
  }
  return [...new Set(raw as string[])];
}

export const receives = (webhook: { types: readonly string[]; status: string }, type: string): boolean =>
  webhook.status === 'active' && (webhook.types.length === 0 || webhook.types.includes(type));

/** A new signing secret, in the Standard Webhooks form (whsec_ and 32 random bytes in base64). */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The Standard Webhooks headers of one delivery attempt: the message id is the event's (the same on every retry). */
export function signedHeaders(secret: string, eventId: string, at: Date, body: string): Record<string, string> {
  const signature = new Signer(secret).sign(eventId, at, body);
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/** Seconds until the next attempt after failed attempt `attempt` (1-based); undefined after the last. */
export const retryDelaySeconds = (attempt: number): number | undefined => RETRY_DELAYS_SECONDS[attempt - 1];

/** Whether an endpoint's failures call for disabling it (see DISABLE_AFTER_FAILURES). */
export function shouldDisable(health: { consecutiveFailures: number; failingSince?: string | undefined }, now: Date): boolean {
  if (health.consecutiveFailures < DISABLE_AFTER_FAILURES || !health.failingSince) return false;
  return now.getTime() - Date.parse(health.failingSince) >= DISABLE_AFTER_HOURS * 3600 * 1000;
}
