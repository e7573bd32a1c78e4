/**
 * The local stack's permission check (infra/local/iam.ts): requests as the SDK sends them
 * (marshalled), judged against each function's grants the way IAM judges its policy. Expected
 * answers come from the rules (the SCIM function cannot write tokens or settings, nor
 * delete audit events; the authorizer may only read tokens and record their last use).
 */
import { accessesOf, authorize } from '../../infra/local/iam';

const S = (s: string): { S: string } => ({ S: s });
const denied = (fn: Parameters<typeof authorize>[0], command: string, input: Record<string, unknown>): boolean => {
  try {
    authorize(fn, command, input);
    return false;
  } catch (e: unknown) {
    if ((e as Error).name === 'AccessDeniedException') return true;
    throw e;
  }
};

describe('the local check of table grants', () => {
  it('reads the partition key values, attributes and index of each kind of request', () => {
    expect(
      accessesOf('UpdateItemCommand', {
        Key: { PK: S('TOKEN'), SK: S('abc') },
        UpdateExpression: 'SET lastUsedAt = :at',
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt <= :nb)',
        ExpressionAttributeNames: { '#pk': 'PK' },
      }),
    ).toEqual([{ action: 'UpdateItem', leadingKeys: ['TOKEN'], attributes: ['lastUsedAt', 'PK', 'lastUsedAt', 'lastUsedAt'] }]);
    expect(
      accessesOf('QueryCommand', {
        IndexName: 'GSI1',
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
        ExpressionAttributeNames: { '#pk': 'GSI1PK', '#sk': 'GSI1SK' },
        ExpressionAttributeValues: { ':pk': S('MEMBEROF#u1'), ':p': S('GROUP#') },
      }),
    ).toEqual([{ action: 'Query', index: 'GSI1', leadingKeys: ['MEMBEROF#u1'], attributes: [] }]);
    expect(
      accessesOf('TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { Item: { PK: S('USER#1'), SK: S('USER'), userName: S('a') } } },
          { Delete: { Key: { PK: S('USERNAME#a'), SK: S('UNIQUE') } } },
        ],
      })?.map((a) => [a.action, a.leadingKeys]),
    ).toEqual([
      ['PutItem', ['USER#1']],
      ['DeleteItem', ['USERNAME#a']],
    ]);
  });

  it('lets the SCIM function write users, groups and new audit events, and nothing of tokens or settings', () => {
    const put = (pk: string): Record<string, unknown> => ({ TransactItems: [{ Put: { Item: { PK: S(pk), SK: S('x') } } }] });
    expect(denied('scim', 'TransactWriteItemsCommand', put('USER#1'))).toBe(false);
    expect(denied('scim', 'TransactWriteItemsCommand', put('AUDIT#2026-12-01'))).toBe(false);
    expect(denied('scim', 'TransactWriteItemsCommand', put('TOKEN'))).toBe(true);
    expect(denied('scim', 'PutItemCommand', { Item: { PK: S('CONFIG'), SK: S('PROVISIONING') } })).toBe(true);
    expect(denied('scim', 'DeleteItemCommand', { Key: { PK: S('AUDIT#2026-12-01'), SK: S('x') } })).toBe(true);
    expect(denied('scim', 'UpdateItemCommand', { Key: { PK: S('AUDIT#2026-12-01'), SK: S('x') }, UpdateExpression: 'SET a = :a' })).toBe(
      true,
    );
    expect(denied('scim', 'GetItemCommand', { Key: { PK: S('TOKEN'), SK: S('abc') } })).toBe(true);
    expect(denied('scim', 'ScanCommand', {})).toBe(true);
    // A batch that mixes a permitted and a forbidden partition is refused as a whole.
    expect(denied('scim', 'BatchGetItemCommand', { RequestItems: { t: { Keys: [{ PK: S('USER#1') }, { PK: S('TOKEN') }] } } })).toBe(true);
  });

  it('lets the authorizer read tokens and set their lastUsedAt, and nothing else of them', () => {
    const update = (expression: string): Record<string, unknown> => ({
      Key: { PK: S('TOKEN'), SK: S('abc') },
      UpdateExpression: expression,
    });
    expect(denied('scimAuthorizer', 'GetItemCommand', { Key: { PK: S('TOKEN'), SK: S('abc') } })).toBe(false);
    expect(denied('scimAuthorizer', 'UpdateItemCommand', update('SET lastUsedAt = :at'))).toBe(false);
    expect(denied('scimAuthorizer', 'UpdateItemCommand', update('SET #s = :s'))).toBe(true);
    expect(denied('scimAuthorizer', 'UpdateItemCommand', { ...update('SET lastUsedAt = :at'), ReturnValues: 'ALL_OLD' })).toBe(true);
    expect(denied('scimAuthorizer', 'PutItemCommand', { Item: { PK: S('TOKEN'), SK: S('new') } })).toBe(true);
    expect(denied('scimAuthorizer', 'DeleteItemCommand', { Key: { PK: S('TOKEN'), SK: S('abc') } })).toBe(true);
    expect(denied('scimAuthorizer', 'GetItemCommand', { Key: { PK: S('USER#1'), SK: S('USER') } })).toBe(true);
  });

  it('lets only the admin function write tokens and settings', () => {
    const put = { Item: { PK: S('TOKEN'), SK: S('abc'), hash: S('h') } };
    expect(denied('admin', 'PutItemCommand', put)).toBe(false);
    for (const fn of ['scim', 'scimAuthorizer', 'membershipCleanup', 'tokenExpiry'] as const)
      expect(denied(fn, 'PutItemCommand', put)).toBe(true);
  });
});
