import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit/events';
import {
  UniquenessError,
  VersionConflictError,
  type DeletedResource,
  type ListPosition,
  type ListState,
  type Resource,
  type ResourceKind,
  type ResourceRepository,
  type StoredResource,
  type WriteOptions,
  type WritePlan,
} from '../scim/ports';
import { uniqueNameKey } from '../scim/resource/names';
import { CURSOR_TIMEOUT_SECONDS } from '../scim/limits';
import { auditPut } from './audit-repository';
import { batchGetAll, type Item, type TransactItems } from './batch';
import { failedCondition, isConditionFailure, retryConflicts, translateCancellation } from './errors';
import { INDEX, isStorableId, KEYS, resourceKeys } from './keys';

/** The unique, case-insensitive name attribute of each type. */
const NAME_ATTRIBUTE: Record<ResourceKind, string> = { User: 'userName', Group: 'displayName' };

type Guards = Map<number, string>;

/**
 * Users and groups on the single table (key layout: shared/store/keys.ts). A resource item holds
 * the resource, its version and timestamps, its index keys (unique name, externalId, listing),
 * and for a group its member count. A name guard item, written in the same transaction, makes the
 * name unique; an externalId guard does the same when `uniqueExternalId` is set (RFC 7643 does not
 * make externalId unique, and Microsoft's SCIM test collection creates several users with one).
 * A counter item per type holds the count (totalResults in one read) and a generation that every
 * create, restore and delete moves (remembered startIndex positions are valid for one generation).
 * A deleted resource keeps its item (deleted, no name or listing index keys, still by externalId)
 * with a `ttl`: DynamoDB erases it, personal data with it, when the retention ends.
 */
