import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, dynamoConfig } from '../../shared/store/client';
import { ensureTable } from '../../shared/store/create-table';

/** A fresh table from the shared definition on the run's DynamoDB Local. */
export async function createTestTable(): Promise<{ tableName: string; db: DynamoDBDocumentClient; destroy(): void }> {
  const tableName = `test-${randomUUID()}`;
  const client = new DynamoDBClient(dynamoConfig());
  await ensureTable(client, tableName, undefined, { stream: false }); // no event pipeline reads it
  client.destroy();
  const db = createDocumentClient();
  return { tableName, db, destroy: () => db.destroy() };
}
