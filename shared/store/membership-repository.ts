import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit/events';
import {
  ResourceNotFoundError,
  VersionConflictError,
  type ChangeNote,
  type Member,
  type MemberType,
  type MembershipChange,
  type MembershipChunk,
  type MembershipRepository,
  type WritePlan,
} from '../scim/ports';
import { auditPut } from './audit-repository';
import { batchGetAll, batchWriteAll, queryAll, type Item, type TransactItems } from './batch';
import { cancellationCodes, failedCondition, retryConflicts } from './errors';
import { CHANGE_ATTRIBUTE, INDEX, isStorableId, KEYS, membershipKeys, resourceKeys, SINGLETON_PK } from './keys';
import { changeNote } from '../scim/events/change-note';

/** DynamoDB's limit on the items of one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;
/** Memberships removed per transaction when a member goes: a delete and a group update each. */
const REMOVALS_PER_TRANSACTION = 45;

type Op = { kind: 'add' | 'remove'; m: Member };

/**
 * Memberships on the single table (key layout: shared/store/keys.ts): one item per membership,
 * under the group's partition, with the inverted index (GSI1) giving a member's groups. Adding or
 * removing k members writes k items, whatever the group's size, and moves the group item's
 * member count, version and lastModified in the same transaction: a group's representation, its
 * ETag and `meta.lastModified` follow its members.
 */
