/**
 * What the console reads at start from ./config.json beside its index.html: the local stack
 * serves one (signed in as the local development Owner, with a role switcher); the CDK stack
 * deploys one with the Cognito managed login's values.
 */
interface CommonConfig {
  /** The admin API's base URL (…/api/admin/v1). */
  apiBase: string;
  /** The roles (Cognito groups) that may change provisioning; any other signed-in role sees the pages read-only. */
  manageRoles: string[];
}

export interface LocalConsoleConfig extends CommonConfig {
  mode: 'local';
  /** POST {"role": "Owner"} here for a development ID token of that role (local only). */
  sessionUrl: string;
  /** The roles the switcher offers. */
  roles: string[];
}

export interface CognitoConsoleConfig extends CommonConfig {
  mode: 'cognito';
  /** The managed login's base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  signInDomain: string;
  clientId: string;
  /** Where the managed login sends the authorization code back (the console's own URL). */
  redirectUri: string;
  /** Where it sends the administrator after signing out. */
  logoutUri: string;
}

export type ConsoleConfig = LocalConsoleConfig | CognitoConsoleConfig;
