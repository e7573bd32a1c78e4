/**
 * "true" makes externalId unique per resource type (409 uniqueness on a duplicate). Off by
 * default: RFC 7643 does not require it, and Microsoft's SCIM test collection creates several
 * users with one externalId. Set with `cdk deploy -c uniqueExternalId=true`.
 */
export const UNIQUE_EXTERNAL_ID_ENV = 'SCIM_UNIQUE_EXTERNAL_ID';
