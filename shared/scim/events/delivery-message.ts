import type { DeliveryMessage } from './ports';

/** A queue message's body as a delivery, or undefined when it is not one. */
export function parseDeliveryMessage(body: string): DeliveryMessage | undefined {
  try {
    const m = JSON.parse(body) as Record<string, unknown>;
    if (
      typeof m.webhookId === 'string' &&
      typeof m.eventId === 'string' &&
      typeof m.resourceId === 'string' &&
      Number.isInteger(m.sequence)
    ) {
      return { webhookId: m.webhookId, eventId: m.eventId, resourceId: m.resourceId, sequence: Number(m.sequence) };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
