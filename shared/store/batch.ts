/** Query and batch helpers: every page, every unprocessed key, retried with backoff. */
import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** A DynamoDB item as the document client reads and writes it. */
export type Item = Record<string, unknown>;
/** The operations of one TransactWriteItems call. */
export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const BATCH_GET = 100;
const BATCH_WRITE = 25;
const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));

/** All items of a query, page after page, up to `limit`. */
export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput, limit = Number.MAX_SAFE_INTEGER): Promise<Item[]> {
  const out: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, ExclusiveStartKey: start, Limit: Math.min(input.Limit ?? 1000, limit - out.length) }),
    );
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

/** BatchGetItem over any number of keys (strongly consistent), retrying unprocessed keys. */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  projection?: { expression: string; names: Record<string, string> },
): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET) {
    let request: Item[] | undefined = keys.slice(i, i + BATCH_GET);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const res: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: request,
              ConsistentRead: true,
              ...(projection ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names } : {}),
            },
          },
        }),
      );
      out.push(...(res.Responses?.[tableName] ?? []));
      request = res.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
    }
  }
  return out;
}

/** BatchWriteItem (puts and deletes; idempotent) over any number of requests, retrying unprocessed ones. */
export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly ({ PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } })[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_WRITE) {
    let request: unknown[] | undefined = requests.slice(i, i + BATCH_WRITE);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const res: BatchWriteCommandOutput = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: request as never } }));
      request = res.UnprocessedItems?.[tableName];
    }
  }
}
