/**
 * "true" makes externalId unique per resource type (409 uniqueness on a duplicate). Off by
 * default: RFC 7643 does not require it, and Microsoft's SCIM test collection creates several
 * users with one externalId. Set with `cdk deploy -c uniqueExternalId=true`.
 */
export const UNIQUE_EXTERNAL_ID_ENV = 'SCIM_UNIQUE_EXTERNAL_ID';

/** Milliseconds a SCIM request may take before it stops writing (default 10,000; tests set it lower). */
export const REQUEST_DEADLINE_ENV = 'SCIM_REQUEST_DEADLINE_MS';

/** Days a deleted user's (or group's) record is kept, for a restore by the same identity, before it is erased (default 30). */
export const DELETED_RETENTION_DAYS_ENV = 'SCIM_DELETED_RETENTION_DAYS';

/** The OAuth 2.0 token endpoint's URL, for /ServiceProviderConfig's authenticationSchemes (the stack sets it; locally, the request's origin). */
export const TOKEN_ENDPOINT_ENV = 'OAUTH_TOKEN_ENDPOINT';
