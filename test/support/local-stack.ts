import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack';
import { createDocumentClient, DYNAMODB_ENDPOINT_ENV } from '../../shared/store/client';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { expiryOf } from '../../shared/tokens/expiry';
import { generateToken } from '../../shared/tokens/token';

export interface TestStack extends LocalStack {
  tableName: string;
  localDir: string;
  tokens: DynamoTokenRepository;
}

/** The local stack on a free port, against the run's DynamoDB Local, with a fresh table. */
export async function startTestStack(
  env: Record<string, string> = {},
  expiryIntervalMs = 0,
  extra: Pick<LocalStackOptions, 'log' | 'events'> = {},
): Promise<TestStack> {
  const endpoint = process.env[DYNAMODB_ENDPOINT_ENV];
  if (!endpoint) throw new Error('DynamoDB Local is not running (the Jest global setup starts it)');
  const localDir = await mkdtemp(join(tmpdir(), 'scim-e2e-'));
  const tableName = `e2e-${randomUUID()}`;
  // The change-event pipeline only for the tests that ask for it (it would turn every other test's writes into events).
  const stack = await startLocalStack({
    dynamoEndpoint: endpoint,
    tableName,
    port: 0,
    localDir,
    env,
    expiryIntervalMs,
    events: false,
    ...extra,
  });
  const db = createDocumentClient();
  return {
    ...stack,
    tableName,
    localDir,
    tokens: new DynamoTokenRepository(db, tableName),
    async stop() {
      await stack.stop();
      db.destroy();
      await rm(localDir, { recursive: true, force: true });
    },
  };
}

/** Enables provisioning and stores a fresh token directly (for tests that are not about tokens). */
export async function seedToken(tokens: DynamoTokenRepository, now = new Date()): Promise<string> {
  await tokens.setEnabled(true, 'test', now.toISOString());
  const token = generateToken();
  await tokens.createToken(
    {
      id: token.id,
      name: 'seeded',
      hint: token.hint,
      hash: token.hash,
      createdAt: now.toISOString(),
      expiresAt: expiryOf(now).toISOString(),
      status: 'Active',
      createdBy: 'test',
    },
    2,
  );
  return token.value;
}
