/** Seeds users fast for the benchmark (test/support/seed.ts), labelled and with progress. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seedUsers as seed } from '../support/seed';
import { label, progress } from './harness';

export async function seedUsers(
  db: DynamoDBDocumentClient,
  tableName: string,
  count: number,
  prefix = 'seed',
  body?: (i: number) => Record<string, unknown>,
): Promise<string[]> {
  label('seed');
  return seed(db, tableName, count, prefix, (done) => progress(`  seeding users: ${done} / ${count}`), body);
}
