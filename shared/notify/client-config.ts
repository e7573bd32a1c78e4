/**
 * Where the SQS and EventBridge clients send their requests: the regional endpoints in AWS; the
 * local pipeline's stand-ins (infra/local/event-pipeline.ts) when this variable names them.
 */
export const LOCAL_AWS_ENDPOINT_ENV = 'LOCAL_AWS_ENDPOINT';

export function awsClientConfig(env: NodeJS.ProcessEnv = process.env): {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
} {
  const endpoint = env[LOCAL_AWS_ENDPOINT_ENV];
  if (!endpoint) return {};
  return { endpoint, region: env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
