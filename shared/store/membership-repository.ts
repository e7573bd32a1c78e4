import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit/events';
import {
  ResourceNotFoundError,
  type Member,
  type MemberStats,
  type MemberType,
  type MembershipChange,
  type MembershipRepository,
  type WritePlan,
} from '../scim/ports';
import { auditItem } from './audit-repository';
import { batchGetAll, batchWriteAll, queryAll, type Item, type TransactItems } from './batch';
import { cancellationCodes, retryConflicts } from './errors';
import { isStorableId, KEYS } from './table';

/** DynamoDB's limit on the items of one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;

const groupPk = (gid: string): string => `GROUP#${gid}`;
const typeCode = (t: MemberType): string => (t === 'User' ? 'U' : 'G');
const memberSk = (m: Member): string => `MEMBER#${typeCode(m.type)}#${m.id}`;
const STATS_SK = 'MEMBERS';

/**
 * Memberships on the single table:
 *  - membership  PK GROUP#<gid>, SK MEMBER#<U|G>#<member id>; GSI1 MEMBEROF#<member id> / GROUP#<gid>
 *  - counters    PK GROUP#<gid>, SK MEMBERS  (count, version: changes with every membership change)
 *  - pending purge of a deleted group's memberships  PK PURGE, SK <gid>
 * Adding or removing k members writes k items (plus the counters), whatever the group's size.
 */
