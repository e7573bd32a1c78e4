/**
 * Least privilege, on the synthesized template: the whole IAM policy of each function's role,
 * compared with a policy written out here by hand from what the function's code does (read from
 * shared/store/*.ts and functions/*), never from infra/functions.ts, which the stack reads.
 *
 * Resources are named by what they are: `Table.Arn`, `Table.Arn/index/GSI1`, `OwnLogGroup.Arn`
 * (the function's own log group), `OwnDeadLetterQueue.Arn`, `CursorSecret`, `AlertTopic`, `AlertKey.Arn`,
 * `SigningKey.Arn` (the access tokens' KMS key),
 * `EventBus.Arn`, `DeliveryQueue.Arn`, `StreamDeadLetters.Arn`, `Table.StreamArn`, `ConsoleBucket.Arn`,
 * and a staged CDK asset as `<CDK assets bucket>/ASSET.zip`.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { CDK_HANDLER_ID, cdkApp } from '../support/cdk-app';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
};

let resources: Record<string, Resource>;

beforeAll(() => {
  const stack = new ScimProvisioningStack(cdkApp('test-iam'), 'Iam', DEFAULT_CONFIG);
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
});

const idsOf = (type: string): string[] => Object.keys(resources).filter((id) => resources[id]?.Type === type);
/** The bucket the console deployment (CDK's BucketDeployment custom resource) writes to. */
const consoleBucketId = (): string =>
  (resources[only('Custom::CDKBucketDeployment')]?.Properties.DestinationBucketName as { Ref: string } | undefined)?.Ref ?? '';
const cdkHandlerId = (kind: 'CDKBucketDeployment' | 'S3AutoDeleteObjects'): string => {
  const ids = idsOf('AWS::Lambda::Function').filter((id) => id.startsWith(`Custom${kind}`));
  if (ids.length !== 1) throw new Error(`Expected one ${kind} handler, found ${ids.length}`);
  return ids[0] ?? '';
};
const only = (type: string): string => {
  const ids = idsOf(type);
  if (ids.length !== 1) throw new Error(`Expected one ${type}, found ${ids.length}`);
  return ids[0] ?? '';
};
/** The one KMS key of its kind: the alert topic's (symmetric, encrypts) or the access tokens' (signs). */
const kmsKey = (usage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY'): string => {
  const ids = idsOf('AWS::KMS::Key').filter((id) => (resources[id]?.Properties.KeyUsage ?? 'ENCRYPT_DECRYPT') === usage);
  if (ids.length !== 1) throw new Error(`Expected one ${usage} key, found ${ids.length}`);
  return ids[0] ?? '';
};

function functionId(description: RegExp): string {
  const ids = idsOf('AWS::Lambda::Function').filter((id) => description.test(String(resources[id]?.Properties.Description)));
  if (ids.length !== 1) throw new Error(`Expected one function matching ${description}, found ${ids.length}`);
  return ids[0] ?? '';
}

