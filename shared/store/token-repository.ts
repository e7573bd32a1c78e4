import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ProvisioningDisabledError,
  TokenConflictError,
  TokenLimitError,
  kindOf,
  type CredentialKind,
  type ProvisioningSettings,
  type TokenRecord,
  type TokenRepository,
} from '../tokens/ports';
import type { AuditEvent } from '../audit/events';
import type { Federation } from '../tokens/federation';
import { auditPut, DEFAULT_AUDIT_RETENTION_DAYS } from './audit-repository';
import { queryAll, type Item } from './batch';
import { cancellationCodes, isConditionFailure, retryConflicts } from './errors';
import { KEYS, tokenKeys } from './keys';

const TOKEN_PK = tokenKeys.item('')[KEYS.pk];
const CONFIG_KEY = tokenKeys.settings;
const tokenKey = tokenKeys.item;

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** The settings item's count of active credentials of a kind (each kind has its own limit). */
const COUNTER: Record<CredentialKind, 'activeTokens' | 'activeClients'> = { token: 'activeTokens', client: 'activeClients' };

function toRecord(item: Item): TokenRecord {
  return {
    ...(item.kind === 'client' ? { kind: 'client' as const } : {}),
    id: String(item.id),
    name: String(item.name),
    hint: String(item.hint),
    hash: String(item.hash),
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    status: item.status === 'Expired' ? 'Expired' : 'Active',
    ...(typeof item.lastUsedAt === 'string' ? { lastUsedAt: item.lastUsedAt } : {}),
    createdBy: String(item.createdBy),
    ...(typeof item.expiryWarning === 'number' ? { expiryWarning: item.expiryWarning } : {}),
    ...(item.federation && typeof item.federation === 'object' ? { federation: item.federation as Federation } : {}),
  };
}

function toSettings(item: Item | undefined): ProvisioningSettings {
  return {
    enabled: item?.enabled === true,
    ...(typeof item?.changedAt === 'string' ? { changedAt: item.changedAt } : {}),
    ...(typeof item?.changedBy === 'string' ? { changedBy: item.changedBy } : {}),
    activeTokens: typeof item?.activeTokens === 'number' ? item.activeTokens : 0,
    activeClients: typeof item?.activeClients === 'number' ? item.activeClients : 0,
  };
}

/**
 * Tokens and the provisioning switch on the single table. The settings item counts active
 * tokens, and every write that changes that number is one transaction with the token write,
 * so the 2-token limit holds under concurrency and "a token exists" implies "provisioning is
 * enabled" (disabling deletes the tokens in the transaction that flips the flag).
 */
