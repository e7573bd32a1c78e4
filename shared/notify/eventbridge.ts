import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ChangeEvent } from '../scim/events/change-event';
import type { EventBus } from '../scim/events/ports';

/** The `source` of every change event on the bus (rules match on it). */
export const EVENT_SOURCE = 'scim-provisioning';
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';

/** Change events onto an EventBridge bus: `source` scim-provisioning, `detail-type` the event type, `detail` the event. */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async put(events: readonly ChangeEvent[]): Promise<{ failed: number[] }> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((e) => ({
          EventBusName: this.busName,
          Source: EVENT_SOURCE,
          DetailType: e.type,
          Detail: JSON.stringify(e),
          Time: new Date(e.time),
        })),
      }),
    );
    return { failed: (out.Entries ?? []).flatMap((entry, i) => (entry.ErrorCode ? [i] : [])) };
  }
}