/** The role's statements, intrinsics rendered as names, every list sorted (order means nothing to IAM). */
function policyOf(fnId: string): Statement[] {
  const fn = resources[fnId]?.Properties ?? {};
  const roleId = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const names: Record<string, string> = {
    [only('AWS::DynamoDB::Table')]: 'Table',
    [only('AWS::SecretsManager::Secret')]: 'CursorSecret',
    [only('AWS::SNS::Topic')]: 'AlertTopic',
    [kmsKey('ENCRYPT_DECRYPT')]: 'AlertKey',
    [kmsKey('SIGN_VERIFY')]: 'SigningKey',
    [(fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref]: 'OwnLogGroup',
    [only('AWS::Events::EventBus')]: 'EventBus',
    [idsOf('AWS::SQS::Queue').find((id) => /^ChangeEventsDeliveries[0-9A-F]+$/.test(id)) ?? '']: 'DeliveryQueue',
    [idsOf('AWS::SQS::Queue').find((id) => /^ChangeEventsStreamDeadLetters/.test(id)) ?? '']: 'StreamDeadLetters',
    [consoleBucketId()]: 'ConsoleBucket',
    'AWS::Partition': '<AWS::Partition>',
  };
  const dlq = (fn.DeadLetterConfig as { TargetArn?: { 'Fn::GetAtt': [string, string] } } | undefined)?.TargetArn;
  if (dlq) names[dlq['Fn::GetAtt'][0]] = 'OwnDeadLetterQueue';
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return names[String(o.Ref)] ?? `UNEXPECTED:${String(o.Ref)}`;
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      return `${names[id] ?? `UNEXPECTED:${id}`}.${attr}`;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      // A staged asset is named by its content's hash.
      return parts
        .map(render)
        .join(sep)
        .replace(/\/[0-9a-f]{64}\.zip$/, '/ASSET.zip');
    }
    // The CDK assets bucket of the default synthesizer.
    if ('Fn::Sub' in o && o['Fn::Sub'] === 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}') return '<CDK assets bucket>';
    return `UNEXPECTED:${JSON.stringify(v)}`;
  };
  const sorted = (v: string | string[]): string[] => [v].flat().slice().sort();
  const policies = idsOf('AWS::IAM::Policy').filter((id) =>
    (resources[id]?.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
  );
  const statements = policies.flatMap(
    (id) => (resources[id]?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
  );
  return statements
    .map((s): Statement => {
      const out: Statement = {
        Effect: String(s.Effect),
        Action: sorted(s.Action as string | string[]),
        Resource: [s.Resource].flat().map(render).sort(),
      };
      if (s.Sid) out.Sid = String(s.Sid);
      if (s.Condition) {
        out.Condition = Object.fromEntries(
          Object.entries(s.Condition as Record<string, Record<string, string | string[]>>).map(([op, keys]) => [
            op,
            Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, sorted(v)])),
          ]),
        );
      }
      return out;
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** A statement as written below: lists in any order. */
function stmt(s: {
  Sid?: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}): Statement {
  const sorted = (v: string | string[]): string[] => [v].flat().slice().sort();
  return {
    Effect: 'Allow',
    Action: sorted(s.Action),
    Resource: sorted(s.Resource),
    ...(s.Sid ? { Sid: s.Sid } : {}),
    ...(s.Condition
      ? {
          Condition: Object.fromEntries(
            Object.entries(s.Condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, sorted(v)]))]),
          ),
        }
      : {}),
  };
}
const policy = (statements: Statement[]): Statement[] => statements.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const TABLE = 'Table.Arn';
const GSI1 = 'Table.Arn/index/GSI1';
const GSI2 = 'Table.Arn/index/GSI2';
const GSI3 = 'Table.Arn/index/GSI3';
const GSI4 = 'Table.Arn/index/GSI4';
const like = (keys: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });
const equals = (keys: string[]) => ({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': keys } });
/** A write that may not read the item back. */
const noReadBack = { StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] } };
const ddb = (...actions: string[]): string[] => actions.map((a) => `dynamodb:${a}`);

/** Every function: its own log group, and X-Ray (which has no resource-level permissions). */
const BASICS = [
  stmt({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['OwnLogGroup.Arn'] }),
  stmt({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] }),
];
const CURSOR_KEY = stmt({ Action: ['secretsmanager:GetSecretValue'], Resource: ['CursorSecret'] });