export class DynamoTokenRepository implements TokenRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly auditRetentionDays = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {}

  /** One transaction, retried while it only lost a race (nothing written). */
  private async transact(items: TransactItems): Promise<void> {
    await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
  }

  /** The audit event's Put, to append to a transaction (none without an event). */
  private auditPuts(audit: AuditEvent | undefined): TransactItems {
    return audit ? [auditPut(this.tableName, audit, this.auditRetentionDays)] : [];
  }

  async getToken(id: string): Promise<TokenRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: tokenKey(id), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.tokenItems()).map(toRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  private async tokenItems(): Promise<Item[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': KEYS.pk },
      ExpressionAttributeValues: { ':pk': TOKEN_PK },
      ConsistentRead: true,
    });
  }

  async createToken(record: TokenRecord, max: number, audit?: AuditEvent): Promise<void> {
    const counter = COUNTER[kindOf(record)];
    try {
      await this.transact([
        {
          Update: {
            TableName: this.tableName,
            Key: CONFIG_KEY,
            UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, tokenSeq = if_not_exists(tokenSeq, :zero) + :one',
            ConditionExpression: 'enabled = :true AND (attribute_not_exists(#count) OR #count < :max)',
            ExpressionAttributeNames: { '#count': counter },
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':true': true, ':max': max },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...tokenKey(record.id), ...record },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': KEYS.pk },
          },
        },
        ...this.auditPuts(audit),
      ]);
    } catch (e: unknown) {
      const codes = cancellationCodes(e);
      if (codes[0] === 'ConditionalCheckFailed') {
        const settings = await this.getSettings();
        if (!settings.enabled) throw new ProvisioningDisabledError('Provisioning is disabled', { cause: e });
        throw new TokenLimitError(`At most ${max} ${kindOf(record)}s may exist at once`, kindOf(record), { cause: e });
      }
      if (codes[1] === 'ConditionalCheckFailed') throw new TokenConflictError('Token id collision', { cause: e });
      throw e;
    }
  }

  async deleteToken(id: string, audit?: AuditEvent, kind: CredentialKind = 'token'): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const token = await this.getToken(id);
      // A token's id never deletes a client, nor a client's a token.
      if (!token || kindOf(token) !== kind) return false;
      try {
        await this.transact([
          {
            Delete: {
              TableName: this.tableName,
              Key: tokenKey(id),
              ConditionExpression: '#status = :status',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': token.status },
            },
          },
          ...(token.status === 'Active'
            ? [
                {
                  Update: {
                    TableName: this.tableName,
                    Key: CONFIG_KEY,
                    UpdateExpression: 'ADD #count :minus',
                    ExpressionAttributeNames: { '#count': COUNTER[kind] },
                    ExpressionAttributeValues: { ':minus': -1 },
                  },
                },
              ]
            : []),
          ...this.auditPuts(audit),
        ]);
        return true;
      } catch (e: unknown) {
        // The token changed (expired or deleted) between the read and the write: read again.
        if (cancellationCodes(e)[0] !== 'ConditionalCheckFailed') throw e;
      }
    }
    throw new TokenConflictError(`Token ${id} kept changing while it was being deleted`);
  }

  async getSettings(): Promise<ProvisioningSettings> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: CONFIG_KEY, ConsistentRead: true }));
    return toSettings(Item);
  }

  async setEnabled(
    enabled: boolean,
    by: string,
    at: string,
    audit?: AuditEvent,
  ): Promise<{ settings: ProvisioningSettings; changed: boolean }> {
    return enabled ? this.enable(by, at, audit) : this.disable(by, at, audit);
  }

  private async enable(by: string, at: string, audit?: AuditEvent): Promise<{ settings: ProvisioningSettings; changed: boolean }> {
    try {
      await this.transact([
        {
          Update: {
            TableName: this.tableName,
            Key: CONFIG_KEY,
            UpdateExpression:
              'SET enabled = :true, changedAt = :at, changedBy = :by, activeTokens = if_not_exists(activeTokens, :zero), activeClients = if_not_exists(activeClients, :zero)',
            ConditionExpression: 'attribute_not_exists(enabled) OR enabled = :false',
            ExpressionAttributeValues: { ':true': true, ':false': false, ':at': at, ':by': by, ':zero': 0 },
          },
        },
        ...this.auditPuts(audit),
      ]);
      return { settings: await this.getSettings(), changed: true };
    } catch (e: unknown) {
      // Already enabled: nothing to change.
      if (cancellationCodes(e)[0] === 'ConditionalCheckFailed') return { settings: await this.getSettings(), changed: false };
      throw e;
    }
  }

  /** One transaction flips the flag and deletes every token; retried if a token was created meanwhile. */
  private async disable(by: string, at: string, audit?: AuditEvent): Promise<{ settings: ProvisioningSettings; changed: boolean }> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { Item: config } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: CONFIG_KEY, ConsistentRead: true }));
      const tokens = await this.tokenItems();
      if (config?.enabled !== true && tokens.length === 0) return { settings: toSettings(config), changed: false };
      const seq = typeof config?.tokenSeq === 'number' ? config.tokenSeq : undefined;
      try {
        await this.transact([
          {
            Update: {
              TableName: this.tableName,
              Key: CONFIG_KEY,
              UpdateExpression: 'SET enabled = :false, changedAt = :at, changedBy = :by, activeTokens = :zero, activeClients = :zero',
              ConditionExpression: seq === undefined ? 'attribute_not_exists(tokenSeq)' : 'tokenSeq = :seq',
              ExpressionAttributeValues: {
                ':false': false,
                ':at': at,
                ':by': by,
                ':zero': 0,
                ...(seq === undefined ? {} : { ':seq': seq }),
              },
            },
          },
          ...tokens.map((t) => ({ Delete: { TableName: this.tableName, Key: tokenKey(String(t[KEYS.sk])) } })),
          ...this.auditPuts(audit),
        ]);
        return { settings: { enabled: false, changedAt: at, changedBy: by, activeTokens: 0, activeClients: 0 }, changed: true };
      } catch (e: unknown) {
        if (cancellationCodes(e)[0] !== 'ConditionalCheckFailed') throw e;
      }
    }
    throw new TokenConflictError('Tokens kept changing while provisioning was being disabled');
  }

  async markExpired(id: string, removeAfter: Date, kind: CredentialKind = 'token'): Promise<boolean> {
    try {
      await this.transact([
        {
          Update: {
            TableName: this.tableName,
            Key: tokenKey(id),
            UpdateExpression: 'SET #status = :expired, #ttl = :ttl',
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': KEYS.ttl },
            ExpressionAttributeValues: {
              ':expired': 'Expired',
              ':active': 'Active',
              ':ttl': Math.floor(removeAfter.getTime() / 1000),
            },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: CONFIG_KEY,
            UpdateExpression: 'ADD #count :minus',
            ExpressionAttributeNames: { '#count': COUNTER[kind] },
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      ]);
      return true;
    } catch (e: unknown) {
      if (cancellationCodes(e)[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  async markWarned(id: string, days: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tokenKey(id),
          UpdateExpression: 'SET expiryWarning = :days',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(expiryWarning) OR expiryWarning > :days)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
          ExpressionAttributeValues: { ':days': days },
        }),
      );
      return true;
    } catch (e: unknown) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async setFederation(id: string, federation: Federation | undefined, audit?: AuditEvent): Promise<boolean> {
    try {
      await this.transact([
        {
          Update: {
            TableName: this.tableName,
            Key: tokenKey(id),
            UpdateExpression: federation ? 'SET federation = :federation' : 'REMOVE federation',
            ConditionExpression: 'attribute_exists(#pk) AND kind = :client',
            ExpressionAttributeNames: { '#pk': KEYS.pk },
            ExpressionAttributeValues: { ':client': 'client', ...(federation ? { ':federation': federation } : {}) },
          },
        },
        ...this.auditPuts(audit),
      ]);
      return true;
    } catch (e: unknown) {
      if (cancellationCodes(e)[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  async recordUse(id: string, at: string, notBefore: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tokenKey(id),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt <= :notBefore)',
          ExpressionAttributeNames: { '#pk': KEYS.pk },
          ExpressionAttributeValues: { ':at': at, ':notBefore': notBefore },
        }),
      );
    } catch (e: unknown) {
      if (!isConditionFailure(e)) throw e;
    }
  }
}
