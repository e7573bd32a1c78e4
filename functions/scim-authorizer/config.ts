/** Seconds one warm authorizer instance may reuse a looked-up token (0 to 5: the revocation delay). */
export const AUTH_CACHE_SECONDS_ENV = 'SCIM_AUTH_CACHE_SECONDS';
export const DEFAULT_AUTH_CACHE_SECONDS = 5;
