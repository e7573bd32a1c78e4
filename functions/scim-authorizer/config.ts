/**
 * Seconds one warm authorizer instance may reuse a looked-up token (0 to 5): the longest delay
 * before a deleted token, or every token after provisioning is disabled, is refused. The default
 * 0 keeps the product's promise that revocation takes effect at once, for one GetItem a request.
 */
export const AUTH_CACHE_SECONDS_ENV = 'SCIM_AUTH_CACHE_SECONDS';
export const DEFAULT_AUTH_CACHE_SECONDS = 0;
