/**
 * From committed writes to events, in the order the table's change stream gives them (in order
 * per resource): each write's event is appended to the event log once (a write delivered twice
 * is logged once: the log refuses the same event again), then put on the event bus and queued
 * for each webhook that receives its type. When a step fails, everything from the first event it
 * failed for is left to a retry of the stream batch (`failedFrom`); events before it are done.
 * So nothing is lost, the log holds each event once, and the queue drops repeats of a message.
 */
import type { Clock } from '../../clock';
import { mapLimit } from '../service/parallel';
import { changeEvent, type ChangeEvent, type CommittedWrite, type EventForm } from './change-event';
import type { DeliveryMessage, DeliveryQueue, EventBus, EventLog, WebhookStore } from './ports';
import { receives } from './webhook-rules';

/** One record of the change stream: its position (to resume from) and the write, if it is one of a resource. */
export interface StreamChange {
  position: string;
  write?: CommittedWrite;
}

export interface DispatchDeps {
  log: Pick<EventLog, 'append'>;
  bus: EventBus;
  queue: DeliveryQueue;
  webhooks: Pick<WebhookStore, 'list'>;
  clock: Clock;
  form: EventForm;
}

export interface DispatchResult {
  /** The position of the first change not fully dispatched (resume there); none when all were. */
  failedFrom?: string;
  events: number;
  /** Events appended now (the others were logged by an earlier attempt). */
  logged: number;
  published: number;
  queued: number;
  /** Why the first failure happened (for a log line; never a payload). */
  error?: unknown;
}

/** Entries the bus and the queue take per call (EventBridge PutEvents and SQS SendMessageBatch: 10). */
const BATCH = 10;
/** Tries of a batch's failed entries before the rest of the stream batch is left to a retry. */
const TRIES = 3;

/** Sends `items` in batches in order, retrying failed entries; answers the index of the first that never went, if any. */
async function sendAll<T>(items: readonly T[], send: (batch: readonly T[]) => Promise<{ failed: number[] }>): Promise<number | undefined> {
  for (let start = 0; start < items.length; start += BATCH) {
    let pending = items.slice(start, start + BATCH).map((item, i) => ({ item, index: start + i }));
    for (let t = 0; t < TRIES && pending.length > 0; t++) {
      const { failed } = await send(pending.map((p) => p.item));
      const failedSet = new Set(failed);
      pending = pending.filter((_, i) => failedSet.has(i));
    }
    if (pending.length > 0) return pending[0]?.index;
  }
  return undefined;
}

export async function dispatchChanges(changes: readonly StreamChange[], deps: DispatchDeps): Promise<DispatchResult> {
  const events = changes.map((c) => (c.write ? changeEvent(c.write, deps.form) : undefined));
  let failedAt = changes.length;
  let error: unknown;
  const fail = (index: number, e: unknown): void => {
    if (index < failedAt) {
      failedAt = index;
      error = e;
    }
  };

  // 1. The log: in order within a resource (its own sequence), resources side by side.
  const byResource = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (e) byResource.set(e.resourceId, [...(byResource.get(e.resourceId) ?? []), i]);
  });
  let logged = 0;
  await mapLimit([...byResource.values()], 8, async (indexes) => {
    for (const i of indexes) {
      const event = events[i] as ChangeEvent;
      try {
        if (await deps.log.append(event, deps.clock.now().toISOString())) logged++;
      } catch (e: unknown) {
        fail(i, e);
        return; // later events of this resource wait for the retry, in order
      }
    }
  });

  // 2. The bus, for the events before the first failure.
  const ready = (): { event: ChangeEvent; index: number }[] =>
    events.flatMap((event, index) => (event && index < failedAt ? [{ event, index }] : []));
  const forBus = ready();
  try {
    const missed = await sendAll(
      forBus.map((r) => r.event),
      (batch) => deps.bus.put(batch),
    );
    if (missed !== undefined) fail(forBus[missed]?.index ?? 0, new Error('The event bus did not take an event'));
  } catch (e: unknown) {
    fail(forBus[0]?.index ?? 0, e);
  }

  // 3. The webhooks' queue, for the events before the first failure (in stream order: per resource in order).
  const forQueue = ready();
  let queued = 0;
  if (forQueue.length > 0) {
    try {
      const hooks = await deps.webhooks.list();
      const messages: { message: DeliveryMessage; index: number }[] = forQueue.flatMap(({ event, index }) =>
        hooks
          .filter((h) => receives(h, event.type))
          .map((h) => ({ message: { webhookId: h.id, eventId: event.id, resourceId: event.resourceId, sequence: event.sequence }, index })),
      );
      const missed = await sendAll(
        messages.map((m) => m.message),
        (batch) => deps.queue.send(batch),
      );
      queued = missed === undefined ? messages.length : missed;
      if (missed !== undefined) fail(messages[missed]?.index ?? 0, new Error('The delivery queue did not take a message'));
    } catch (e: unknown) {
      fail(forQueue[0]?.index ?? 0, e);
    }
  }

  const published = events.filter((e, i) => e && i < failedAt).length;
  return {
    events: events.filter(Boolean).length,
    logged,
    published,
    queued,
    ...(failedAt < changes.length ? { failedFrom: changes[failedAt]?.position, error } : {}),
  };
}
