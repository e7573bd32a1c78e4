import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit/events';
import {
  UniquenessError,
  VersionConflictError,
  type ListPosition,
  type Resource,
  type ResourceKind,
  type ResourceRepository,
  type StoredResource,
  type WriteOptions,
  type WritePlan,
} from '../scim/ports';
import { auditItem } from './audit-repository';
import { batchGetAll, type Item, type TransactItems } from './batch';
import { cancellationCodes, retryConflicts } from './errors';
import { isStorableId, KEYS } from './table';

interface KindConfig {
  /** Key prefix: USER or GROUP. */
  prefix: string;
  /** The unique, case-insensitive name attribute: userName or displayName. */
  nameAttribute: string;
}

const KINDS: Record<ResourceKind, KindConfig> = {
  User: { prefix: 'USER', nameAttribute: 'userName' },
  Group: { prefix: 'GROUP', nameAttribute: 'displayName' },
};

/** Remembered list positions live for an hour: long enough for an identity provider's import. */
const MARKER_TTL_SECONDS = 3600;

/**
 * Users and groups on the single table.
 *  - resource item   PK <T>#<id>, SK <T>; GSI1 <T>NAME#<lower(name)>, GSI2 <T>EXT#<externalId>,
 *                    GSI3 <T>S / <created>#<id> (listing in creation order)
 *  - name guard      PK <T>NAME#<lower(name)>, SK UNIQUE   (uniqueness, in the same transaction)
 *  - counter         PK COUNT, SK <T>                       (totalResults in one read)
 *  - list marker     PK PAGE#<T>#<list key>, SK <startIndex>  (TTL: an hour)
 * externalId is indexed (GSI2); it is unique only when `uniqueExternalId` is set (a guard item
 * PK <T>EXT#<externalId>, SK UNIQUE, kept while a deleted record holds it): RFC 7643 does not make
 * it unique, and Microsoft's SCIM test collection creates several users with one externalId. A deleted
 * resource keeps its item (deleted=true, no GSI1/GSI3 keys, still in GSI2), so a later POST with
 * the same externalId restores it under the same id.
 */
export class DynamoResourceRepository implements ResourceRepository {
  private readonly kind: KindConfig;

