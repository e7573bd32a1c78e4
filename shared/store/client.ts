import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { instrument, METRICS_ENV } from './metrics';

/**
 * Endpoint override for DynamoDB Local. In AWS it is unset and the SDK uses the regional endpoint.
 */
export const DYNAMODB_ENDPOINT_ENV = 'DYNAMODB_ENDPOINT';

export function dynamoConfig(env: NodeJS.ProcessEnv = process.env): DynamoDBClientConfig {
  const endpoint = env[DYNAMODB_ENDPOINT_ENV];
  if (!endpoint) return {};
  return {
    endpoint,
    region: env.AWS_REGION ?? 'local',
    // DynamoDB Local accepts any credentials; fixed ones keep the SDK from searching for a profile.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/**
 * A seam for the local stack only (infra/local/iam.ts checks each request against the calling
 * function's grants): a function on globalThis under this symbol is given every client made. It
 * is never set in AWS, where IAM does the checking.
 */
export const DYNAMODB_CLIENT_HOOK = Symbol.for('scim-provisioning.dynamodb-client-hook');

export function createDocumentClient(config: DynamoDBClientConfig = dynamoConfig()): DynamoDBDocumentClient {
  const client = new DynamoDBClient(config);
  if (process.env[METRICS_ENV] === '1') instrument(client);
  (globalThis as unknown as Record<symbol, ((c: DynamoDBClient) => void) | undefined>)[DYNAMODB_CLIENT_HOOK]?.(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}
