/**
 * `npm start`: the whole service on this machine.
 *   npm start                  data kept under .local/dynamodb
 *   npm start -- --in-memory   nothing kept on disk
 * PORT (default 8787) sets the gateway's port; SCIM_LOCAL_DIR (default .local) where the data,
 * the development signing key and dev.json live. Ctrl-C stops everything, Java included.
 */
import { join } from 'node:path';
import { JavaMissingError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from './stack';

const LOCAL_DIR = process.env.SCIM_LOCAL_DIR ?? join(PROJECT_ROOT, '.local');
const TABLE_NAME = 'scim-local';
const EXPIRY_INTERVAL_MS = 60_000;
const CLEANUP_INTERVAL_MS = 10_000;

async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const port = Number(process.env.PORT ?? 8787);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // Node.js 20 is this project's development runtime; the SDK's notice about Node.js 22 is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  let db: DynamoDbLocal | undefined;
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stack?.stop().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    db = await startDynamoDbLocal(inMemory ? {} : { dbPath: join(LOCAL_DIR, 'dynamodb') });
    db.process.once('exit', (code) => {
      if (!stopping) {
        console.error(`DynamoDB Local stopped unexpectedly (exit code ${code}).`);
        void stop(1);
      }
    });
    stack = await startLocalStack({
      dynamoEndpoint: db.endpoint,
      tableName: TABLE_NAME,
      port,
      localDir: LOCAL_DIR,
      expiryIntervalMs: EXPIRY_INTERVAL_MS,
      cleanupIntervalMs: CLEANUP_INTERVAL_MS,
    });
  } catch (e: unknown) {
    if (e instanceof JavaMissingError) console.error(e.message);
    else console.error(`Could not start the local stack: ${e instanceof Error ? e.message : String(e)}`);
    await stop(1);
    return;
  }

  console.log(`SCIM provisioning service running locally (${inMemory ? 'in memory' : `data in ${join(LOCAL_DIR, 'dynamodb')}`})`);
  console.log(`  SCIM base URL:  ${stack.scimBaseUrl}`);
  console.log(`  Admin API:      ${stack.adminBaseUrl}`);
  console.log(`  DynamoDB Local: ${db?.endpoint}`);
  console.log(`  Admin JWT (Owner, local development only):`);
  console.log(`    ${stack.adminToken}`);
  console.log(`  The same values are in .local/dev.json. Ctrl-C stops everything.`);
}

void main();
