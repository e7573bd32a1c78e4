import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError, type AuditEvent, type AuditLog } from '../audit/events';
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

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
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
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {}

  /** The Put of an event, to include in another write's transaction. */
  put(event: AuditEvent): TransactItems[number] {
    return auditPut(this.tableName, event, this.retentionDays);
  }

  async record(event: AuditEvent): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: auditItem(event, this.retentionDays) }));
  }

  async list(options: { limit: number; cursor?: string; since?: string }): Promise<{ events: AuditEvent[]; nextCursor?: string }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.listings.name,
        KeyConditionExpression: options.since ? '#pk = :pk AND #sk >= :since' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.listings.pk, ...(options.since ? { '#sk': INDEX.listings.sk } : {}) },
        ExpressionAttributeValues: { ':pk': auditKeys.listingPk, ...(options.since ? { ':since': options.since } : {}) },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor) : undefined,
      }),
    );
    const events = (page.Items ?? []).map((item) => item.event as AuditEvent);
    return page.LastEvaluatedKey ? { events, nextCursor: encodeCursor(page.LastEvaluatedKey) } : { events };
  }
}
