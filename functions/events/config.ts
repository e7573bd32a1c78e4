import { ConfigError, numberEnv } from '../../shared/config';
import { DEFAULT_EVENT_RETENTION_DAYS } from '../../shared/store/event-log-repository';
import { EVENT_FORMS, type EventForm } from '../../shared/scim/events/change-event';

/** notice (default: ids and attribute names) or full (the resource as it now is: personal data). */
export const EVENT_FORM_ENV = 'EVENT_FORM';
/** Days change events stay in the event log (default 30). */
export const EVENT_RETENTION_DAYS_ENV = 'EVENT_RETENTION_DAYS';

export function eventForm(env: NodeJS.ProcessEnv = process.env): EventForm {
  const raw = env[EVENT_FORM_ENV] ?? 'notice';
  if (!(EVENT_FORMS as readonly string[]).includes(raw)) throw new ConfigError(`${EVENT_FORM_ENV} must be notice or full, not ${raw}`);
  return raw as EventForm;
}

/**
 * Seconds at the head of the event log that a page leaves for the next call: longer than an events
 * function may run (its timeout, 10 s) plus the slack of the clocks, so that an event is in the log
 * before any cursor can pass the instant it was logged at.
 */
export const EVENT_LOG_SETTLE_SECONDS_ENV = 'EVENT_LOG_SETTLE_SECONDS';
export const DEFAULT_EVENT_LOG_SETTLE_SECONDS = 30;
/** Local mode only: webhooks may be plain http to localhost. */
export const WEBHOOK_ALLOW_LOCAL_HTTP_ENV = 'WEBHOOK_ALLOW_LOCAL_HTTP';

/** What the admin function needs to know of the event log and webhooks, from its environment. */
export function eventSettings(env: NodeJS.ProcessEnv = process.env): {
  retentionDays: number;
  settleSeconds: number;
  allowLocalHttp: boolean;
} {
  return {
    retentionDays: numberEnv(EVENT_RETENTION_DAYS_ENV, DEFAULT_EVENT_RETENTION_DAYS, env),
    settleSeconds: numberEnv(EVENT_LOG_SETTLE_SECONDS_ENV, DEFAULT_EVENT_LOG_SETTLE_SECONDS, env),
    allowLocalHttp: env[WEBHOOK_ALLOW_LOCAL_HTTP_ENV] === 'true',
  };
}
