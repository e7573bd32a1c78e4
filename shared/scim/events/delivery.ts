/**
 * One delivery attempt of one event to one webhook: signed (Standard Webhooks), recorded on the
 * delivery and on the webhook's health, retried later with backoff when it fails (the queue
 * holds it: in order per webhook and resource, so a later change of the same resource waits),
 * never sent again once delivered (a repeated message is dropped), and the endpoint disabled,
 * audited, when it keeps failing (see webhook-rules.ts).
 */
import type { AuditEvent } from '../../audit/events';
import type { Clock } from '../../clock';
import type { DeliveryMessage, EventLog, HttpPost, WebhookStore } from './ports';
import { MAX_DELIVERY_ATTEMPTS, retryDelaySeconds, shouldDisable, signedHeaders } from './webhook-rules';

export interface DeliveryDeps {
  webhooks: WebhookStore;
  log: Pick<EventLog, 'get'>;
  post: HttpPost;
  clock: Clock;
  newEventId: () => string;
}

export type DeliveryOutcome =
  /** Delivered now, or before, or nothing to deliver (webhook gone or disabled, event expired). */
  | { kind: 'done'; delivered: boolean }
  /** Failed: try again after this many seconds. */
  | { kind: 'retry'; delaySeconds: number }
  /** Failed for the last time: the message goes to the dead-letter queue. */
  | { kind: 'failed' };

/** `attempt`: which attempt this is (the queue's receive count, 1-based). */
export async function deliver(message: DeliveryMessage, attempt: number, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const webhook = await deps.webhooks.get(message.webhookId);
  if (!webhook) return { kind: 'done', delivered: false }; // deleted: its deliveries stop
  const event = await deps.log.get(message.resourceId, message.sequence);
  const now = deps.clock.now();
  const at = now.toISOString();
  if (!event || event.id !== message.eventId) return { kind: 'done', delivered: false }; // past the log's retention
  const delivery = {
    webhookId: webhook.id,
    eventId: event.id,
    eventType: event.type,
    resourceId: event.resourceId,
    sequence: event.sequence,
    eventTime: event.time,
  };
  const previous = await deps.webhooks.getDelivery(webhook.id, event);
  if (previous?.status === 'delivered') return { kind: 'done', delivered: false }; // a repeated message
  if (webhook.status !== 'active') {
    await deps.webhooks.skip(delivery, 'webhook disabled', at);
    return { kind: 'done', delivered: false };
  }

  const body = JSON.stringify(event);
  const outcome = await deps.post(webhook.url, signedHeaders(webhook.secret, event.id, now, body), body);
  const ok = 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
  const final = !ok && attempt >= MAX_DELIVERY_ATTEMPTS;
  const delay = ok || final ? undefined : (retryDelaySeconds(attempt) ?? 0);
  const health = await deps.webhooks.recordAttempt(
    delivery,
    {
      at,
      ok,
      ...('status' in outcome ? { statusCode: outcome.status } : { error: outcome.error }),
      ...(delay !== undefined ? { nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() } : {}),
    },
    final,
  );
  if (ok) return { kind: 'done', delivered: true };
  if (health && health.status === 'active' && shouldDisable(health, now)) {
    const reason = `${health.consecutiveFailures} failed attempts in a row since ${health.failingSince ?? at}`;
    const audit: AuditEvent = {
      id: deps.newEventId(),
      at,
      actor: { type: 'system', id: 'webhook-sender' },
      action: 'webhook.disable',
      target: { type: 'Webhook', id: webhook.id },
      outcome: 'success',
      reason,
    };
    await deps.webhooks.disable(webhook.id, at, reason, audit);
  }
  return delay === undefined ? { kind: 'failed' } : { kind: 'retry', delaySeconds: delay };
}
