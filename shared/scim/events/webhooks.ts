/** Registering, listing and removing webhooks (the admin API's), each change audited in its own write. */
import type { Actor, AuditEvent } from '../../audit/events';
import type { Clock } from '../../clock';
import { isObject } from '../resource/types';
import type { Delivery, LogPosition, Webhook, WebhookStore } from './ports';
import { checkWebhookTypes, checkWebhookUrl, MAX_WEBHOOKS, newSigningSecret, WebhookRuleError } from './webhook-rules';

export class WebhookLimitError extends Error {
  override readonly name = 'WebhookLimitError';
}

export interface WebhookServiceDeps {
  store: WebhookStore;
  clock: Clock;
  newId: () => string;
  newEventId: () => string;
  /** Local mode: plain http to localhost may be registered. */
  allowLocalHttp: boolean;
}

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  private audit(actor: Actor, action: string, id: string, display?: string): AuditEvent {
    return {
      id: this.deps.newEventId(),
      at: this.deps.clock.now().toISOString(),
      actor,
      action,
      target: { type: 'Webhook', id, ...(display ? { display } : {}) },
      outcome: 'success',
    };
  }

  /** Registers an endpoint; answers it with its signing secret (shown this once). */
  async register(actor: Actor, body: unknown): Promise<{ webhook: Webhook; secret: string }> {
    if (!isObject(body)) throw new WebhookRuleError('Send {"url": "https://…", "types": [ … ]} (types optional).');
    const extra = Object.keys(body).filter((k) => k !== 'url' && k !== 'types');
    if (extra.length > 0)
      throw new WebhookRuleError(`Unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}: a webhook takes url and types.`);
    const url = checkWebhookUrl(body.url, { allowLocalHttp: this.deps.allowLocalHttp });
    const types = checkWebhookTypes(body.types);
    const webhook: Webhook = {
      id: this.deps.newId(),
      url,
      types,
      createdAt: this.deps.clock.now().toISOString(),
      createdBy: actor.display ?? actor.id,
      status: 'active',
      consecutiveFailures: 0,
    };
    const secret = newSigningSecret();
    if (
      !(await this.deps.store.create(webhook, secret, MAX_WEBHOOKS, this.audit(actor, 'webhook.register', webhook.id, new URL(url).host)))
    ) {
      throw new WebhookLimitError(`At most ${MAX_WEBHOOKS} webhooks may exist; delete one first.`);
    }
    return { webhook, secret };
  }

  list(): Promise<Webhook[]> {
    return this.deps.store.list();
  }

  async remove(actor: Actor, id: string): Promise<boolean> {
    return this.deps.store.remove(id, this.audit(actor, 'webhook.delete', id));
  }

  /** A webhook's deliveries, newest first; undefined when there is no such webhook. */
  async deliveries(
    id: string,
    options: { limit: number; after?: LogPosition },
  ): Promise<{ deliveries: Delivery[]; next?: LogPosition } | undefined> {
    if (!(await this.deps.store.get(id))) return undefined;
    return this.deps.store.deliveries(id, options);
  }
}
