import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local';
import { DYNAMODB_ENDPOINT_ENV } from '../../shared/store/client';

declare global {
  var __DYNAMODB_LOCAL__: DynamoDbLocal | undefined;
}

/** Starts DynamoDB Local once for the whole run (in memory); the workers inherit its endpoint. */
export default async function globalSetup(): Promise<void> {
  const db = await startDynamoDbLocal();
  globalThis.__DYNAMODB_LOCAL__ = db;
  process.env[DYNAMODB_ENDPOINT_ENV] = db.endpoint;
  // If Jest itself is killed, do not leave the Java process behind.
  process.once('exit', () => {
    if (db.process.exitCode === null) db.process.kill('SIGKILL');
  });
}
