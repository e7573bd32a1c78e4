/**
 * What the function bundles use for `@aws-sdk/credential-provider-node` (infra/bundle.ts aliases it
 * here). In Lambda the credentials are the function role's, in the environment the runtime sets
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): the default chain's first link.
 * Its other links (SSO, ini files, processes, web identity, container and instance metadata) are
 * never reached in Lambda, yet bring nested STS/SSO clients that were a fifth of every bundle.
 * Locally, the clients are given fixed credentials (shared/store/client.ts, shared/notify/client-config.ts).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Provider = ReturnType<typeof fromEnv>;
type AwsCredentialIdentity = Awaited<ReturnType<Provider>>;

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): Provider => fromEnv(init);

/** As the default chain says it (credentials with an expiry are refreshed 5 minutes before it). */
export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity): boolean => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