export class DynamoMembershipRepository implements MembershipRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly auditRetentionDays?: number,
  ) {}

  /** Items of a partition whose sort key starts with `prefix` (the whole partition without one: begins_with refuses ''). */
  private async partition(pk: string, prefix: string | undefined, limit: number): Promise<Item[]> {
    return queryAll(
      this.db,
      {
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': KEYS.pk, ...(prefix ? { '#sk': KEYS.sk } : {}) },
        ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
      },
      limit,
    );
  }

  private toMember(item: Item): Member {
    return { id: String(item.memberId), type: item.memberType === 'Group' ? 'Group' : 'User' };
  }

  async listMembers(groupId: string, limit: number): Promise<Member[]> {
    return (await this.partition(membershipKeys.group(groupId), membershipKeys.memberPrefix, limit)).map((i) => this.toMember(i));
  }

  async nestedGroups(groupId: string): Promise<string[]> {
    return (await this.partition(membershipKeys.group(groupId), membershipKeys.nestedGroupPrefix, Number.MAX_SAFE_INTEGER)).map((i) =>
      String(i.memberId),
    );
  }

  async groupsOf(memberId: string, limit = Number.MAX_SAFE_INTEGER): Promise<string[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        IndexName: INDEX.names.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': INDEX.names.pk, '#sk': INDEX.names.sk },
        ExpressionAttributeValues: { ':pk': membershipKeys.memberOfValue(memberId), ':prefix': membershipKeys.memberOfSkPrefix },
      },
      limit,
    );
    return items.map((i) => String(i.groupId));
  }

  async membersAmong(groupId: string, candidates: readonly { id: string; type?: MemberType }[]): Promise<Member[]> {
    const keys = new Map<string, Item>();
    for (const c of candidates.filter((x) => isStorableId(x.id))) {
      for (const type of c.type ? [c.type] : (['User', 'Group'] as const)) {
        const key = membershipKeys.item(groupId, { id: c.id, type });
        keys.set(String(key[KEYS.sk]), key);
      }
    }
    return (await batchGetAll(this.db, this.tableName, [...keys.values()])).map((i) => this.toMember(i));
  }

  async resolve(ids: readonly string[]): Promise<Map<string, MemberType>> {
    const keys = [...new Set(ids)].filter(isStorableId).flatMap((id) => [resourceKeys.item('User', id), resourceKeys.item('Group', id)]);
    const found = new Map<string, MemberType>();
    const userPrefix = resourceKeys.itemPkPrefix('User');
    for (const item of await batchGetAll(this.db, this.tableName, keys, { expression: 'id, #pk, deleted', names: { '#pk': KEYS.pk } })) {
      if (item.deleted === true) continue;
      found.set(String(item.id), String(item[KEYS.pk]).startsWith(userPrefix) ? 'User' : 'Group');
    }
    return found;
  }

  async nestingVersion(): Promise<number> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: membershipKeys.nesting, ConsistentRead: true }));
    return typeof Item?.version === 'number' ? Item.version : 0;
  }

  /** Moves the nesting version on, if it is still the one read (see MembershipChange.nestingVersion). */
  private nestingMoved(read: number): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: membershipKeys.nesting,
        UpdateExpression: 'ADD #v :one',
        ConditionExpression: read === 0 ? 'attribute_not_exists(#v)' : '#v = :read',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':one': 1, ...(read === 0 ? {} : { ':read': read }) },
      },
    };
  }

  private memberPut(groupId: string, m: Member, at: string): TransactItems[number] {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...membershipKeys.item(groupId, m),
          groupId,
          memberId: m.id,
          memberType: m.type,
          added: at,
          [INDEX.names.pk]: membershipKeys.memberOfValue(m.id),
          [INDEX.names.sk]: membershipKeys.memberOfSk(groupId),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
      },
    };
  }

  private memberDelete(groupId: string, m: Member): TransactItems[number] {
    return {
      Delete: {
        TableName: this.tableName,
        Key: membershipKeys.item(groupId, m),
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
      },
    };
  }

  /** A membership change after the first chunk, or a member's removal: the live group's count, version and lastModified move. */
  private groupMoved(groupId: string, delta: number, at: string, live: boolean, change: ChangeNote): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: resourceKeys.item('Group', groupId),
        UpdateExpression: 'ADD memberCount :d, #v :one SET lastModified = :at, #change = :change',
        ConditionExpression: live ? 'attribute_exists(#pk) AND attribute_not_exists(deleted)' : 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEYS.pk, '#v': 'version', '#change': CHANGE_ATTRIBUTE },
        ExpressionAttributeValues: { ':d': delta, ':one': 1, ':at': at, ':change': change },
      },
    };
  }

  async change(
    groupId: string,
    change: MembershipChange,
    options: Parameters<MembershipRepository['change']>[2],
  ): Promise<{ transactions: number }> {
    const ops: Op[] = [
      ...change.add.map((m) => ({ kind: 'add' as const, m })),
      ...change.remove.map((m) => ({ kind: 'remove' as const, m })),
    ];
    // The first transaction carries the group's own write (create, replace or touch, conditional on
    // the version read); later ones move the group as they go; the last one carries the audit event,
    // so that the log says a change happened only once all of it has. At most 100 items each.
    const auditSlot = options.audit ? 1 : 0;
    const nesting = change.nestingVersion !== undefined ? [this.nestingMoved(change.nestingVersion)] : [];
    const firstRoom = MAX_TRANSACTION_ITEMS - options.head({ delta: 0, added: [], removed: [] }).items.length - nesting.length - auditSlot;
    const laterRoom = MAX_TRANSACTION_ITEMS - 1 - auditSlot;
    let transactions = 0;
    for (let i = 0; transactions === 0 || i < ops.length;) {
      const first = transactions === 0;
      const chunk = ops.slice(i, i + (first ? firstRoom : laterRoom));
      i += chunk.length;
      options.beforeEachWrite?.();
      await this.writeChunk(groupId, chunk, {
        at: options.at,
        change: first ? options.change : { ...options.change, op: 'members' },
        ...(first ? { head: options.head, guards: nesting } : {}),
        ...(i >= ops.length && options.audit ? { audit: options.audit } : {}),
      });
      transactions++;
    }
    return { transactions };
  }

  /** One transaction; memberships that changed meanwhile are re-read and the chunk retried (idempotent). */
  private async writeChunk(
    groupId: string,
    chunk: Op[],
    options: {
      at: string;
      change: ChangeNote;
      head?: (firstChunk: MembershipChunk) => WritePlan;
      guards?: TransactItems;
      audit?: AuditEvent;
    },
  ): Promise<void> {
    let ops = chunk;
    for (let attempt = 0; attempt < 5; attempt++) {
      // The chunk's note names the members it adds and removes (its change event lists them).
      const part: MembershipChunk = {
        delta: ops.reduce((n, o) => n + (o.kind === 'add' ? 1 : -1), 0),
        added: ops.filter((o) => o.kind === 'add').map((o) => o.m.id),
        removed: ops.filter((o) => o.kind === 'remove').map((o) => o.m.id),
      };
      const note: ChangeNote = { ...options.change, members: { added: part.added, removed: part.removed } };
      const head = options.head?.(part);
      const headItems: TransactItems = head
        ? [...(head.items as TransactItems)]
        : ops.length > 0
          ? [this.groupMoved(groupId, part.delta, options.at, true, note)]
          : [];
      const audit: TransactItems = options.audit ? [auditPut(this.tableName, options.audit, this.auditRetentionDays)] : [];
      const items: TransactItems = [
        ...headItems,
        ...(options.guards ?? []),
        ...ops.map((o) => (o.kind === 'add' ? this.memberPut(groupId, o.m, options.at) : this.memberDelete(groupId, o.m))),
        ...audit,
      ];
      if (items.length === 0) return; // a later chunk left with nothing to do
      try {
        await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
        return;
      } catch (e: unknown) {
        const failed = failedCondition(e);
        if (failed < 0) throw e;
        if (failed < headItems.length) {
          if (head) throw head.onConditionFailed(failed, e);
          throw new ResourceNotFoundError(`Group ${groupId} not found`, { cause: e });
        }
        // Another write nested a group since the cycle check: planned and checked again.
        const guards = options.guards?.length ?? 0;
        if (failed < headItems.length + guards)
          throw new VersionConflictError('Groups were nested meanwhile', { cause: e, resourceChanged: false });
        // The first chunk's group write is conditional on the version read: the whole write is planned again.
        if (head) throw new VersionConflictError(`The memberships of group ${groupId} changed meanwhile`, { cause: e });
        // A later chunk: a membership changed meanwhile (another request added or removed it); keep only what is still to do.
        const present = new Set(
          (
            await this.membersAmong(
              groupId,
              ops.map((o) => o.m),
            )
          ).map((m) => `${m.type}#${m.id}`),
        );
        ops = ops.filter((o) => (o.kind === 'add' ? !present.has(`${o.m.type}#${o.m.id}`) : present.has(`${o.m.type}#${o.m.id}`)));
      }
    }
    throw new VersionConflictError(`The memberships of group ${groupId} kept changing`, { resourceChanged: false });
  }

  async purgeGroup(groupId: string, limit: number): Promise<{ removed: number; more: boolean }> {
    const items = await this.partition(membershipKeys.group(groupId), membershipKeys.memberPrefix, limit + 1);
    const now = items.slice(0, limit);
    await batchWriteAll(
      this.db,
      this.tableName,
      now.map((i) => ({ DeleteRequest: { Key: { [KEYS.pk]: i[KEYS.pk], [KEYS.sk]: i[KEYS.sk] } } })),
    );
    return { removed: now.length, more: items.length > now.length };
  }

  async removeEverywhere(member: Member, at: string, change?: ChangeNote): Promise<void> {
    // Each group's change event says the member left it, and who removed it (the delete's actor, or the cleanup job).
    const note: ChangeNote = { ...changeNote('members', { change }), op: 'members', members: { added: [], removed: [member.id] } };
    /** Groups whose item is gone (erased): their membership goes without a count to move. */
    const gone = new Set<string>();
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** Math.min(attempt, 4)));
      // The index is eventually consistent: it may still list memberships already removed (and miss
      // ones just added: the cleanup job's last pass, after the index has settled, finds those).
      // Each is confirmed by a strongly consistent read before it is deleted.
      const listed = await this.groupsOf(member.id);
      const confirmed = await batchGetAll(
        this.db,
        this.tableName,
        listed.map((gid) => membershipKeys.item(gid, member)),
        { expression: '#g', names: { '#g': 'groupId' } },
      );
      const groups = confirmed.map((i) => String(i.groupId));
      /** What each item of the transaction being written is: a membership, or its group's count. */
      let written: { gid: string; what: 'membership' | 'group' }[] = [];
      try {
        for (let i = 0; i < groups.length; i += REMOVALS_PER_TRANSACTION) {
          const chunk = groups.slice(i, i + REMOVALS_PER_TRANSACTION);
          written = chunk.flatMap((gid) => [
            { gid, what: 'membership' as const },
            ...(gone.has(gid) ? [] : [{ gid, what: 'group' as const }]),
          ]);
          const items: TransactItems = written.map((w) =>
            w.what === 'membership' ? this.memberDelete(w.gid, member) : this.groupMoved(w.gid, -1, at, false, note),
          );
          await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
        }
        return;
      } catch (e: unknown) {
        // A membership went away meanwhile (read them again: each removal is exact, never
        // double-counted), or a group's item is gone (its membership goes alone).
        const codes = cancellationCodes(e);
        if (!codes.includes('ConditionalCheckFailed')) throw e;
        codes.forEach((code, i) => {
          const w = written[i];
          if (code === 'ConditionalCheckFailed' && w?.what === 'group') gone.add(w.gid);
        });
      }
    }
    throw new VersionConflictError(`The memberships of ${member.type} ${member.id} kept changing`);
  }

  async pendingPurges(): Promise<(Member & { at: string })[]> {
    const items = await this.partition(SINGLETON_PK.purge, undefined, 1000);
    return items.map((i) => ({ id: String(i.resourceId), type: i.resourceType === 'User' ? 'User' : 'Group', at: String(i.at) }));
  }

  async markPurgePending(resource: Member, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...membershipKeys.purgeMark(resource), resourceId: resource.id, resourceType: resource.type, at },
      }),
    );
  }

  async clearPurgePending(resource: Member): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: membershipKeys.purgeMark(resource) }));
  }
}