describe('IAM policy of each function', () => {
  it('SCIM: users, groups and their memberships, guards, counters, nesting, list positions, purge marks; audit events put only; no token or setting', () => {
    expect(policyOf(functionId(/SCIM 2.0 service provider/))).toEqual(
      policy([
        ...BASICS,
        CURSOR_KEY,
        // A BatchGetItem mixes users and groups (resolving member ids): one statement names both.
        stmt({
          Sid: 'ScimResources',
          Action: ddb('GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'),
          Resource: [TABLE],
          Condition: like(['USER#*', 'GROUP#*']),
        }),
        stmt({ Sid: 'ScimEmailEntries', Action: ddb('DeleteItem'), Resource: [TABLE], Condition: like(['USER#*']) }),
        stmt({
          Sid: 'ScimMemberships',
          Action: ddb('Query', 'DeleteItem', 'BatchWriteItem'),
          Resource: [TABLE],
          Condition: like(['GROUP#*']),
        }),
        stmt({
          Sid: 'ScimUniquenessGuards',
          Action: ddb('PutItem', 'DeleteItem'),
          Resource: [TABLE],
          Condition: { ...like(['USERNAME#*', 'GROUPNAME#*', 'USEREXT#*', 'GROUPEXT#*']), ...noReadBack },
        }),
        stmt({ Sid: 'ScimCounters', Action: ddb('GetItem', 'UpdateItem'), Resource: [TABLE], Condition: equals(['COUNT']) }),
        stmt({ Sid: 'ScimNesting', Action: ddb('GetItem', 'UpdateItem'), Resource: [TABLE], Condition: equals(['NESTING']) }),
        stmt({ Sid: 'ScimListPositions', Action: ddb('GetItem', 'PutItem'), Resource: [TABLE], Condition: like(['PAGE#*']) }),
        stmt({ Sid: 'ScimPurgeMarks', Action: ddb('PutItem'), Resource: [TABLE], Condition: { ...equals(['PURGE']), ...noReadBack } }),
        stmt({ Sid: 'ScimAuditEvents', Action: ddb('PutItem'), Resource: [TABLE], Condition: { ...like(['AUDIT#*']), ...noReadBack } }),
        stmt({
          Sid: 'ScimNameIndex',
          Action: ddb('Query'),
          Resource: [GSI1],
          Condition: like(['USERNAMES', 'GROUPNAMES', 'USEREMAILS', 'MEMBEROF#*']),
        }),
        stmt({
          Sid: 'ScimExternalIdIndex',
          Action: ddb('Query'),
          Resource: [GSI2],
          Condition: equals(['USEREXTS', 'GROUPEXTS', 'USEREXTS#DELETED', 'GROUPEXTS#DELETED']),
        }),
        stmt({ Sid: 'ScimListingIndex', Action: ddb('Query'), Resource: [GSI3], Condition: equals(['USERS', 'GROUPS']) }),
        stmt({ Sid: 'ScimChangesIndex', Action: ddb('Query'), Resource: [GSI4], Condition: equals(['USERS', 'GROUPS']) }),
      ]),
    );
  });

  it('authorizer: reads tokens, writes only their lastUsedAt, counts refusals into audit items (UpdateItem, no PutItem), reads the signing public key', () => {
    expect(policyOf(functionId(/Validates SCIM bearer tokens/))).toEqual(
      policy([
        ...BASICS,
        // Verifies access tokens with the public key (read once per cold start); never signs.
        stmt({ Action: ['kms:GetPublicKey'], Resource: ['SigningKey.Arn'] }),
        stmt({ Sid: 'AuthorizerReadTokens', Action: ddb('GetItem'), Resource: [TABLE], Condition: equals(['TOKEN']) }),
        stmt({
          Sid: 'AuthorizerRecordTokenUse',
          Action: ddb('UpdateItem'),
          Resource: [TABLE],
          Condition: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TOKEN'], 'dynamodb:Attributes': ['PK', 'SK', 'lastUsedAt'] },
            ...noReadBack,
          },
        }),
        stmt({
          Sid: 'AuthorizerRefusalEvents',
          Action: ddb('UpdateItem'),
          Resource: [TABLE],
          Condition: { ...like(['AUDIT#*']), ...noReadBack },
        }),
      ]),
    );
  });

  it('admin: the only writer of tokens and settings; audit events and the audit log; erases kept user records; reads users and groups', () => {
    expect(policyOf(functionId(/Provisioning admin API/))).toEqual(
      policy([
        ...BASICS,
        CURSOR_KEY,
        stmt({
          Sid: 'AdminTokens',
          Action: ddb('GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'),
          Resource: [TABLE],
          Condition: equals(['TOKEN']),
        }),
        stmt({ Sid: 'AdminSettings', Action: ddb('GetItem', 'UpdateItem'), Resource: [TABLE], Condition: equals(['CONFIG']) }),
        stmt({ Sid: 'AdminAuditEvents', Action: ddb('PutItem'), Resource: [TABLE], Condition: { ...like(['AUDIT#*']), ...noReadBack } }),
        stmt({ Sid: 'AdminAuditLog', Action: ddb('Query'), Resource: [GSI3], Condition: equals(['AUDIT']) }),
        stmt({ Sid: 'AdminEraseUsers', Action: ddb('GetItem', 'DeleteItem'), Resource: [TABLE], Condition: like(['USER#*']) }),
        // Webhooks: the count (a transaction's UpdateItem) and the webhook (PutItem, DeleteItem), GetItem before its deliveries, Query to list.
        stmt({
          Sid: 'AdminWebhooks',
          Action: ddb('GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'),
          Resource: [TABLE],
          Condition: equals(['WEBHOOK']),
        }),
        stmt({ Sid: 'AdminWebhookDeliveries', Action: ddb('Query'), Resource: [TABLE], Condition: like(['WEBHOOK#*']) }),
        stmt({ Sid: 'AdminEventLog', Action: ddb('Query'), Resource: [TABLE], Condition: like(['EVENTLOG#*', 'EVENTS#*']) }),
        // The console's read-only views of users and groups: reads, and the one write of a read (remembered startIndex positions).
        stmt({
          Sid: 'AdminReadResources',
          Action: ddb('GetItem', 'BatchGetItem'),
          Resource: [TABLE],
          Condition: like(['USER#*', 'GROUP#*', 'COUNT']),
        }),
        stmt({ Sid: 'AdminReadMemberships', Action: ddb('Query'), Resource: [TABLE], Condition: like(['GROUP#*']) }),
        stmt({ Sid: 'AdminListPositions', Action: ddb('GetItem', 'PutItem'), Resource: [TABLE], Condition: like(['PAGE#*']) }),
        stmt({
          Sid: 'AdminNameIndex',
          Action: ddb('Query'),
          Resource: [GSI1],
          Condition: like(['USERNAMES', 'GROUPNAMES', 'USEREMAILS', 'MEMBEROF#*']),
        }),
        stmt({ Sid: 'AdminExternalIdIndex', Action: ddb('Query'), Resource: [GSI2], Condition: equals(['USEREXTS', 'GROUPEXTS']) }),
        stmt({ Sid: 'AdminListingIndex', Action: ddb('Query'), Resource: [GSI3], Condition: equals(['USERS', 'GROUPS']) }),
        stmt({ Sid: 'AdminChangesIndex', Action: ddb('Query'), Resource: [GSI4], Condition: equals(['USERS', 'GROUPS']) }),
      ]),
    );
  });

  it('token endpoint: reads and lists clients, writes only their lastUsedAt, audits issues (PutItem) and counted refusals (UpdateItem), signs with the key', () => {
    expect(policyOf(functionId(/OAuth 2.0 token endpoint/))).toEqual(
      policy([
        ...BASICS,
        // Signs access tokens (the private key stays in KMS); never reads the public key or anything else of KMS.
        stmt({ Action: ['kms:Sign'], Resource: ['SigningKey.Arn'] }),
        // A client is a token item (its secret's hash, status, expiry); a federated assertion lists the clients to find the one trusting its issuer.
        stmt({ Sid: 'TokenEndpointReadClients', Action: ddb('GetItem', 'Query'), Resource: [TABLE], Condition: equals(['TOKEN']) }),
        stmt({
          Sid: 'TokenEndpointRecordUse',
          Action: ddb('UpdateItem'),
          Resource: [TABLE],
          Condition: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TOKEN'], 'dynamodb:Attributes': ['PK', 'SK', 'lastUsedAt'] },
            ...noReadBack,
          },
        }),
        stmt({
          Sid: 'TokenEndpointAuditEvents',
          Action: ddb('PutItem', 'UpdateItem'),
          Resource: [TABLE],
          Condition: { ...like(['AUDIT#*']), ...noReadBack },
        }),
      ]),
    );
  });

  it('events: reads the table stream, puts each event in the log (write only) and on the bus, lists webhooks, queues deliveries', () => {
    expect(policyOf(functionId(/table stream/))).toEqual(
      policy([
        // (CDK merges statements with the same resource: ListStreams, which has no resource-level permission, with X-Ray.)
        stmt({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['OwnLogGroup.Arn'] }),
        stmt({ Action: ['dynamodb:ListStreams', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] }),
        stmt({ Action: ddb('DescribeStream', 'GetRecords', 'GetShardIterator'), Resource: ['Table.StreamArn'] }),
        // The delivery queue, and the stream's on-failure destination (the positions of records given up on).
        stmt({
          Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          Resource: ['DeliveryQueue.Arn', 'StreamDeadLetters.Arn'],
        }),
        stmt({ Action: ['events:PutEvents'], Resource: ['EventBus.Arn'] }),
        stmt({
          Sid: 'EventsLog',
          Action: ddb('PutItem'),
          Resource: [TABLE],
          Condition: { ...like(['EVENTLOG#*', 'EVENTS#*']), ...noReadBack },
        }),
        stmt({ Sid: 'EventsWebhooks', Action: ddb('Query'), Resource: [TABLE], Condition: equals(['WEBHOOK']) }),
      ]),
    );
  });

  it('webhook sender: the webhook and its health, the event, its delivery record, the audit of a disable; consumes the delivery queue', () => {
    expect(policyOf(functionId(/Delivers change events/))).toEqual(
      policy([
        ...BASICS,
        stmt({
          Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
          Resource: ['DeliveryQueue.Arn'],
        }),
        stmt({ Sid: 'SenderWebhooks', Action: ddb('GetItem', 'UpdateItem'), Resource: [TABLE], Condition: equals(['WEBHOOK']) }),
        stmt({ Sid: 'SenderEvents', Action: ddb('GetItem'), Resource: [TABLE], Condition: like(['EVENTS#*']) }),
        stmt({ Sid: 'SenderDeliveries', Action: ddb('GetItem', 'UpdateItem'), Resource: [TABLE], Condition: like(['WEBHOOK#*']) }),
        stmt({ Sid: 'SenderAuditEvents', Action: ddb('PutItem'), Resource: [TABLE], Condition: { ...like(['AUDIT#*']), ...noReadBack } }),
      ]),
    );
  });

  it('membership cleanup: purge marks, whether a resource still exists, group memberships and counts, the member-of index; its dead-letter queue', () => {
    expect(policyOf(functionId(/memberships of deleted/))).toEqual(
      policy([
        ...BASICS,
        stmt({ Action: ['sqs:SendMessage'], Resource: ['OwnDeadLetterQueue.Arn'] }),
        stmt({ Sid: 'CleanupPurgeMarks', Action: ddb('Query', 'DeleteItem'), Resource: [TABLE], Condition: equals(['PURGE']) }),
        stmt({ Sid: 'CleanupResources', Action: ddb('GetItem'), Resource: [TABLE], Condition: like(['USER#*', 'GROUP#*']) }),
        // BatchGetItem: a strongly consistent read of the memberships the index lists, before each removal.
        stmt({
          Sid: 'CleanupMemberships',
          Action: ddb('Query', 'BatchGetItem', 'DeleteItem', 'UpdateItem', 'BatchWriteItem'),
          Resource: [TABLE],
          Condition: like(['GROUP#*']),
        }),
        stmt({ Sid: 'CleanupMemberOfIndex', Action: ddb('Query'), Resource: [GSI1], Condition: like(['MEMBEROF#*']) }),
      ]),
    );
  });

  it("token expiry: lists tokens, updates only their status, ttl and warning and the settings' token count; publishes to the encrypted alert topic", () => {
    expect(policyOf(functionId(/expired SCIM tokens/))).toEqual(
      policy([
        ...BASICS,
        stmt({ Action: ['sqs:SendMessage'], Resource: ['OwnDeadLetterQueue.Arn'] }),
        stmt({ Action: ['sns:Publish'], Resource: ['AlertTopic'] }),
        stmt({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: ['AlertKey.Arn'] }),
        stmt({ Sid: 'ExpiryListTokens', Action: ddb('Query'), Resource: [TABLE], Condition: equals(['TOKEN']) }),
        stmt({
          Sid: 'ExpiryMarkTokens',
          Action: ddb('UpdateItem'),
          Resource: [TABLE],
          Condition: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': ['TOKEN'],
              'dynamodb:Attributes': ['PK', 'SK', 'status', 'ttl', 'expiryWarning'],
            },
            ...noReadBack,
          },
        }),
        stmt({
          Sid: 'ExpiryTokenCount',
          Action: ddb('UpdateItem'),
          Resource: [TABLE],
          Condition: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': ['CONFIG'],
              'dynamodb:Attributes': ['PK', 'SK', 'activeTokens', 'activeClients'],
            },
            ...noReadBack,
          },
        }),
      ]),
    );
  });
});

