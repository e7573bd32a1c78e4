/**
 * Seeds users fast (for the benchmark and for tests that need thousands): the repository's own
 * create items, written with BatchWriteItem, and the user counter moved once.
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../shared/store/batch';
import { resourceKeys } from '../../shared/store/keys';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';

export async function seedUsers(
  db: DynamoDBDocumentClient,
  tableName: string,
  count: number,
  prefix = 'seed',
  onProgress?: (done: number) => void,
  /** The resource of the i-th user (default: userName `<prefix><i>@example.com`, active). */
  body?: (i: number) => Record<string, unknown>,
): Promise<string[]> {
  const repo = new DynamoResourceRepository(db, tableName, 'User');
  const ids: string[] = [];
  const puts: Record<string, unknown>[] = [];
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    const at = new Date(start + i).toISOString();
    const resource = body?.(i) ?? {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${prefix}${i}@example.com`,
      active: true,
    };
    const { plan } = repo.planCreate(id, resource, { at, memberCount: 0 });
    for (const item of plan.items as { Put?: { Item: Record<string, unknown> } }[]) if (item.Put) puts.push(item.Put.Item);
  }
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < puts.length; i += 1000) chunks.push(puts.slice(i, i + 1000));
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      await batchWriteAll(
        db,
        tableName,
        chunk.map((Item) => ({ PutRequest: { Item } })),
      );
      done += chunk.length;
      onProgress?.(Math.round((done / puts.length) * count));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: resourceKeys.counter('User'),
      UpdateExpression: 'ADD #n :n, #g :one',
      ExpressionAttributeNames: { '#n': 'count', '#g': 'generation' },
      ExpressionAttributeValues: { ':n': count, ':one': 1 },
    }),
  );
  return ids;
}