  private readonly uniqueExternalId: boolean;
  private readonly auditRetentionDays: number | undefined;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    kind: ResourceKind,
    options: { auditRetentionDays?: number; uniqueExternalId?: boolean } = {},
  ) {
    this.kind = KINDS[kind];
    this.auditRetentionDays = options.auditRetentionDays;
    this.uniqueExternalId = options.uniqueExternalId === true;
  }

  private key(id: string): Item {
    return { [KEYS.pk]: `${this.kind.prefix}#${id}`, [KEYS.sk]: this.kind.prefix };
  }
  private nameKey(name: string): string {
    return `${this.kind.prefix}NAME#${name.toLowerCase()}`;
  }
  private extKey(externalId: string): string {
    return `${this.kind.prefix}EXT#${externalId}`;
  }
  private nameOf(resource: Resource): string {
    return String(resource[this.kind.nameAttribute] ?? '');
  }
  private extOf(resource: Resource): string | undefined {
    return typeof resource.externalId === 'string' && resource.externalId !== '' ? resource.externalId : undefined;
  }

  private toStored(item: Item): StoredResource {
    return {
      id: String(item.id),
      resource: item.data as Resource,
      version: Number(item.version),
      created: String(item.created),
      lastModified: String(item.lastModified),
      ...(typeof item.passwordHash === 'string' ? { passwordHash: item.passwordHash } : {}),
    };
  }

  private item(id: string, resource: Resource, version: number, created: string, options: WriteOptions, passwordHash?: string): Item {
    const ext = this.extOf(resource);
    return {
      ...this.key(id),
      id,
      data: resource,
      version,
      created,
      lastModified: options.at,
      GSI1PK: this.nameKey(this.nameOf(resource)),
      GSI1SK: this.kind.prefix,
      ...(ext ? { GSI2PK: this.extKey(ext), GSI2SK: this.kind.prefix } : {}),
      GSI3PK: `${this.kind.prefix}S`,
      GSI3SK: `${created}#${id}`,
      ...(passwordHash ? { passwordHash } : {}),
    };
  }

  private auditPut(audit: AuditEvent | undefined): TransactItems {
    return audit ? [{ Put: { TableName: this.tableName, Item: auditItem(audit, this.auditRetentionDays) } }] : [];
  }

  private guardPut(pk: string, id: string): TransactItems[number] {
    return {
      Put: {
        TableName: this.tableName,
        Item: { [KEYS.pk]: pk, [KEYS.sk]: 'UNIQUE', id },
        ConditionExpression: 'attribute_not_exists(#pk) OR id = :id',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  private guardDelete(pk: string, id: string): TransactItems[number] {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { [KEYS.pk]: pk, [KEYS.sk]: 'UNIQUE' },
        ConditionExpression: 'attribute_not_exists(#pk) OR id = :id',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  private counter(delta: number): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: { [KEYS.pk]: 'COUNT', [KEYS.sk]: this.kind.prefix },
        UpdateExpression: 'ADD #n :d',
        ExpressionAttributeNames: { '#n': 'count' },
        ExpressionAttributeValues: { ':d': delta },
      },
    };
  }

  /** Runs a transaction; a failed guard condition becomes a UniquenessError, a failed version check a VersionConflictError. */
  private async transact(items: TransactItems, guards: Map<number, string>): Promise<void> {
    try {
      await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (e: unknown) {
      const codes = cancellationCodes(e);
      const failed = codes.findIndex((c) => c === 'ConditionalCheckFailed');
      if (failed < 0) throw e;
      const attribute = guards.get(failed);
      if (attribute) throw new UniquenessError(attribute, `${attribute} is already in use`, { cause: e });
      throw new VersionConflictError('The resource changed since it was read', { cause: e });
    }
  }

  async get(id: string): Promise<StoredResource | undefined> {
    if (!isStorableId(id)) return undefined;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(id), ConsistentRead: true }));
    return Item && Item.deleted !== true ? this.toStored(Item) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<StoredResource[]> {
    const keys = [...new Set(ids)].filter(isStorableId).map((id) => this.key(id));
    const items = await batchGetAll(this.db, this.tableName, keys);
    return items.filter((i) => i.deleted !== true).map((i) => this.toStored(i));
  }

  private async queryOne(indexName: string, pkName: string, pk: string): Promise<Item[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pkName },
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );
    return Items ?? [];
  }

  async findByName(name: string): Promise<StoredResource | undefined> {
    const item = (await this.queryOne('GSI1', 'GSI1PK', this.nameKey(name))).find((i) => i.deleted !== true);
    return item ? this.toStored(item) : undefined;
  }

  async findByExternalId(externalId: string): Promise<StoredResource[]> {
    return (await this.queryOne('GSI2', 'GSI2PK', this.extKey(externalId))).filter((i) => i.deleted !== true).map((i) => this.toStored(i));
  }

  async findDeletedByExternalId(externalId: string): Promise<StoredResource | undefined> {
    const item = (await this.queryOne('GSI2', 'GSI2PK', this.extKey(externalId))).find((i) => i.deleted === true);
    return item ? this.toStored(item) : undefined;
  }

  async create(id: string, resource: Resource, options: WriteOptions): Promise<StoredResource> {
    const { items, guards, result } = this.createItems(id, resource, options);
    await this.transact(items, guards);
    return result;
  }

  planCreate(id: string, resource: Resource, options: WriteOptions): { plan: WritePlan; result: StoredResource } {
    const { items, guards, result } = this.createItems(id, resource, { ...options, audit: undefined });
    return { plan: this.plan(items, guards), result };
  }

  private createItems(
    id: string,
    resource: Resource,
    options: WriteOptions,
  ): { items: TransactItems; guards: Map<number, string>; result: StoredResource } {
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.item(id, resource, 1, options.at, options, options.passwordHash),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
        },
      },
      this.guardPut(this.nameKey(this.nameOf(resource)), id),
      this.counter(1),
      ...this.auditPut(options.audit),
    ];
    const guards = new Map([[1, this.kind.nameAttribute]]);
    const ext = this.extOf(resource);
    if (this.uniqueExternalId && ext) {
      guards.set(items.length, 'externalId');
      items.push(this.guardPut(this.extKey(ext), id));
    }
    return {
      items,
      guards,
      result: {
        id,
        resource,
        version: 1,
        created: options.at,
        lastModified: options.at,
        ...(options.passwordHash ? { passwordHash: options.passwordHash } : {}),
      },
    };
  }

  /** Writes to run inside another transaction; a failed condition maps to the same domain errors. */
  private plan(items: TransactItems, guards: Map<number, string>): WritePlan {
    return {
      kind: 'write-plan',
      items,
      onConditionFailed: (index, cause) => {
        const attribute = guards.get(index);
        return attribute
          ? new UniquenessError(attribute, `${attribute} is already in use`, { cause })
          : new VersionConflictError('The resource changed since it was read', { cause });
      },
    };
  }

  async restore(previous: StoredResource, resource: Resource, options: WriteOptions): Promise<StoredResource> {
    return this.write(previous, resource, options, { restoring: true });
  }

  async replace(previous: StoredResource, resource: Resource, options: WriteOptions): Promise<StoredResource> {
    return this.write(previous, resource, options, { restoring: false });
  }

  planReplace(previous: StoredResource, resource: Resource, options: WriteOptions): { plan: WritePlan; result: StoredResource } {
    const { items, guards, result } = this.writeItems(previous, resource, { ...options, audit: undefined }, { restoring: false });
    return { plan: this.plan(items, guards), result };
  }

  private async write(
    previous: StoredResource,
    resource: Resource,
    options: WriteOptions,
    how: { restoring: boolean },
  ): Promise<StoredResource> {
    const { items, guards, result } = this.writeItems(previous, resource, options, how);
    await this.transact(items, guards);
    return result;
  }

  /** Replace or restore: the item if its version is unchanged, guards for changed unique values, counter on restore. */
  private writeItems(
    previous: StoredResource,
    resource: Resource,
    options: WriteOptions,
    how: { restoring: boolean },
  ): { items: TransactItems; guards: Map<number, string>; result: StoredResource } {
    const id = previous.id;
    const version = previous.version + 1;
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.item(
            id,
            resource,
            version,
            previous.created,
            options,
            options.passwordHash ?? (how.restoring ? undefined : previous.passwordHash),
          ),
          ConditionExpression: how.restoring ? 'version = :v AND deleted = :true' : 'version = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeValues: { ':v': previous.version, ...(how.restoring ? { ':true': true } : {}) },
        },
      },
    ];
    const guards = new Map<number, string>();
    const oldName = this.nameOf(previous.resource).toLowerCase();
    const newName = this.nameOf(resource).toLowerCase();
    if (how.restoring || oldName !== newName) {
      guards.set(items.length, this.kind.nameAttribute);
      items.push(this.guardPut(this.nameKey(newName), id));
      if (!how.restoring) items.push(this.guardDelete(this.nameKey(oldName), id));
    }
    const oldExt = this.extOf(previous.resource);
    const newExt = this.extOf(resource);
    if (this.uniqueExternalId && oldExt !== newExt) {
      if (newExt) {
        guards.set(items.length, 'externalId');
        items.push(this.guardPut(this.extKey(newExt), id));
      }
      if (oldExt) items.push(this.guardDelete(this.extKey(oldExt), id));
    }
    if (how.restoring) items.push(this.counter(1));
    items.push(...this.auditPut(options.audit));
    const passwordHash = options.passwordHash ?? (how.restoring ? undefined : previous.passwordHash);
    return {
      items,
      guards,
      result: { id, resource, version, created: previous.created, lastModified: options.at, ...(passwordHash ? { passwordHash } : {}) },
    };
  }

  async remove(previous: StoredResource, options: WriteOptions): Promise<void> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: this.key(previous.id),
          UpdateExpression: 'SET deleted = :true, deletedAt = :at, version = :next REMOVE GSI1PK, GSI1SK, GSI3PK, GSI3SK, passwordHash',
          ConditionExpression: 'version = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeValues: { ':true': true, ':at': options.at, ':v': previous.version, ':next': previous.version + 1 },
        },
      },
      this.guardDelete(this.nameKey(this.nameOf(previous.resource)), previous.id),
      // A deleted user keeps its externalId (a POST with it restores the user); a group is not restored, so it frees it.
      ...(this.uniqueExternalId && this.kind.prefix === 'GROUP' && this.extOf(previous.resource)
        ? [this.guardDelete(this.extKey(this.extOf(previous.resource) ?? ''), previous.id)]
        : []),
      this.counter(-1),
      ...this.auditPut(options.audit),
    ];
    await this.transact(items, new Map());
  }

  async count(): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEYS.pk]: 'COUNT', [KEYS.sk]: this.kind.prefix }, ConsistentRead: true }),
    );
    return typeof Item?.count === 'number' ? Math.max(0, Item.count) : 0;
  }

  /** Is this a position `positionOf` could have made for this resource type (a cursor is client input)? */
  isPosition(p: ListPosition): boolean {
    const keys = Object.keys(p).sort().join(',');
    return (
      keys === [KEYS.pk, KEYS.sk, 'GSI3PK', 'GSI3SK'].sort().join(',') &&
      p.GSI3PK === `${this.kind.prefix}S` &&
      p[KEYS.sk] === this.kind.prefix &&
      String(p[KEYS.pk]).startsWith(`${this.kind.prefix}#`) &&
      Buffer.byteLength(JSON.stringify(p)) < 2048
    );
  }

  positionOf(item: StoredResource): ListPosition {
    const key = this.key(item.id);
    return {
      [KEYS.pk]: String(key[KEYS.pk]),
      [KEYS.sk]: String(key[KEYS.sk]),
      GSI3PK: `${this.kind.prefix}S`,
      GSI3SK: `${item.created}#${item.id}`,
    };
  }

  async page(options: {
    after?: ListPosition;
    limit: number;
    descending?: boolean;
  }): Promise<{ items: StoredResource[]; last?: ListPosition }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI3',
        KeyConditionExpression: 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': `${this.kind.prefix}S` },
        ExclusiveStartKey: options.after,
        Limit: options.limit,
        ScanIndexForward: !options.descending,
      }),
    );
    const items = (page.Items ?? []).map((i) => this.toStored(i));
    return page.LastEvaluatedKey ? { items, last: page.LastEvaluatedKey as ListPosition } : { items };
  }

  async getMarker(listKey: string, startIndex: number, now: Date): Promise<{ position: ListPosition; total: number } | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [KEYS.pk]: `PAGE#${this.kind.prefix}#${listKey}`, [KEYS.sk]: String(startIndex) },
      }),
    );
    // TTL deletion lags; an expired marker is treated as gone.
    if (!Item || (typeof Item[KEYS.ttl] === 'number' && Item[KEYS.ttl] * 1000 < now.getTime())) return undefined;
    return { position: Item.position as ListPosition, total: Number(Item.total) };
  }

  async putMarker(listKey: string, startIndex: number, marker: { position: ListPosition; total: number }, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [KEYS.pk]: `PAGE#${this.kind.prefix}#${listKey}`,
          [KEYS.sk]: String(startIndex),
          position: marker.position,
          total: marker.total,
          [KEYS.ttl]: Math.floor(Date.parse(at) / 1000) + MARKER_TTL_SECONDS,
        },
      }),
    );
  }
}
