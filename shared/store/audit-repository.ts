import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError, type AuditEvent, type AuditLog } from '../audit/events';
import { cursorSealer } from '../crypto/cursor-key';
import type { Sealer } from '../scim/ports';
import type { TransactItems } from './batch';
import { auditKeys, INDEX, KEYS } from './keys';

const DAY_SECONDS = 24 * 3600;
/** Default retention of audit events (TTL). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

export function newAuditId(): string {
  return randomUUID();
}

/**
 * The audit item: PK per day spreads writes; GSI3 (one partition, sorted by time) gives the
 * newest-first listing in one Query per page. `ttl` removes events after the retention.
 */
export function auditItem(event: AuditEvent, retentionDays = DEFAULT_AUDIT_RETENTION_DAYS): Record<string, unknown> {
  return {
    ...auditKeys.item(event.at, event.id),
    [INDEX.listings.pk]: auditKeys.listingPk,
    [INDEX.listings.sk]: auditKeys.listingSk(event.at, event.id),
    [KEYS.ttl]: Math.floor(Date.parse(event.at) / 1000) + retentionDays * DAY_SECONDS,
    event,
  };
}

/** The Put of an audit event, to include in another write's transaction. */
export function auditPut(tableName: string, event: AuditEvent, retentionDays = DEFAULT_AUDIT_RETENTION_DAYS): TransactItems[number] {
  return { Put: { TableName: tableName, Item: auditItem(event, retentionDays) } };
}

/** What audit cursors are sealed for (a SCIM cursor does not open as one). */
const CURSOR_PURPOSE = 'audit-list-cursor';

function encodeCursor(key: Record<string, unknown>, sealer: Sealer): string {
  return sealer.seal(CURSOR_PURPOSE, JSON.stringify(key));
}

/** The page position a cursor holds: sealed by this deployment, and a position of the audit listing. */
function decodeCursor(cursor: string, sealer: Sealer): Record<string, unknown> {
  const text = cursor.length <= 4096 ? sealer.open(CURSOR_PURPOSE, cursor) : undefined;
  try {
    const key = text === undefined ? undefined : (JSON.parse(text) as unknown);
    if (
      typeof key === 'object' &&
      key !== null &&
      (key as Record<string, unknown>)[INDEX.listings.pk] === auditKeys.listingPk &&
      typeof (key as Record<string, unknown>)[INDEX.listings.sk] === 'string' &&
      typeof (key as Record<string, unknown>)[KEYS.pk] === 'string' &&
      typeof (key as Record<string, unknown>)[KEYS.sk] === 'string'
    ) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError('The cursor is not one this API returned');
}

export class DynamoAuditLog implements AuditLog {
  private readonly retentionDays: number;
  private readonly sealer: () => Promise<Sealer>;

  /** `sealer`: the deployment's cursor sealer (without one, cursors are valid for this instance only). */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: { retentionDays?: number; sealer?: () => Promise<Sealer> } = {},
  ) {
    this.retentionDays = options.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    this.sealer = options.sealer ?? cursorSealer({});
  }

  /** The Put of an event, to include in another write's transaction. */
  put(event: AuditEvent): TransactItems[number] {
    return auditPut(this.tableName, event, this.retentionDays);
  }

  async record(event: AuditEvent): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: auditItem(event, this.retentionDays) }));
  }

  /** One UpdateItem: the event as first recorded, and its count moved on by one. */
  async recordAggregated(event: AuditEvent): Promise<void> {
    const { event: _event, ...item } = auditItem(event, this.retentionDays);
    const keys = auditKeys.item(event.at, event.id);
    const attributes = Object.entries(item).filter(([name]) => !(name in keys));
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys,
        UpdateExpression: `SET #event = if_not_exists(#event, :event), ${attributes.map((_, i) => `#a${i} = :a${i}`).join(', ')} ADD #count :one`,
        ExpressionAttributeNames: {
          '#event': 'event',
          '#count': 'count',
          ...Object.fromEntries(attributes.map(([name], i) => [`#a${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':event': event,
          ':one': 1,
          ...Object.fromEntries(attributes.map(([, value], i) => [`:a${i}`, value])),
        },
      }),
    );
  }

  async list(options: { limit: number; cursor?: string; since?: string }): Promise<{ events: AuditEvent[]; nextCursor?: string }> {
    const sealer = await this.sealer();
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.listings.name,
        KeyConditionExpression: options.since ? '#pk = :pk AND #sk >= :since' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.listings.pk, ...(options.since ? { '#sk': INDEX.listings.sk } : {}) },
        ExpressionAttributeValues: { ':pk': auditKeys.listingPk, ...(options.since ? { ':since': options.since } : {}) },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, sealer) : undefined,
      }),
    );
    const events = (page.Items ?? []).map((item) =>
      typeof item.count === 'number' ? { ...(item.event as AuditEvent), count: item.count } : (item.event as AuditEvent),
    );
    return page.LastEvaluatedKey ? { events, nextCursor: encodeCursor(page.LastEvaluatedKey, sealer) } : { events };
  }
}
