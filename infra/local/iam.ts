/**
 * Least privilege, proven locally. DynamoDB Local checks no permission, so the local stack does:
 * every DynamoDB request a function makes is checked against that function's table grants
 * (infra/functions.ts, the grants the CDK stack turns into its IAM policy) as IAM evaluates them —
 * the action, the table or index, `dynamodb:LeadingKeys` (every partition key value of the
 * request), `dynamodb:Attributes` and `dynamodb:ReturnValues` — and a request the deployed role
 * would refuse fails here too, with AccessDeniedException. So every end-to-end test also proves
 * that the grants are enough, and the grants' own tests (test/infra/iam.test.ts) that they are no more.
 *
 * Which function is calling is known from the local gateway and the job timers, which run each
 * invocation inside `runAs`; clients are reached through the seam shared/store/client.ts offers
 * (a hook on globalThis, so that separately bundled functions in one process share it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_CLIENT_HOOK } from '../../shared/store/client';
import { KEYS } from '../../shared/store/keys';
import { TABLE } from '../../shared/store/table';
import { FUNCTIONS, type FunctionKey, type TableGrant } from '../functions';

type AttributeValue = { S?: string; N?: string } & Record<string, unknown>;
type Marshalled = Record<string, AttributeValue>;
type Input = Record<string, unknown>;

/** One item-level request as IAM authorizes it (a transaction is one per item). */
export interface Access {
  action: string;
  index?: string;
  leadingKeys: string[];
  attributes: string[];
  returnValues?: string;
}

const CONTEXT = Symbol.for('scim-provisioning.local-function');
const RETURN_VALUES_WITHOUT_READ = new Set(['NONE', 'UPDATED_OLD', 'UPDATED_NEW']);
const EXPRESSION_WORDS = new Set(
  [
    'SET',
    'REMOVE',
    'ADD',
    'DELETE',
    'AND',
    'OR',
    'NOT',
    'BETWEEN',
    'IN',
    'attribute_exists',
    'attribute_not_exists',
    'attribute_type',
    'begins_with',
    'contains',
    'size',
    'if_not_exists',
    'list_append',
  ].map((w) => w.toLowerCase()),
);

function storage(): AsyncLocalStorage<FunctionKey> {
  const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<FunctionKey> | undefined>;
  return (g[CONTEXT] ??= new AsyncLocalStorage<FunctionKey>());
}

/** Runs one invocation of `fn` as that function: its DynamoDB requests are checked against its grants. */
export function runAs<T>(fn: FunctionKey, invocation: () => Promise<T>): Promise<T> {
  return storage().run(fn, invocation);
}

