import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit/events';
import type { AttemptResult, Delivery, LogPosition, Webhook, WebhookStore } from '../scim/events/ports';
import { auditPut } from './audit-repository';
import type { Item } from './batch';
import { failedCondition, isConditionFailure, transactUnlessFirstRefused } from './errors';
import { KEYS, webhookKeys, WEBHOOK_PK, isStorableId } from './keys';

/** How long a delivery's record is kept. */
export const DELIVERY_RETENTION_DAYS = 30;

const WEBHOOK_FIELDS = [
  'id',
  'url',
  'types',
  'createdAt',
  'createdBy',
  'status',
  'consecutiveFailures',
  'failingSince',
  'lastSuccessAt',
  'lastFailureAt',
  'disabledAt',
  'disabledReason',
] as const;

/** The fields of an item that are present (the item's keys, TTL and secret stay behind). */
const pick = (item: Item, fields: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));

function toWebhook(item: Item): Webhook {
  return {
    ...(pick(item, WEBHOOK_FIELDS) as unknown as Webhook),
    types: Array.isArray(item.types) ? (item.types as string[]) : [],
    consecutiveFailures: Number(item.consecutiveFailures ?? 0),
  };
}

const DELIVERY_FIELDS = [
  'webhookId',
  'eventId',
  'eventType',
  'resourceId',
  'sequence',
  'eventTime',
  'status',
  'attempts',
  'lastAttemptAt',
  'lastStatusCode',
  'lastError',
  'nextAttemptAt',
  'deliveredAt',
] as const;

const toDelivery = (item: Item): Delivery => pick(item, DELIVERY_FIELDS) as unknown as Delivery;

/**
 * Webhooks and their deliveries on the single table (key layout: shared/store/keys.ts): the
 * webhooks in one small partition with their count (at most a few: a transaction holds the limit),
 * each webhook's deliveries in a partition of their own, newest first, kept DELIVERY_RETENTION_DAYS.
 */