describe("the admin console's deploy-time functions (CDK's custom resource handlers)", () => {
  it('console deployment: writes its own log group, reads its two source objects, lists and writes the console bucket; nothing else', () => {
    expect(policyOf(cdkHandlerId('CDKBucketDeployment'))).toEqual(
      policy([
        stmt({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['OwnLogGroup.Arn'] }),
        // The built console and config.json.
        stmt({
          Sid: 'ReadSources',
          Action: ['s3:GetObject'],
          Resource: ['arn:<AWS::Partition>:s3:::<CDK assets bucket>/ASSET.zip', 'arn:<AWS::Partition>:s3:::<CDK assets bucket>/ASSET.zip'],
        }),
        stmt({ Sid: 'ListConsole', Action: ['s3:ListBucket', 's3:GetBucketTagging'], Resource: ['ConsoleBucket.Arn'] }),
        stmt({
          Sid: 'WriteConsole',
          Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          Resource: ['ConsoleBucket.Arn/*'],
        }),
      ]),
    );
  });

  it("bucket auto-delete: CDK's provider, the one role with a managed policy (AWSLambdaBasicExecutionRole), may empty the console bucket only", () => {
    const fn = resources[cdkHandlerId('S3AutoDeleteObjects')]?.Properties ?? {};
    const roleId = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[roleId]?.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
    ]);
    expect(resources[roleId]?.Properties.Policies).toBeUndefined();
    expect(idsOf('AWS::IAM::Policy').filter((id) => JSON.stringify(resources[id]?.Properties.Roles).includes(roleId))).toEqual([]);
    // Its S3 permissions are in the bucket policies, of the console bucket only.
    const grants = idsOf('AWS::S3::BucketPolicy').filter((id) => JSON.stringify(resources[id]?.Properties.PolicyDocument).includes(roleId));
    expect(grants.map((id) => resources[id]?.Properties.Bucket)).toEqual([{ Ref: consoleBucketId() }]);
  });
});

