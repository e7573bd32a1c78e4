/**
 * The key sets of federated issuers, for the token endpoint: a JWKS URL is fetched with a timeout
 * and cached (jose's remote key set: at most one fetch per cooldown, refetched when an unknown `kid`
 * comes), per URL for the life of the function instance; inline keys are used as they are.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Federation } from '../tokens/federation';

/** A slow identity provider cannot hold a token request for long. */
export const JWKS_TIMEOUT_MS = 3000;
/** Keys are kept this long before they are fetched again (a new kid refetches sooner, at most once per cooldown). */
export const JWKS_CACHE_MS = 10 * 60_000;
export const JWKS_COOLDOWN_MS = 30_000;
const MAX_CACHED_URLS = 16;

export function jwksCache(): (federation: Federation) => JWTVerifyGetKey {
  const remote = new Map<string, JWTVerifyGetKey>();
  return (federation) => {
    if (federation.jwks) return createLocalJWKSet(federation.jwks);
    const url = federation.jwksUrl ?? '';
    let keys = remote.get(url);
    if (!keys) {
      if (remote.size >= MAX_CACHED_URLS) remote.clear();
      keys = createRemoteJWKSet(new URL(url), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        cacheMaxAge: JWKS_CACHE_MS,
        cooldownDuration: JWKS_COOLDOWN_MS,
      });
      remote.set(url, keys);
    }
    return keys;
  };
}