/** The top-level attribute names an expression names (`#x` through the name map, and bare names). */
function expressionAttributes(expression: unknown, names: Record<string, string> | undefined): string[] {
  if (typeof expression !== 'string') return [];
  const out: string[] = [];
  // Paths start after a separator; what follows a dot or sits in brackets is inside an attribute.
  for (const m of expression.matchAll(/(^|[^.\w#:])(#\w+|[A-Za-z_]\w*)/g)) {
    const token = m[2] ?? '';
    if (token.startsWith('#')) out.push(names?.[token] ?? token);
    else if (!EXPRESSION_WORDS.has(token.toLowerCase())) out.push(token);
  }
  return out;
}

const pkOf = (key: unknown): string => String((key as Marshalled | undefined)?.[KEYS.pk]?.S ?? '');

function itemAccess(action: string, input: Input, key: unknown, written: string[] = []): Access {
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  return {
    action,
    leadingKeys: [pkOf(key)],
    attributes: [
      ...written,
      ...expressionAttributes(input.UpdateExpression, names),
      ...expressionAttributes(input.ConditionExpression, names),
      ...expressionAttributes(input.ProjectionExpression, names),
    ],
    ...(typeof input.ReturnValues === 'string' ? { returnValues: input.ReturnValues } : {}),
  };
}

/** The partition key value a Query names: `<partition key> = :v` in its key condition. */
function queryLeadingKey(input: Input): string {
  const index = TABLE.globalSecondaryIndexes.find((i) => i.indexName === input.IndexName);
  const partition = index ? index.partitionKey.name : TABLE.partitionKey.name;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Marshalled;
  for (const m of String(input.KeyConditionExpression ?? '').matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    const name = m[1]?.startsWith('#') ? names[m[1]] : m[1];
    if (name === partition) return String(values[m[2] ?? '']?.S ?? '');
  }
  return '';
}

/** The accesses one command makes, as IAM authorizes them; undefined for a command no grant can name. */
export function accessesOf(command: string, input: Input): Access[] | undefined {
  switch (command) {
    case 'GetItemCommand':
      return [itemAccess('GetItem', input, input.Key)];
    case 'PutItemCommand':
      return [itemAccess('PutItem', input, input.Item, Object.keys((input.Item as Marshalled | undefined) ?? {}))];
    case 'UpdateItemCommand':
      return [itemAccess('UpdateItem', input, input.Key)];
    case 'DeleteItemCommand':
      return [itemAccess('DeleteItem', input, input.Key)];
    case 'QueryCommand': {
      const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
      return [
        {
          action: 'Query',
          ...(typeof input.IndexName === 'string' ? { index: input.IndexName } : {}),
          leadingKeys: [queryLeadingKey(input)],
          attributes: [...expressionAttributes(input.FilterExpression, names), ...expressionAttributes(input.ProjectionExpression, names)],
        },
      ];
    }
    case 'BatchGetItemCommand': {
      const tables = Object.values(
        (input.RequestItems ?? {}) as Record<
          string,
          { Keys?: unknown[]; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }
        >,
      );
      return [
        {
          action: 'BatchGetItem',
          leadingKeys: tables.flatMap((t) => (t.Keys ?? []).map(pkOf)),
          attributes: tables.flatMap((t) => expressionAttributes(t.ProjectionExpression, t.ExpressionAttributeNames)),
        },
      ];
    }
    case 'BatchWriteItemCommand': {
      const requests = Object.values(
        (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]>,
      ).flat();
      return [
        {
          action: 'BatchWriteItem',
          leadingKeys: requests.map((r) => pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
          attributes: requests.flatMap((r) => Object.keys((r.PutRequest?.Item as Marshalled | undefined) ?? {})),
        },
      ];
    }
    case 'TransactWriteItemsCommand':
      return ((input.TransactItems ?? []) as Record<string, Input>[]).flatMap((item) => {
        if (item.Put) return [itemAccess('PutItem', item.Put, item.Put.Item, Object.keys((item.Put.Item as Marshalled | undefined) ?? {}))];
        if (item.Update) return [itemAccess('UpdateItem', item.Update, item.Update.Key)];
        if (item.Delete) return [itemAccess('DeleteItem', item.Delete, item.Delete.Key)];
        if (item.ConditionCheck) return [itemAccess('ConditionCheckItem', item.ConditionCheck, item.ConditionCheck.Key)];
        return [];
      });
    case 'TransactGetItemsCommand':
      return ((input.TransactItems ?? []) as { Get: Input }[]).map((item) => itemAccess('GetItem', item.Get, item.Get.Key));
    default:
      return undefined;
  }
}

const matches = (value: string, pattern: string): boolean =>
  pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;

/** Whether one grant (one IAM statement) allows an access. */
export function allows(grant: TableGrant, access: Access): boolean {
  if (!(grant.actions as readonly string[]).includes(access.action)) return false;
  if ((grant.index ?? undefined) !== access.index) return false;
  if (!access.leadingKeys.every((k) => grant.partitions.some((p) => matches(k, p)))) return false;
  if (grant.attributes) {
    const allowed = new Set<string>([KEYS.pk, KEYS.sk, ...grant.attributes]);
    if (!access.attributes.every((a) => allowed.has(a))) return false;
  }
  if ((grant.attributes || grant.writeOnly) && access.returnValues !== undefined && !RETURN_VALUES_WITHOUT_READ.has(access.returnValues)) {
    return false;
  }
  return true;
}

export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedException';
}

/** Throws AccessDeniedError when the function's grants do not allow every access of the command. */
export function authorize(fn: FunctionKey, command: string, input: Input): void {
  const accesses = accessesOf(command, input);
  const grants = FUNCTIONS[fn].table;
  if (!accesses) throw new AccessDeniedError(`local IAM: the ${fn} function may not call ${command}`);
  for (const access of accesses) {
    if (!grants.some((g) => allows(g, access))) {
      throw new AccessDeniedError(
        `local IAM: the ${fn} function may not ${access.action} ${access.leadingKeys.join(', ')}${access.index ? ` on ${access.index}` : ''}` +
          (access.attributes.length > 0 ? ` (attributes ${[...new Set(access.attributes)].join(', ')})` : ''),
      );
    }
  }
}

/** Checks every request of the clients this process creates from now on (the local stack calls it before loading functions). */
export function enforceGrantsLocally(onDenied: (message: string) => void = (m) => console.error(m)): void {
  const g = globalThis as unknown as Record<symbol, ((client: DynamoDBClient) => void) | undefined>;
  g[DYNAMODB_CLIENT_HOOK] = (client) => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const fn = storage().getStore();
        if (fn) {
          try {
            authorize(fn, String(context.commandName), args.input as Input);
          } catch (e: unknown) {
            if (e instanceof AccessDeniedError) onDenied(e.message);
            throw e;
          }
        }
        return next(args);
      },
      { step: 'build', name: 'localIamGrants' },
    );
  };
}