export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly auditRetentionDays?: number,
  ) {}

  async create(webhook: Webhook, secret: string, max: number, audit: AuditEvent): Promise<boolean> {
    // The count first: with `max` webhooks it refuses (false), and nothing is written.
    return transactUnlessFirstRefused(this.db, [
      {
        Update: {
          TableName: this.tableName,
          Key: webhookKeys.count,
          UpdateExpression: 'ADD #n :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':max': max },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...webhookKeys.item(webhook.id), ...webhook, secret },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
        },
      },
      auditPut(this.tableName, audit, this.auditRetentionDays),
    ]);
  }

  async get(id: string): Promise<(Webhook & { secret: string }) | undefined> {
    if (!isStorableId(id)) return undefined;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.item(id), ConsistentRead: true }));
    return Item ? { ...toWebhook(Item), secret: String(Item.secret) } : undefined;
  }

  async list(): Promise<Webhook[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: 'attribute_exists(#url)',
        ExpressionAttributeNames: { '#pk': KEYS.pk, '#url': 'url' },
        ExpressionAttributeValues: { ':pk': WEBHOOK_PK },
      }),
    );
    return (page.Items ?? []).map(toWebhook).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove(id: string, audit: AuditEvent): Promise<boolean> {
    if (!isStorableId(id)) return false;
    // The webhook first: when there is none, false, and the count stays.
    return transactUnlessFirstRefused(this.db, [
      {
        Delete: {
          TableName: this.tableName,
          Key: webhookKeys.item(id),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: webhookKeys.count,
          UpdateExpression: 'ADD #n :minus',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':minus': -1 },
        },
      },
      auditPut(this.tableName, audit, this.auditRetentionDays),
    ]);
  }

  async getDelivery(webhookId: string, event: { id: string; time: string }): Promise<Delivery | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: webhookKeys.delivery(webhookId, event.time, event.id), ConsistentRead: true }),
    );
    return Item ? toDelivery(Item) : undefined;
  }

  private ttl(at: string): number {
    return Math.floor(Date.parse(at) / 1000) + DELIVERY_RETENTION_DAYS * 24 * 3600;
  }

  async recordAttempt(
    delivery: Omit<Delivery, 'status' | 'attempts'>,
    result: AttemptResult,
    final: boolean,
  ): Promise<Webhook | undefined> {
    const status = result.ok ? 'delivered' : final ? 'failed' : 'retrying';
    const set: Record<string, unknown> = {
      status,
      lastAttemptAt: result.at,
      ...(result.statusCode !== undefined ? { lastStatusCode: result.statusCode } : {}),
      ...(result.error !== undefined ? { lastError: result.error } : {}),
      ...(result.nextAttemptAt ? { nextAttemptAt: result.nextAttemptAt } : {}),
      ...(result.ok ? { deliveredAt: result.at } : {}),
    };
    const remove = [
      ...(result.statusCode === undefined ? ['lastStatusCode'] : []),
      ...(result.error === undefined ? ['lastError'] : []),
      ...(result.nextAttemptAt ? [] : ['nextAttemptAt']),
    ];
    await this.updateDelivery(delivery, set, remove, 1);
    // The webhook's health: a success resets the run of failures, a failure extends it.
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.item(delivery.webhookId),
          ConditionExpression: 'attribute_exists(#pk)',
          ...(result.ok
            ? {
                UpdateExpression: 'SET consecutiveFailures = :zero, lastSuccessAt = :at REMOVE failingSince',
                ExpressionAttributeValues: { ':zero': 0, ':at': result.at },
              }
            : {
                UpdateExpression: 'ADD consecutiveFailures :one SET lastFailureAt = :at, failingSince = if_not_exists(failingSince, :at)',
                ExpressionAttributeValues: { ':one': 1, ':at': result.at },
              }),
          ExpressionAttributeNames: { '#pk': KEYS.pk },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toWebhook(Attributes) : undefined;
    } catch (e: unknown) {
      if (isConditionFailure(e)) return undefined; // deleted meanwhile
      throw e;
    }
  }

  async skip(delivery: Omit<Delivery, 'status' | 'attempts'>, reason: string, at: string): Promise<void> {
    await this.updateDelivery(delivery, { status: 'skipped', lastError: reason, lastAttemptAt: at }, [], 0);
  }

  /** Writes a delivery's record (made on its first write): its fields and `changes`, without `remove`, attempts moved by `attempts`. */
  private async updateDelivery(
    delivery: Omit<Delivery, 'status' | 'attempts'>,
    changes: Record<string, unknown>,
    remove: readonly string[],
    attempts: number,
  ): Promise<void> {
    const at = String(changes.lastAttemptAt);
    const set: Record<string, unknown> = { ...delivery, ...changes, [KEYS.ttl]: this.ttl(at) };
    const names = Object.keys(set);
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: webhookKeys.delivery(delivery.webhookId, delivery.eventTime, delivery.eventId),
        UpdateExpression:
          `SET ${names.map((_, i) => `#s${i} = :s${i}`).join(', ')} ADD #attempts :n` +
          (remove.length ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''),
        ExpressionAttributeNames: {
          ...Object.fromEntries(names.map((n, i) => [`#s${i}`, n])),
          ...Object.fromEntries(remove.map((n, i) => [`#r${i}`, n])),
          '#attempts': 'attempts',
        },
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((n, i) => [`:s${i}`, set[n]])), ':n': attempts },
      }),
    );
  }

  async disable(id: string, at: string, reason: string, audit: AuditEvent): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: webhookKeys.item(id),
                UpdateExpression: 'SET #status = :disabled, disabledAt = :at, disabledReason = :reason',
                ConditionExpression: '#status = :active',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':disabled': 'disabled', ':active': 'active', ':at': at, ':reason': reason },
              },
            },
            auditPut(this.tableName, audit, this.auditRetentionDays),
          ],
        }),
      );
      return true;
    } catch (e: unknown) {
      if (failedCondition(e) === 0) return false;
      throw e;
    }
  }

  async deliveries(
    webhookId: string,
    options: { limit: number; after?: LogPosition },
  ): Promise<{ deliveries: Delivery[]; next?: LogPosition }> {
    const pk = webhookKeys.deliveriesPk(webhookId);
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': KEYS.pk, '#sk': KEYS.sk },
        ExpressionAttributeValues: { ':pk': pk, ':prefix': webhookKeys.deliveryPrefix },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.after?.sk ? { ExclusiveStartKey: { [KEYS.pk]: pk, [KEYS.sk]: options.after.sk } } : {}),
      }),
    );
    const last = page.LastEvaluatedKey?.[KEYS.sk];
    return { deliveries: (page.Items ?? []).map(toDelivery), ...(typeof last === 'string' ? { next: { w: webhookId, sk: last } } : {}) };
  }
}