export class DynamoResourceRepository implements ResourceRepository {
  private readonly uniqueExternalId: boolean;
  private readonly auditRetentionDays: number | undefined;
  private readonly nameAttribute: string;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly kind: ResourceKind,
    options: { auditRetentionDays?: number; uniqueExternalId?: boolean } = {},
  ) {
    this.auditRetentionDays = options.auditRetentionDays;
    this.uniqueExternalId = options.uniqueExternalId === true;
    this.nameAttribute = NAME_ATTRIBUTE[kind];
  }

  private key(id: string): Item {
    return resourceKeys.item(this.kind, id);
  }
  private nameOf(resource: Resource): string {
    return String(resource[this.nameAttribute] ?? '');
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
      ...(this.kind === 'Group' ? { memberCount: Math.max(0, Number(item.memberCount ?? 0)) } : {}),
    };
  }

  private toDeleted(item: Item): DeletedResource {
    return {
      ...this.toStored(item),
      deletedAt: String(item.deletedAt),
      ...(typeof item[KEYS.ttl] === 'number' ? { retainUntil: new Date(Number(item[KEYS.ttl]) * 1000).toISOString() } : {}),
    };
  }

  private item(stored: StoredResource): Item {
    const ext = this.extOf(stored.resource);
    return {
      ...this.key(stored.id),
      id: stored.id,
      data: stored.resource,
      version: stored.version,
      created: stored.created,
      lastModified: stored.lastModified,
      [INDEX.names.pk]: resourceKeys.nameValue(this.kind, this.nameOf(stored.resource)),
      [INDEX.names.sk]: resourceKeys.item(this.kind, '')[KEYS.sk],
      ...(ext
        ? { [INDEX.externalIds.pk]: resourceKeys.externalIdValue(this.kind, ext), [INDEX.externalIds.sk]: this.key('')[KEYS.sk] }
        : {}),
      [INDEX.listings.pk]: resourceKeys.listingPk(this.kind),
      [INDEX.listings.sk]: resourceKeys.listingSk(stored.created, stored.id),
      ...(stored.passwordHash ? { passwordHash: stored.passwordHash } : {}),
      ...(stored.memberCount !== undefined ? { memberCount: stored.memberCount } : {}),
    };
  }

  private audit(audit: AuditEvent | undefined): TransactItems {
    return audit ? [auditPut(this.tableName, audit, this.auditRetentionDays)] : [];
  }

  private guardPut(guardKey: Item, id: string): TransactItems[number] {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...guardKey, id },
        ConditionExpression: 'attribute_not_exists(#pk) OR id = :id',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  private guardDelete(guardKey: Item, id: string): TransactItems[number] {
    return {
      Delete: {
        TableName: this.tableName,
        Key: guardKey,
        ConditionExpression: 'attribute_not_exists(#pk) OR id = :id',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  /** The counter moves with the count; its generation with every change of the listing. */
  private counter(delta: number): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: resourceKeys.counter(this.kind),
        UpdateExpression: 'ADD #n :d, #g :one',
        ExpressionAttributeNames: { '#n': 'count', '#g': 'generation' },
        ExpressionAttributeValues: { ':d': delta, ':one': 1 },
      },
    };
  }

  private conditionError(guards: Guards) {
    return (index: number, cause: unknown): Error => {
      const attribute = guards.get(index);
      return attribute
        ? new UniquenessError(attribute, `${attribute} is already in use`, { cause })
        : new VersionConflictError('The resource changed since it was read', { cause });
    };
  }

  /** Runs a transaction; a failed guard becomes a UniquenessError, a failed version check a VersionConflictError. */
  private async transact(items: TransactItems, guards: Guards): Promise<void> {
    try {
      await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (e: unknown) {
      const onCondition = this.conditionError(guards);
      throw translateCancellation(e, (index) => onCondition(index, e));
    }
  }

  private plan(items: TransactItems, guards: Guards): WritePlan {
    return { kind: 'write-plan', items, onConditionFailed: this.conditionError(guards) };
  }

  async get(id: string): Promise<StoredResource | undefined> {
    if (!isStorableId(id)) return undefined;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(id), ConsistentRead: true }));
    return Item && Item.deleted !== true ? this.toStored(Item) : undefined;
  }

  async getDeleted(id: string): Promise<DeletedResource | undefined> {
    if (!isStorableId(id)) return undefined;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(id), ConsistentRead: true }));
    return Item && Item.deleted === true ? this.toDeleted(Item) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<StoredResource[]> {
    const keys = [...new Set(ids)].filter(isStorableId).map((id) => this.key(id));
    const items = await batchGetAll(this.db, this.tableName, keys);
    return items.filter((i) => i.deleted !== true).map((i) => this.toStored(i));
  }

  private async query(index: { name: string; pk: string }, pk: string): Promise<Item[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.pk },
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );
    return Items ?? [];
  }

  async findByName(name: string): Promise<StoredResource | undefined> {
    const item = (await this.query(INDEX.names, resourceKeys.nameValue(this.kind, name))).find((i) => i.deleted !== true);
    return item ? this.toStored(item) : undefined;
  }

  async findByExternalId(externalId: string): Promise<StoredResource[]> {
    const items = await this.query(INDEX.externalIds, resourceKeys.externalIdValue(this.kind, externalId));
    return items.filter((i) => i.deleted !== true).map((i) => this.toStored(i));
  }

  async findDeletedByExternalId(externalId: string): Promise<DeletedResource[]> {
    const items = await this.query(INDEX.externalIds, resourceKeys.externalIdValue(this.kind, externalId));
    return items.filter((i) => i.deleted === true).map((i) => this.toDeleted(i));
  }

  async create(id: string, resource: Resource, options: WriteOptions): Promise<StoredResource> {
    const { items, guards, result } = this.createItems(id, resource, options);
    await this.transact(items, guards);
    return result;
  }

  planCreate(id: string, resource: Resource, options: WriteOptions & { memberCount: number }): { plan: WritePlan; result: StoredResource } {
    const { items, guards, result } = this.createItems(id, resource, { ...options, audit: undefined });
    return { plan: this.plan(items, guards), result };
  }

  private createItems(
    id: string,
    resource: Resource,
    options: WriteOptions & { memberCount?: number },
  ): { items: TransactItems; guards: Guards; result: StoredResource } {
    const result: StoredResource = {
      id,
      resource,
      version: 1,
      created: options.at,
      lastModified: options.at,
      ...(options.passwordHash ? { passwordHash: options.passwordHash } : {}),
      ...(this.kind === 'Group' ? { memberCount: options.memberCount ?? 0 } : {}),
    };
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.item(result),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
        },
      },
      this.guardPut(resourceKeys.nameGuard(this.kind, this.nameOf(resource)), id),
      this.counter(1),
      ...this.audit(options.audit),
    ];
    const guards: Guards = new Map([[1, this.nameAttribute]]);
    const ext = this.extOf(resource);
    if (this.uniqueExternalId && ext) {
      guards.set(items.length, 'externalId');
      items.push(this.guardPut(resourceKeys.externalIdGuard(this.kind, ext), id));
    }
    return { items, guards, result };
  }

  async restore(previous: DeletedResource, resource: Resource, options: WriteOptions): Promise<StoredResource> {
    const { items, guards, result } = this.writeItems(previous, resource, options, true);
    await this.transact(items, guards);
    return result;
  }

  async replace(previous: StoredResource, resource: Resource, options: WriteOptions): Promise<StoredResource> {
    const { items, guards, result } = this.writeItems(previous, resource, options, false);
    await this.transact(items, guards);
    return result;
  }

  planReplace(
    previous: StoredResource,
    resource: Resource,
    options: WriteOptions & { memberDelta: number },
  ): { plan: WritePlan; result: StoredResource } {
    const { items, guards, result } = this.writeItems(previous, resource, { ...options, audit: undefined }, false, options.memberDelta);
    return { plan: this.plan(items, guards), result };
  }

  planTouch(previous: StoredResource, options: { at: string; memberDelta: number }): { plan: WritePlan; result: StoredResource } {
    const result: StoredResource = {
      ...previous,
      version: previous.version + 1,
      lastModified: options.at,
      memberCount: Math.max(0, (previous.memberCount ?? 0) + options.memberDelta),
    };
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: this.key(previous.id),
          UpdateExpression: 'SET #v = :next, lastModified = :at, memberCount = :count',
          ConditionExpression: '#v = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': previous.version, ':next': result.version, ':at': options.at, ':count': result.memberCount },
        },
      },
    ];
    return { plan: this.plan(items, new Map()), result };
  }

  /** Replace or restore: the item if its version is unchanged, guards for changed unique values, counter on restore. */
  private writeItems(
    previous: StoredResource,
    resource: Resource,
    options: WriteOptions,
    restoring: boolean,
    memberDelta = 0,
  ): { items: TransactItems; guards: Guards; result: StoredResource } {
    const id = previous.id;
    const passwordHash = options.passwordHash ?? (restoring ? undefined : previous.passwordHash);
    const result: StoredResource = {
      id,
      resource,
      version: previous.version + 1,
      created: previous.created,
      lastModified: options.at,
      ...(passwordHash ? { passwordHash } : {}),
      ...(this.kind === 'Group' ? { memberCount: Math.max(0, (restoring ? 0 : (previous.memberCount ?? 0)) + memberDelta) } : {}),
    };
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.item(result),
          ConditionExpression: restoring ? 'version = :v AND deleted = :true' : 'version = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeValues: { ':v': previous.version, ...(restoring ? { ':true': true } : {}) },
        },
      },
    ];
    const guards: Guards = new Map();
    const oldName = uniqueNameKey(this.nameOf(previous.resource));
    const newName = uniqueNameKey(this.nameOf(resource));
    if (restoring || oldName !== newName) {
      guards.set(items.length, this.nameAttribute);
      items.push(this.guardPut(resourceKeys.nameGuard(this.kind, newName), id));
      if (!restoring) items.push(this.guardDelete(resourceKeys.nameGuard(this.kind, oldName), id));
    }
    // A deleted record holds no externalId guard (it was freed on delete): a restore claims it again.
    const oldExt = restoring ? undefined : this.extOf(previous.resource);
    const newExt = this.extOf(resource);
    if (this.uniqueExternalId && oldExt !== newExt) {
      if (newExt) {
        guards.set(items.length, 'externalId');
        items.push(this.guardPut(resourceKeys.externalIdGuard(this.kind, newExt), id));
      }
      if (oldExt) items.push(this.guardDelete(resourceKeys.externalIdGuard(this.kind, oldExt), id));
    }
    if (restoring) items.push(this.counter(1));
    items.push(...this.audit(options.audit));
    return { items, guards, result };
  }

  async remove(previous: StoredResource, options: WriteOptions & { retainUntil: string }): Promise<void> {
    const ext = this.extOf(previous.resource);
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: this.key(previous.id),
          UpdateExpression: `SET deleted = :true, deletedAt = :at, version = :next, #ttl = :ttl REMOVE ${resourceKeys.indexAttributes.join(', ')}, passwordHash`,
          ConditionExpression: 'version = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#ttl': KEYS.ttl },
          ExpressionAttributeValues: {
            ':true': true,
            ':at': options.at,
            ':v': previous.version,
            ':next': previous.version + 1,
            ':ttl': Math.floor(Date.parse(options.retainUntil) / 1000),
          },
        },
      },
      this.guardDelete(resourceKeys.nameGuard(this.kind, this.nameOf(previous.resource)), previous.id),
      // The externalId is free for a new resource; a restore by the same identity claims it again.
      ...(this.uniqueExternalId && ext ? [this.guardDelete(resourceKeys.externalIdGuard(this.kind, ext), previous.id)] : []),
      this.counter(-1),
      ...this.audit(options.audit),
    ];
    await this.transact(items, new Map());
  }

  async erase(id: string, options: { audit?: AuditEvent }): Promise<boolean> {
    if (!isStorableId(id)) return false;
    const deleteItem = {
      TableName: this.tableName,
      Key: this.key(id),
      ConditionExpression: 'deleted = :true',
      ExpressionAttributeValues: { ':true': true },
    };
    try {
      if (options.audit) {
        await this.db.send(new TransactWriteCommand({ TransactItems: [{ Delete: deleteItem }, ...this.audit(options.audit)] }));
      } else {
        await this.db.send(new DeleteCommand(deleteItem));
      }
      return true;
    } catch (e: unknown) {
      // Not a deleted record (a live resource, or none): nothing erased.
      if (failedCondition(e) === 0 || isConditionFailure(e)) return false;
      throw e;
    }
  }

  async listState(): Promise<ListState> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: resourceKeys.counter(this.kind), ConsistentRead: true }),
    );
    return {
      count: typeof Item?.count === 'number' ? Math.max(0, Item.count) : 0,
      generation: typeof Item?.generation === 'number' ? Item.generation : 0,
    };
  }

  /** Is this a position `positionOf` could have made for this resource type (a cursor is client input)? */
  isPosition(p: ListPosition): boolean {
    const expected = [KEYS.pk, KEYS.sk, INDEX.listings.pk, INDEX.listings.sk].sort().join(',');
    return (
      Object.keys(p).sort().join(',') === expected &&
      p[INDEX.listings.pk] === resourceKeys.listingPk(this.kind) &&
      p[KEYS.sk] === this.key('')[KEYS.sk] &&
      String(p[KEYS.pk]).startsWith(resourceKeys.itemPkPrefix(this.kind)) &&
      Buffer.byteLength(JSON.stringify(p)) < 2048
    );
  }

  positionOf(item: StoredResource): ListPosition {
    const key = this.key(item.id);
    return {
      [KEYS.pk]: String(key[KEYS.pk]),
      [KEYS.sk]: String(key[KEYS.sk]),
      [INDEX.listings.pk]: resourceKeys.listingPk(this.kind),
      [INDEX.listings.sk]: resourceKeys.listingSk(item.created, item.id),
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
        IndexName: INDEX.listings.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.listings.pk },
        ExpressionAttributeValues: { ':pk': resourceKeys.listingPk(this.kind) },
        ExclusiveStartKey: options.after,
        Limit: options.limit,
        ScanIndexForward: !options.descending,
      }),
    );
    const items = (page.Items ?? []).map((i) => this.toStored(i));
    return page.LastEvaluatedKey ? { items, last: page.LastEvaluatedKey as ListPosition } : { items };
  }

  async getMarker(listKey: string, startIndex: number, generation: number, now: Date): Promise<ListPosition | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: resourceKeys.marker(this.kind, listKey, startIndex) }),
    );
    // TTL deletion lags: an expired marker is gone; one from another generation is stale.
    if (!Item || (typeof Item[KEYS.ttl] === 'number' && Item[KEYS.ttl] * 1000 < now.getTime())) return undefined;
    return Item.generation === generation ? (Item.position as ListPosition) : undefined;
  }

  async putMarker(listKey: string, startIndex: number, marker: { position: ListPosition; generation: number }, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...resourceKeys.marker(this.kind, listKey, startIndex),
          position: marker.position,
          generation: marker.generation,
          // A remembered position lives as long as a cursor (limits.ts: advertised as cursorTimeout).
          [KEYS.ttl]: Math.floor(Date.parse(at) / 1000) + CURSOR_TIMEOUT_SECONDS,
        },
      }),
    );
  }
}
