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
  type ChangeNote,
  type DeletedResource,
  type ListPosition,
  type ListState,
  type OrderRange,
  type Resource,
  type ResourceKind,
  type ResourceOrder,
  type ResourceRepository,
  type StoredResource,
  type WalkOptions,
  type WalkPage,
  type WriteOptions,
  type WritePlan,
} from '../scim/ports';
import { changeNote } from '../scim/events/change-note';
import { uniqueNameKey } from '../scim/resource/names';
import { CURSOR_TIMEOUT_SECONDS } from '../scim/limits';
import { auditPut } from './audit-repository';
import { batchGetAll, type Item, type TransactItems } from './batch';
import { failedCondition, isConditionFailure, retryConflicts, translateCancellation } from './errors';
import { CHANGE_ATTRIBUTE, foldedIndexValue, INDEX, indexValue, isStorableId, KEYS, resourceKeys } from './keys';

/** The unique, case-insensitive name attribute of each type. */
const NAME_ATTRIBUTE: Record<ResourceKind, string> = { User: 'userName', Group: 'displayName' };

type Guards = Map<number, string>;

/** How an order is kept: its index, the partition of this type in it, and how a filter's value becomes an index value. */
interface OrderSpec {
  readonly index: { readonly name: string; readonly pk: string; readonly sk: string };
  readonly partition: string;
  /** Index entries are table keys only (or email items): the resources are read by key after. */
  readonly byKey: boolean;
  readonly value: (v: string) => string;
}

/** The folded addresses of a user's emails (each one index entry). */
function emailValues(resource: Resource): Set<string> {
  const out = new Set<string>();
  const emails = resource.emails;
  if (!Array.isArray(emails)) return out;
  for (const e of emails) {
    const v = (e as { value?: unknown } | null)?.value;
    if (typeof v === 'string' && v !== '') out.add(foldedIndexValue(v));
  }
  return out;
}

