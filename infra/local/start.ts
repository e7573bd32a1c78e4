/**
 * `npm start`: the whole service on this machine.
 *   npm start                  data kept under .local/dynamodb
 *   npm start -- --in-memory   nothing kept on disk
 * PORT (default 8787) sets the gateway's port; SCIM_LOCAL_DIR (default .local) where the data,
 * the development signing key and dev.json live. Ctrl-C stops everything, Java included.
 *
 * The functions run as the bundles `cdk deploy` uploads (infra/bundle.ts, built here in about a
 * second), so what answers locally is what runs in Lambda.
 */
import { join } from 'node:path';
import { bundleFunctions } from '../bundle';
import { buildConsoleAsync } from '../console/build';
import { FUNCTIONS, type FunctionKey } from '../functions';
import { TOKEN_ENDPOINT_PATH } from '../../shared/http/routes';
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
  // Embedded-metric lines are for CloudWatch; locally the request lines below tell what happened.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.setSourceMapsEnabled(true);

  let db: DynamoDbLocal | undefined;
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stack?.stop().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    if (code === 0) console.log('Stopped: the local gateway and DynamoDB Local are down.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const consoleDir = join(LOCAL_DIR, 'console');
    const [bundles, started] = await Promise.all([
      bundleFunctions(join(LOCAL_DIR, 'bundles'), { baseline: false }),
      startDynamoDbLocal(inMemory ? {} : { dbPath: join(LOCAL_DIR, 'dynamodb') }),
      buildConsoleAsync(consoleDir),
    ]);
    db = started;
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
      functionFiles: Object.fromEntries(
        (Object.keys(FUNCTIONS) as FunctionKey[]).map((key) => [key, bundles[key]?.file ?? FUNCTIONS[key].entry]),
      ),
      log: (line) => console.log(line),
      consoleDir,
    });
  } catch (e: unknown) {
    if (e instanceof JavaMissingError) console.error(e.message);
    else console.error(`Could not start the local stack: ${e instanceof Error ? e.message : String(e)}`);
    await stop(1);
    return;
  }

  console.log(`SCIM provisioning service running locally (${inMemory ? 'in memory' : `data in ${join(LOCAL_DIR, 'dynamodb')}`})`);
  console.log(`  Admin console:  ${stack.consoleUrl} (signed in as the local Owner; a role switcher for the read-only view)`);
  console.log(`  SCIM base URL:  ${stack.scimBaseUrl}`);
  console.log(`  Admin API:      ${stack.adminBaseUrl}`);
  console.log(`  OpenAPI:        ${stack.adminBaseUrl}/openapi.json`);
  console.log(`  OAuth 2.0 token endpoint (SCIM clients): ${new URL(stack.scimBaseUrl).origin}${TOKEN_ENDPOINT_PATH}`);
  console.log(`  DynamoDB Local: ${db?.endpoint}`);
  console.log(`  Admin JWT (Owner, local development only):`);
  console.log(`    ${stack.adminToken}`);
  console.log(`  The same values are in .local/dev.json. Ctrl-C stops everything.`);
  console.log('Requests:');
}

void main();
