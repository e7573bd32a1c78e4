import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChangeEvent } from '../scim/events/change-event';
import type { EventLog, EventLogPage, EventLogQuery, LogPosition } from '../scim/events/ports';
import { transactUnlessFirstRefused } from './errors';
import { eventKeys, EVENT_LOG_PREFIX, KEYS, RESOURCE_EVENTS_PREFIX } from './keys';

const DAY_MS = 24 * 3600 * 1000;
/** The default time change events are kept (then DynamoDB's TTL removes them). */
export const DEFAULT_EVENT_RETENTION_DAYS = 30;
/** Day partitions one list call walks at most (an idle month is one call). */
const MAX_DAYS_PER_CALL = 62;

const dayOf = (iso: string): string => iso.slice(0, 10);
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * The event log on the single table (key layout: shared/store/keys.ts). Each event is two items
 * written in one transaction: one in its resource's partition, keyed by its sequence (the guard
 * that logs a change once, and the per-resource listing), and one in the log's partition of the
 * day it was logged, keyed by when (the replayable log, read oldest first with strongly
 * consistent Queries, so that an entry written is an entry read). Both expire after the retention.
 */
export class DynamoEventLog implements EventLog {
  private readonly retentionDays: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: { retentionDays?: number } = {},
  ) {
    this.retentionDays = options.retentionDays ?? DEFAULT_EVENT_RETENTION_DAYS;
  }

  async append(event: ChangeEvent, loggedAt: string): Promise<boolean> {
    const ttl = Math.floor(Date.parse(event.time) / 1000) + this.retentionDays * 24 * 3600;
    const body = { event, type: event.type, loggedAt, [KEYS.ttl]: ttl };
    // The guard first: a change logged before is refused by it (false), and nothing is written.
    return transactUnlessFirstRefused(this.db, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...eventKeys.resource(event.resourceId, event.sequence), ...body },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
        },
      },
      { Put: { TableName: this.tableName, Item: { ...eventKeys.log(loggedAt, event.id), ...body } } },
    ]);
  }

  async get(resourceId: string, sequence: number): Promise<ChangeEvent | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: eventKeys.resource(resourceId, sequence), ProjectionExpression: 'event' }),
    );
    return Item?.event as ChangeEvent | undefined;
  }

  private typeFilter(types: readonly string[] | undefined): {
    FilterExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    if (!types || types.length === 0) return {};
    return {
      FilterExpression: `#type IN (${types.map((_, i) => `:t${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: Object.fromEntries(types.map((t, i) => [`:t${i}`, t])),
    };
  }

  async list(options: EventLogQuery): Promise<EventLogPage> {
    const oldestDay = dayOf(options.oldest);
    const untilDay = dayOf(options.until);
    let day = options.after?.day && options.after.day >= oldestDay ? options.after.day : oldestDay;
    let after = options.after?.day === day ? (options.after.sk ?? '') : '';
    const events: ChangeEvent[] = [];
    let reads = 0;
    const filter = this.typeFilter(options.types);
    for (let days = 0; days < MAX_DAYS_PER_CALL && day <= untilDay; days++) {
      for (;;) {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            KeyConditionExpression: '#pk = :pk AND #sk <= :until',
            ...filter,
            ExpressionAttributeNames: { '#pk': KEYS.pk, '#sk': KEYS.sk, ...filter.ExpressionAttributeNames },
            ExpressionAttributeValues: {
              ':pk': eventKeys.logDay(day),
              ':until': `${options.until}#~`,
              ...filter.ExpressionAttributeValues,
            },
            Limit: Math.max(1, Math.min(options.limit - events.length, options.maxReads - reads)),
            ...(after ? { ExclusiveStartKey: { [KEYS.pk]: eventKeys.logDay(day), [KEYS.sk]: after } } : {}),
          }),
        );
        reads += page.ScannedCount ?? 0;
        events.push(...(page.Items ?? []).map((i) => i.event as ChangeEvent));
        const lastItem = page.Items?.at(-1)?.[KEYS.sk];
        if (typeof lastItem === 'string') after = lastItem;
        const last = page.LastEvaluatedKey?.[KEYS.sk];
        if (typeof last === 'string') after = last;
        if (events.length >= options.limit || reads >= options.maxReads) return { events, next: { day, sk: after } };
        if (typeof last !== 'string') break; // this day is read to the end (so far)
      }
      // A day before the last one cannot get new entries: go on to the next. The last: stay.
      if (day >= untilDay) break;
      day = nextDay(day);
      after = '';
    }
    return { events, next: { day, sk: after } };
  }

  async listResource(
    resourceId: string,
    options: { after?: LogPosition; limit: number; types?: readonly string[] },
  ): Promise<EventLogPage> {
    const pk = eventKeys.resourcePk(resourceId);
    const filter = this.typeFilter(options.types);
    let after = options.after?.sk ?? '';
    const events: ChangeEvent[] = [];
    for (let calls = 0; calls < 10 && events.length < options.limit; calls++) {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk',
          ...filter,
          ExpressionAttributeNames: { '#pk': KEYS.pk, ...filter.ExpressionAttributeNames },
          ExpressionAttributeValues: { ':pk': pk, ...filter.ExpressionAttributeValues },
          Limit: options.limit - events.length,
          ...(after ? { ExclusiveStartKey: { [KEYS.pk]: pk, [KEYS.sk]: after } } : {}),
        }),
      );
      events.push(...(page.Items ?? []).map((i) => i.event as ChangeEvent));
      const last = page.LastEvaluatedKey?.[KEYS.sk];
      if (typeof last !== 'string') {
        const item = page.Items?.at(-1);
        if (item) after = String(item[KEYS.sk]);
        break;
      }
      after = last;
    }
    return { events, next: { r: resourceId, sk: after } };
  }

  isPosition(position: LogPosition, resourceId?: string): boolean {
    const keys = Object.keys(position).sort().join(',');
    if (resourceId !== undefined) {
      return (
        keys === 'r,sk' &&
        position.r === resourceId &&
        /^(\d{12})?$/.test(position.sk ?? '') &&
        `${RESOURCE_EVENTS_PREFIX}${resourceId}`.length < 200
      );
    }
    return (
      keys === 'day,sk' &&
      /^\d{4}-\d{2}-\d{2}$/.test(position.day ?? '') &&
      (position.sk === '' || (position.sk ?? '').startsWith(position.day ?? '-')) &&
      `${EVENT_LOG_PREFIX}${position.sk ?? ''}`.length < 300
    );
  }
}