describe('function roles', () => {
  it('are assumed by Lambda only and carry no managed policy (not even AWSLambdaBasicExecutionRole), the console deployment included', () => {
    const roleIds = idsOf('AWS::Lambda::Function')
      .filter((id) => !CDK_HANDLER_ID.test(id) || id === cdkHandlerId('CDKBucketDeployment'))
      .map((id) => (resources[id]?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(new Set(roleIds).size).toBe(9);
    for (const roleId of roleIds) {
      const role = resources[roleId]?.Properties ?? {};
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toBeUndefined();
      expect(role.AssumeRolePolicyDocument).toEqual({
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        Version: '2012-10-17',
      });
    }
  });

  it('never grant Scan, a whole-table action, or the table without a key condition', () => {
    for (const id of idsOf('AWS::IAM::Policy')) {
      const statements = (resources[id]?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      for (const s of statements) {
        const actions = [s.Action as string | string[]].flat().filter((a) => a.startsWith('dynamodb:'));
        if (actions.length === 0) continue;
        // The stream's records (the events function's event source): on the stream only, which has no leading key.
        const stream = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
        if (actions.every((a) => stream.includes(a))) {
          expect(JSON.stringify(s.Resource)).toMatch(actions.includes('dynamodb:ListStreams') ? /^"\*"$/ : /StreamArn/);
          continue;
        }
        expect(actions.some((a) => /Scan|PartiQL|\*/.test(a))).toBe(false);
        expect(JSON.stringify(s.Condition)).toContain('dynamodb:LeadingKeys');
      }
    }
  });
});
