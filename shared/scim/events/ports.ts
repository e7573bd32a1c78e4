/**
 * The ports of the change-event pipeline: the event log (shared/store), the event bus
 * (EventBridge in AWS, a file locally), the delivery queue of webhooks (SQS FIFO in AWS, an
 * in-process queue locally), the webhooks, and the HTTP call a delivery makes.
 */
import type { AuditEvent } from '../../audit/events';
import type { ChangeEvent } from './change-event';

/** Where the event log continues: opaque to clients (sealed), meaningful to the log. */
export type LogPosition = Record<string, string>;

export interface EventLogPage {
  events: ChangeEvent[];
  /** Where the next page starts (always: a log has no last page; new events come after it). */
  next: LogPosition;
}

/** A read of the log, oldest first (see EventLog.list). */
export interface EventLogQuery {
  after?: LogPosition;
  oldest: string;
  until: string;
  limit: number;
  maxReads: number;
  types?: readonly string[];
}

export interface EventLog {
  /**
   * Appends an event, once: false when it was logged before (a retried delivery of the same
   * change), and nothing is written then. `loggedAt` places it in the log.
   */
  append(event: ChangeEvent, loggedAt: string): Promise<boolean>;
  /** One resource's event by its sequence number. */
  get(resourceId: string, sequence: number): Promise<ChangeEvent | undefined>;
  /**
   * Oldest first, after `after` (from `oldest` without it), up to `until` (events logged later are
   * left for the next call), at most `limit`, reading at most `maxReads` log entries; `types`
   * narrows to those event types.
   */
  list(options: EventLogQuery): Promise<EventLogPage>;
  /** One resource's events in order of sequence, after `after`. */
  listResource(resourceId: string, options: { after?: LogPosition; limit: number; types?: readonly string[] }): Promise<EventLogPage>;
  /** Whether a position is one this log could have made (a cursor's content). */
  isPosition(position: LogPosition, resourceId?: string): boolean;
}

/** The event bus (EventBridge): indexes of the events it did not take. */
export interface EventBus {
  put(events: readonly ChangeEvent[]): Promise<{ failed: number[] }>;
}

/** What the delivery queue holds: one event for one webhook. */
export interface DeliveryMessage {
  webhookId: string;
  eventId: string;
  resourceId: string;
  sequence: number;
}

/** The webhook delivery queue: in order per webhook and resource, each message once (by webhook and event). */
export interface DeliveryQueue {
  send(messages: readonly DeliveryMessage[]): Promise<{ failed: number[] }>;
}

export type WebhookStatus = 'active' | 'disabled';

export interface Webhook {
  id: string;
  url: string;
  /** Event types it receives; empty: every type. */
  types: string[];
  createdAt: string;
  createdBy: string;
  status: WebhookStatus;
  consecutiveFailures: number;
  /** The first failed attempt since the last success. */
  failingSince?: string;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  disabledAt?: string;
  disabledReason?: string;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed' | 'skipped';

export interface Delivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  resourceId: string;
  sequence: number;
  eventTime: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt?: string;
  /** The endpoint's last HTTP status, when it answered. */
  lastStatusCode?: number;
  /** Why the last attempt failed, without the response body (timeout, connection refused, …). */
  lastError?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
}

export interface AttemptResult {
  at: string;
  ok: boolean;
  statusCode?: number;
  error?: string;
  /** When the queue tries again (none: this was the last attempt, or it succeeded). */
  nextAttemptAt?: string;
}

export interface WebhookStore {
  /** Registers a webhook unless `max` exist already (false then); the secret is stored to sign deliveries. */
  create(webhook: Webhook, secret: string, max: number, audit: AuditEvent): Promise<boolean>;
  get(id: string): Promise<(Webhook & { secret: string }) | undefined>;
  list(): Promise<Webhook[]>;
  /** False when there was none. */
  remove(id: string, audit: AuditEvent): Promise<boolean>;
  getDelivery(webhookId: string, event: { id: string; time: string }): Promise<Delivery | undefined>;
  /** Records an attempt on the delivery (made on the first) and on the webhook's health; answers the webhook after it. */
  recordAttempt(delivery: Omit<Delivery, 'status' | 'attempts'>, result: AttemptResult, final: boolean): Promise<Webhook | undefined>;
  /** Marks a delivery skipped (its webhook is disabled or its event expired). */
  skip(delivery: Omit<Delivery, 'status' | 'attempts'>, reason: string, at: string): Promise<void>;
  /** Disables an active webhook, audited in the same write; false when it was not active. */
  disable(id: string, at: string, reason: string, audit: AuditEvent): Promise<boolean>;
  /** Newest first. */
  deliveries(webhookId: string, options: { limit: number; after?: LogPosition }): Promise<{ deliveries: Delivery[]; next?: LogPosition }>;
}

/** One HTTP POST of a delivery: the status the endpoint answered, or why there was none. */
export type HttpOutcome = { status: number } | { error: string };

export type HttpPost = (url: string, headers: Record<string, string>, body: string) => Promise<HttpOutcome>;
