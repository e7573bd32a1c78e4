/**
 * What an access token says it is for, as the stack sets it (the token endpoint's API and the SCIM
 * API have hosts of their own). Unset (locally, where one gateway serves both), it is read from the
 * request: the token endpoint's URL, and the SCIM base URL on the same origin.
 */
export const OAUTH_ISSUER_ENV = 'OAUTH_ISSUER';
export const OAUTH_AUDIENCE_ENV = 'OAUTH_AUDIENCE';
/** Seconds an access token is valid (3600 to 21600; default 3600). */
export const ACCESS_TOKEN_SECONDS_ENV = 'OAUTH_ACCESS_TOKEN_SECONDS';
// The signing key: SIGNING_KEY_ID_ENV (a KMS key, in the stack) or SIGNING_KEY_FILE_ENV (locally), in shared/crypto/signing-key.ts.