export class DynamoMembershipRepository implements MembershipRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly auditRetentionDays?: number,
  ) {}

  async stats(groupId: string): Promise<MemberStats> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEYS.pk]: groupPk(groupId), [KEYS.sk]: STATS_SK }, ConsistentRead: true }),
    );
    return { count: Math.max(0, Number(Item?.count ?? 0)), version: Number(Item?.version ?? 0) };
  }

  private async queryAll(input: { prefix: string; pk: string; limit: number; index?: 'GSI1' }): Promise<Item[]> {
    // begins_with refuses an empty prefix: without one, the whole partition.
    const [pkName, skName] = input.index ? ['GSI1PK', 'GSI1SK'] : [KEYS.pk, KEYS.sk];
    return queryAll(
      this.db,
      {
        TableName: this.tableName,
        ...(input.index ? { IndexName: input.index } : { ConsistentRead: true }),
        KeyConditionExpression: input.prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pkName, ...(input.prefix ? { '#sk': skName } : {}) },
        ExpressionAttributeValues: { ':pk': input.pk, ...(input.prefix ? { ':prefix': input.prefix } : {}) },
      },
      input.limit,
    );
  }

  private toMember(item: Item): Member {
    return { id: String(item.memberId), type: item.memberType === 'Group' ? 'Group' : 'User' };
  }

  async listMembers(groupId: string, limit: number): Promise<Member[]> {
    return (await this.queryAll({ pk: groupPk(groupId), prefix: 'MEMBER#', limit })).map((i) => this.toMember(i));
  }

  async nestedGroups(groupId: string): Promise<string[]> {
    return (await this.queryAll({ pk: groupPk(groupId), prefix: 'MEMBER#G#', limit: 10_000 })).map((i) => String(i.memberId));
  }

  async groupsOf(memberId: string): Promise<string[]> {
    const items = await this.queryAll({ pk: `MEMBEROF#${memberId}`, prefix: 'GROUP#', limit: 10_000, index: 'GSI1' });
    return items.map((i) => String(i.groupId));
  }

  async membersAmong(groupId: string, candidates: readonly { id: string; type?: MemberType }[]): Promise<Member[]> {
    const keys = new Map<string, Item>();
    for (const c of candidates.filter((x) => isStorableId(x.id))) {
      for (const type of c.type ? [c.type] : (['User', 'Group'] as const)) {
        const sk = memberSk({ id: c.id, type });
        keys.set(sk, { [KEYS.pk]: groupPk(groupId), [KEYS.sk]: sk });
      }
    }
    return (await batchGetAll(this.db, this.tableName, [...keys.values()])).map((i) => this.toMember(i));
  }

  async resolve(ids: readonly string[]): Promise<Map<string, MemberType>> {
    const keys = [...new Set(ids)].filter(isStorableId).flatMap((id) => [
      { [KEYS.pk]: `USER#${id}`, [KEYS.sk]: 'USER' },
      { [KEYS.pk]: `GROUP#${id}`, [KEYS.sk]: 'GROUP' },
    ]);
    const found = new Map<string, MemberType>();
    for (const item of await batchGetAll(this.db, this.tableName, keys, { expression: 'id, #pk, deleted', names: { '#pk': KEYS.pk } })) {
      if (item.deleted === true) continue;
      found.set(String(item.id), String(item[KEYS.pk]).startsWith('USER#') ? 'User' : 'Group');
    }
    return found;
  }

  private memberPut(groupId: string, m: Member, at: string): TransactItems[number] {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          [KEYS.pk]: groupPk(groupId),
          [KEYS.sk]: memberSk(m),
          groupId,
          memberId: m.id,
          memberType: m.type,
          added: at,
          GSI1PK: `MEMBEROF#${m.id}`,
          GSI1SK: `GROUP#${groupId}`,
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
        Key: { [KEYS.pk]: groupPk(groupId), [KEYS.sk]: memberSk(m) },
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
      },
    };
  }

  private statsUpdate(groupId: string, delta: number): TransactItems[number] {
    return {
      Update: {
        TableName: this.tableName,
        Key: { [KEYS.pk]: groupPk(groupId), [KEYS.sk]: STATS_SK },
        UpdateExpression: 'ADD #count :d, #version :one',
        ExpressionAttributeNames: { '#count': 'count', '#version': 'version' },
        ExpressionAttributeValues: { ':d': delta, ':one': 1 },
      },
    };
  }

  private groupAlive(groupId: string): TransactItems[number] {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { [KEYS.pk]: groupPk(groupId), [KEYS.sk]: 'GROUP' },
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(deleted)',
        ExpressionAttributeNames: { '#pk': KEYS.pk },
      },
    };
  }

  async change(
    groupId: string,
    change: MembershipChange,
    options: { at: string; audit?: AuditEvent; groupWrite?: WritePlan },
  ): Promise<void> {
    const ops = [...change.add.map((m) => ({ kind: 'add' as const, m })), ...change.remove.map((m) => ({ kind: 'remove' as const, m }))];
    // The group's own write (create, rename) goes first, with the audit event; later chunks check the
    // group is alive. Each transaction holds at most 100 items: the head, the counters, the audit event.
    for (let i = 0, first = true; first || i < ops.length; first = false) {
      const head = first && options.groupWrite ? options.groupWrite.items.length : 1;
      const room = MAX_TRANSACTION_ITEMS - head - 1 - (first && options.audit ? 1 : 0);
      const chunk = ops.slice(i, i + room);
      i += chunk.length;
      await this.writeChunk(groupId, chunk, {
        at: options.at,
        ...(first && options.audit ? { audit: options.audit } : {}),
        ...(first && options.groupWrite ? { groupWrite: options.groupWrite } : {}),
      });
    }
  }

  /** One transaction; memberships that changed meanwhile are re-read and the chunk retried (idempotent). */
  private async writeChunk(
    groupId: string,
    chunk: { kind: 'add' | 'remove'; m: Member }[],
    options: { at: string; audit?: AuditEvent; groupWrite?: WritePlan },
  ): Promise<void> {
    let ops = chunk;
    for (let attempt = 0; attempt < 5; attempt++) {
      const head: TransactItems = options.groupWrite ? [...(options.groupWrite.items as TransactItems)] : [this.groupAlive(groupId)];
      const delta = ops.reduce((n, o) => n + (o.kind === 'add' ? 1 : -1), 0);
      const items: TransactItems = [
        ...head,
        ...(ops.length > 0 ? [this.statsUpdate(groupId, delta)] : []),
        ...ops.map((o) => (o.kind === 'add' ? this.memberPut(groupId, o.m, options.at) : this.memberDelete(groupId, o.m))),
        ...(options.audit ? [{ Put: { TableName: this.tableName, Item: auditItem(options.audit, this.auditRetentionDays) } }] : []),
      ];
      if (items.length === 1 && !options.groupWrite && !options.audit) return; // nothing to write
      try {
        await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
        return;
      } catch (e: unknown) {
        const codes = cancellationCodes(e);
        const failed = codes.findIndex((x) => x === 'ConditionalCheckFailed');
        if (failed < 0) throw e;
        if (failed < head.length) {
          if (options.groupWrite) throw options.groupWrite.onConditionFailed(failed, e);
          throw new ResourceNotFoundError(`Group ${groupId} not found`, { cause: e });
        }
        // A membership changed meanwhile (another request added or removed it): keep only what is still to do.
        const present = new Set(
          (
            await this.membersAmong(
              groupId,
              ops.map((o) => o.m),
            )
          ).map((m) => memberSk(m)),
        );
        ops = ops.filter((o) => (o.kind === 'add' ? !present.has(memberSk(o.m)) : present.has(memberSk(o.m))));
      }
    }
    throw new Error(`Memberships of group ${groupId} kept changing; retry the request`);
  }

  async purgeGroup(groupId: string, limit: number): Promise<{ removed: number; more: boolean }> {
    const items = await this.queryAll({ pk: groupPk(groupId), prefix: 'MEMBER', limit: limit + 1 });
    const now = items.slice(0, limit);
    await batchWriteAll(
      this.db,
      this.tableName,
      now.map((i) => ({ DeleteRequest: { Key: { [KEYS.pk]: i[KEYS.pk], [KEYS.sk]: i[KEYS.sk] } } })),
    );
    return { removed: now.length, more: items.length > now.length };
  }

  async removeEverywhere(member: Member): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const groups = await this.groupsOf(member.id);
      if (groups.length === 0) return;
      try {
        for (let i = 0; i < groups.length; i += 45) {
          const items: TransactItems = groups
            .slice(i, i + 45)
            .flatMap((gid) => [{ ...this.memberDelete(gid, member) }, this.statsUpdate(gid, -1)]);
          await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
        }
        return;
      } catch (e: unknown) {
        // A membership went away meanwhile: read the groups again (each removal is exact, never double-counted).
        if (!cancellationCodes(e).includes('ConditionalCheckFailed')) throw e;
      }
    }
    throw new Error(`Memberships of ${member.type} ${member.id} kept changing`);
  }

  async pendingPurges(): Promise<(Member & { at: string })[]> {
    const items = await this.queryAll({ pk: 'PURGE', prefix: '', limit: 1000 });
    return items.map((i) => ({ id: String(i.resourceId), type: i.resourceType === 'User' ? 'User' : 'Group', at: String(i.at) }));
  }

  async markPurgePending(resource: Member, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [KEYS.pk]: 'PURGE',
          [KEYS.sk]: `${resource.type}#${resource.id}`,
          resourceId: resource.id,
          resourceType: resource.type,
          at,
        },
      }),
    );
  }

  async clearPurgePending(resource: Member): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [KEYS.pk]: 'PURGE', [KEYS.sk]: `${resource.type}#${resource.id}` } }),
    );
  }
}