/** Whether an index value falls in a range (already in index values). */
function inRange(v: string, range: OrderRange | undefined): boolean {
  if (!range || range.kind === 'all') return true;
  if (range.kind === 'eq') return v === range.value;
  if (range.kind === 'prefix') return v.startsWith(range.value);
  return (range.lower === undefined || v >= range.lower) && (range.upper === undefined || v <= range.upper);
}

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
  readonly orders: readonly ResourceOrder[];

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly kind: ResourceKind,
    options: { auditRetentionDays?: number; uniqueExternalId?: boolean } = {},
  ) {
    this.auditRetentionDays = options.auditRetentionDays;
    this.uniqueExternalId = options.uniqueExternalId === true;
    this.nameAttribute = NAME_ATTRIBUTE[kind];
    this.orders =
      kind === 'User' ? ['created', 'name', 'externalId', 'lastModified', 'email'] : ['created', 'name', 'externalId', 'lastModified'];
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

  private item(stored: StoredResource, change: ChangeNote): Item {
    const ext = this.extOf(stored.resource);
    return {
      ...this.key(stored.id),
      id: stored.id,
      [CHANGE_ATTRIBUTE]: change,
      data: stored.resource,
      version: stored.version,
      created: stored.created,
      lastModified: stored.lastModified,
      [INDEX.names.pk]: resourceKeys.namesPk(this.kind),
      [INDEX.names.sk]: foldedIndexValue(this.nameOf(stored.resource)),
      ...(ext ? { [INDEX.externalIds.pk]: resourceKeys.externalIdsPk(this.kind), [INDEX.externalIds.sk]: indexValue(ext) } : {}),
      [INDEX.listings.pk]: resourceKeys.listingPk(this.kind),
      [INDEX.listings.sk]: resourceKeys.listingSk(stored.created, stored.id),
      [INDEX.changes.pk]: resourceKeys.listingPk(this.kind),
      [INDEX.changes.sk]: stored.lastModified,
      ...(stored.passwordHash ? { passwordHash: stored.passwordHash } : {}),
      ...(stored.memberCount !== undefined ? { memberCount: stored.memberCount } : {}),
    };
  }

  private audit(audit: AuditEvent | undefined): TransactItems {
    return audit ? [auditPut(this.tableName, audit, this.auditRetentionDays)] : [];
  }

  /** A user's email address entries: put the new ones, delete the ones gone (none for groups). */
  private emailChanges(id: string, before: Resource | undefined, after: Resource | undefined): TransactItems {
    if (this.kind !== 'User') return [];
    const old = before ? emailValues(before) : new Set<string>();
    const next = after ? emailValues(after) : new Set<string>();
    const items: TransactItems = [];
    for (const v of next) {
      if (old.has(v)) continue;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...resourceKeys.email(id, v), id, [INDEX.names.pk]: resourceKeys.emailsPk, [INDEX.names.sk]: v },
        },
      });
    }
    for (const v of old) if (!next.has(v)) items.push({ Delete: { TableName: this.tableName, Key: resourceKeys.email(id, v) } });
    return items;
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

  readsByKey(order: ResourceOrder): boolean {
    return order === 'lastModified' || order === 'email';
  }

  async findByName(name: string): Promise<StoredResource | undefined> {
    const folded = name.normalize('NFC').toLowerCase();
    const { items } = await this.walk({ order: 'name', range: { kind: 'eq', value: name }, limit: 10 });
    return items.find((i) => this.nameOf(i.resource).normalize('NFC').toLowerCase() === folded);
  }

  async findByExternalId(externalId: string): Promise<StoredResource[]> {
    const out: StoredResource[] = [];
    let after: ListPosition | undefined;
    do {
      const page = await this.walk({
        order: 'externalId',
        range: { kind: 'eq', value: externalId },
        limit: 1000,
        ...(after ? { after } : {}),
      });
      out.push(...page.items.filter((i) => i.resource.externalId === externalId));
      after = page.last;
    } while (after);
    return out;
  }

  async findDeletedByExternalId(externalId: string): Promise<DeletedResource[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.externalIds.name,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: { '#pk': INDEX.externalIds.pk, '#sk': INDEX.externalIds.sk },
        ExpressionAttributeValues: { ':pk': resourceKeys.deletedExternalIdsPk(this.kind), ':sk': indexValue(externalId) },
      }),
    );
    return (Items ?? [])
      .filter((i) => i.deleted === true && (i.data as Resource | undefined)?.externalId === externalId)
      .map((i) => this.toDeleted(i));
  }

  private orderSpec(order: ResourceOrder): OrderSpec {
    const exact = (v: string): string => v;
    switch (order) {
      case 'created':
        return { index: INDEX.listings, partition: resourceKeys.listingPk(this.kind), byKey: false, value: exact };
      case 'name':
        return { index: INDEX.names, partition: resourceKeys.namesPk(this.kind), byKey: false, value: foldedIndexValue };
      case 'externalId':
        return { index: INDEX.externalIds, partition: resourceKeys.externalIdsPk(this.kind), byKey: false, value: indexValue };
      case 'lastModified':
        return { index: INDEX.changes, partition: resourceKeys.listingPk(this.kind), byKey: true, value: exact };
      case 'email':
        if (this.kind !== 'User') throw new Error('Only users have email addresses in order');
        return { index: INDEX.names, partition: resourceKeys.emailsPk, byKey: true, value: foldedIndexValue };
    }
  }

  /** The range in index values (creation entries are `<created>#<id>`: a value names every id after it). */
  private indexRange(order: ResourceOrder, range: OrderRange | undefined): OrderRange | undefined {
    if (!range || range.kind === 'all') return undefined;
    const value = this.orderSpec(order).value;
    if (order === 'created') {
      if (range.kind === 'eq') return { kind: 'prefix', value: `${range.value}#` };
      if (range.kind === 'between') {
        return {
          kind: 'between',
          ...(range.lower !== undefined ? { lower: range.lower } : {}),
          ...(range.upper !== undefined ? { upper: `${range.upper}$` } : {}),
        };
      }
      return range;
    }
    if (range.kind === 'between') {
      return {
        kind: 'between',
        ...(range.lower !== undefined ? { lower: value(range.lower) } : {}),
        ...(range.upper !== undefined ? { upper: value(range.upper) } : {}),
      };
    }
    return { kind: range.kind, value: value(range.value) };
  }

  async walk(options: WalkOptions): Promise<WalkPage> {
    const spec = this.orderSpec(options.order);
    const range = this.indexRange(options.order, options.range);
    const names: Record<string, string> = { '#pk': spec.index.pk };
    const values: Record<string, unknown> = { ':pk': spec.partition };
    let condition = '#pk = :pk';
    if (range) {
      names['#sk'] = spec.index.sk;
      if (range.kind === 'eq') {
        condition += ' AND #sk = :v';
        values[':v'] = range.value;
      } else if (range.kind === 'prefix') {
        condition += ' AND begins_with(#sk, :v)';
        values[':v'] = range.value;
      } else if (range.kind === 'between') {
        if (range.lower !== undefined && range.upper !== undefined) {
          condition += ' AND #sk BETWEEN :lo AND :hi';
          values[':lo'] = range.lower;
          values[':hi'] = range.upper < range.lower ? range.lower : range.upper;
        } else if (range.lower !== undefined) {
          condition += ' AND #sk >= :lo';
          values[':lo'] = range.lower;
        } else if (range.upper !== undefined) {
          condition += ' AND #sk <= :hi';
          values[':hi'] = range.upper;
        } else delete names['#sk'];
      }
    }
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: spec.index.name,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: options.after,
        Limit: Math.max(1, options.limit),
        ScanIndexForward: !options.descending,
      }),
    );
    const entries = page.Items ?? [];
    const positionOf = (e: Item): ListPosition => ({
      [KEYS.pk]: String(e[KEYS.pk]),
      [KEYS.sk]: String(e[KEYS.sk]),
      [spec.index.pk]: String(e[spec.index.pk]),
      [spec.index.sk]: String(e[spec.index.sk]),
    });
    const items: StoredResource[] = [];
    const positions: ListPosition[] = [];
    if (!spec.byKey) {
      for (const e of entries) {
        if (e.deleted === true) continue;
        items.push(this.toStored(e));
        positions.push(positionOf(e));
      }
    } else {
      const ids = [...new Set(entries.map((e) => String(e[KEYS.pk]).slice(resourceKeys.itemPkPrefix(this.kind).length)))];
      const found = new Map<string, Item>();
      for (const item of await batchGetAll(
        this.db,
        this.tableName,
        ids.map((id) => this.key(id)),
      )) {
        if (item.deleted !== true) found.set(String(item.id), item);
      }
      const seen = new Set<string>();
      for (const e of entries) {
        const id = String(e.id ?? String(e[KEYS.pk]).slice(resourceKeys.itemPkPrefix(this.kind).length));
        const item = found.get(id);
        if (!item || seen.has(id)) continue;
        if (options.order === 'email') {
          // A user with several addresses in range is listed once, at the first of them in this order.
          const mine = [...emailValues(item.data as Resource)].filter((v) => inRange(v, range)).sort();
          const first = options.descending ? mine[mine.length - 1] : mine[0];
          if (first !== e[spec.index.sk]) continue;
        }
        seen.add(id);
        items.push(this.toStored(item));
        positions.push(positionOf(e));
      }
    }
    return {
      items,
      positions,
      read: entries.length,
      ...(page.LastEvaluatedKey ? { last: page.LastEvaluatedKey as ListPosition } : {}),
    };
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
          Item: this.item(result, changeNote('create', options)),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
        },
      },
      this.guardPut(resourceKeys.nameGuard(this.kind, this.nameOf(resource)), id),
      this.counter(1),
      ...this.emailChanges(id, undefined, resource),
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

  planTouch(
    previous: StoredResource,
    options: { at: string; memberDelta: number; change?: ChangeNote },
  ): { plan: WritePlan; result: StoredResource } {
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
          UpdateExpression: 'SET #v = :next, lastModified = :at, memberCount = :count, #change = :change',
          ConditionExpression: '#v = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#v': 'version', '#change': CHANGE_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':v': previous.version,
            ':next': result.version,
            ':at': options.at,
            ':count': result.memberCount,
            ':change': changeNote('members', options),
          },
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
          Item: this.item(result, changeNote(restoring ? 'restore' : 'replace', options)),
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
    // A deleted record holds no address entries (they went with the delete): a restore puts them all.
    items.push(...this.emailChanges(id, restoring ? undefined : previous.resource, resource));
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
          // Out of every order; by externalId among the deleted records (a restore by the same identity finds it).
          UpdateExpression: `SET deleted = :true, deletedAt = :at, version = :next, #change = :change, #ttl = :ttl${ext ? ', #ext = :deletedExt' : ''} REMOVE ${resourceKeys.indexAttributes.join(', ')}, passwordHash`,
          ConditionExpression: 'version = :v AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#ttl': KEYS.ttl, '#change': CHANGE_ATTRIBUTE, ...(ext ? { '#ext': INDEX.externalIds.pk } : {}) },
          ExpressionAttributeValues: {
            ...(ext ? { ':deletedExt': resourceKeys.deletedExternalIdsPk(this.kind) } : {}),
            ':change': changeNote('delete', options),
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
      ...this.emailChanges(previous.id, previous.resource, undefined),
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

  /** Is this a position a walk of this type could have made in `order` (a cursor is client input)? */
  isPosition(p: ListPosition, order: ResourceOrder = 'created'): boolean {
    if (!this.orders.includes(order)) return false;
    const spec = this.orderSpec(order);
    const expected = [KEYS.pk, KEYS.sk, spec.index.pk, spec.index.sk].sort().join(',');
    const sk = order === 'email' ? String(p[KEYS.sk]).startsWith('EMAIL#') : p[KEYS.sk] === this.key('')[KEYS.sk];
    return (
      Object.keys(p).sort().join(',') === expected &&
      p[spec.index.pk] === spec.partition &&
      sk &&
      String(p[KEYS.pk]).startsWith(resourceKeys.itemPkPrefix(this.kind)) &&
      Buffer.byteLength(JSON.stringify(p)) < 4096
    );
  }

  positionOf(item: StoredResource, order: Exclude<ResourceOrder, 'email'> = 'created'): ListPosition {
    const key = this.key(item.id);
    const spec = this.orderSpec(order);
    const value =
      order === 'created'
        ? resourceKeys.listingSk(item.created, item.id)
        : order === 'lastModified'
          ? item.lastModified
          : order === 'name'
            ? foldedIndexValue(this.nameOf(item.resource))
            : indexValue(this.extOf(item.resource) ?? '');
    return { [KEYS.pk]: String(key[KEYS.pk]), [KEYS.sk]: String(key[KEYS.sk]), [spec.index.pk]: spec.partition, [spec.index.sk]: value };
  }

  async page(options: {
    after?: ListPosition;
    limit: number;
    descending?: boolean;
  }): Promise<{ items: StoredResource[]; last?: ListPosition }> {
    const { items, last } = await this.walk({ ...options, order: 'created' });
    return last ? { items, last } : { items };
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
