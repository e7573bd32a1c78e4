/** Comma-separated Cognito group names allowed to use the admin API (default: Owner,SystemAdmin). */
export const ADMIN_ROLES_ENV = 'ADMIN_ROLES';
/** The SCIM API's public base URL (…/api/scim/v2); unset locally, where it is derived from the request. */
export const SCIM_ENDPOINT_ENV = 'SCIM_ENDPOINT';
/** The admin console's origin (https://<distribution>.cloudfront.net): the one origin the admin API's CORS allows; unset locally (same origin). */
export const CONSOLE_ORIGIN_ENV = 'ADMIN_CONSOLE_ORIGIN';
/** The OAuth 2.0 token endpoint's URL, shown with the SCIM clients (the SCIM function's setting of the same name). */
export { TOKEN_ENDPOINT_ENV } from '../scim/config';
