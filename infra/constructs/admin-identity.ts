import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { CognitoUserPoolsAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  CfnUserPoolRiskConfigurationAttachment,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { checkGroupName } from '../../shared/tokens/roles';

export interface AdminIdentityProps {
  /** Cognito group names of the two admin roles. */
  ownerGroup: string;
  systemAdminGroup: string;
  /** Cognito group name of the read-only role: sees the console's pages, may change nothing. */
  viewerGroup: string;
  /** Where the managed login may send a signed-in administrator back (the console, the CLI's local listener). */
  callbackUrls: readonly string[];
  /** Where it may send them after signing out. */
  logoutUrls: readonly string[];
  /** Prefix of the Cognito domain of the managed login; default: from the stack's name and id. */
  domainPrefix?: string;
}

/** The operator CLI's browser sign-in listens here for the authorization code. */
export const CLI_CALLBACK_URL = 'http://localhost:8976/callback';
export const CLI_LOGOUT_URL = 'http://localhost:8976/logout';

const RESERVED_IN_PREFIX = /aws|amazon|cognito/;
const PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A Cognito domain prefix as Cognito takes it: lower-case letters, digits and hyphens, none of its reserved words. */
export function checkDomainPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix) || RESERVED_IN_PREFIX.test(prefix)) {
    throw new Error(
      `adminDomainPrefix "${prefix}" must be 1 to 63 lower-case letters, digits and hyphens (not at either end), without aws, amazon or cognito`,
    );
  }
  return prefix;
}

/**
 * The default domain prefix: the stack's name made valid, `-admin-` and a suffix of the stack's
 * own (the last 12 hex digits of its CloudFormation stack id), so that each stack has its own,
 * the same on every deployment, without the account id showing in the sign-in address.
 */
export function defaultDomainPrefix(stackName: string, suffix: string): string {
  let name = stackName.toLowerCase();
  const reserved = new RegExp(RESERVED_IN_PREFIX.source, 'g');
  // Until none is left: taking "aws" out of "aawsws" leaves "aws".
  while (RESERVED_IN_PREFIX.test(name)) name = name.replace(reserved, '');
  const base =
    name
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 44)
      .replace(/-+$/, '') || 'scim';
  // A suffix not known at synth (a token) is 12 hex digits at deploy time.
  checkDomainPrefix(`${base}-admin-${Token.isUnresolved(suffix) ? '0'.repeat(12) : suffix}`);
  return `${base}-admin-${suffix}`;
}

/**
 * A callback or logout URL Cognito accepts: https, or http to this machine only. A URL built from
 * deploy-time values (the console's `https://${distribution domain}/`) cannot be parsed at synth:
 * its written parts must still say https and carry no fragment.
 */
export function checkRedirectUrl(url: string): string {
  if (Token.isUnresolved(url)) {
    if (!url.startsWith('https://') || url.includes('#')) {
      throw new Error(`Admin sign-in redirect "${url}" must be https, without a fragment`);
    }
    return url;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Admin sign-in redirect "${url}" is not a URL`);
  }
  const local = parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1';
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw new Error(`Admin sign-in redirect "${url}" must be https (http only for localhost)`);
  }
  if (parsed.hash) throw new Error(`Admin sign-in redirect "${url}" may not have a fragment`);
  return url;
}

/**
 * Admin sign-in: a Cognito user pool for administrators only (no self sign-up, TOTP MFA required,
 * the Plus feature plan with threat protection enforcing), one group per admin role, a public app
 * client for the admin console and the operator CLI (SRP, and the authorization code grant with
 * PKCE through the managed login: never a password sent as such, never the implicit grant), the
 * managed login's Cognito domain, and the REST API authorizer that checks the pool's ID tokens.
 * The organisation's own OIDC or SAML identity provider can be federated into the pool.
 */
export class AdminIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly authorizer: CognitoUserPoolsAuthorizer;
  /** The roles that may change provisioning (Owner, SystemAdmin); any other group of the pool reads only. */
  readonly roles: string[];

  constructor(scope: Construct, id: string, props: AdminIdentityProps) {
    super(scope, id);
    if (props.callbackUrls.length === 0) throw new Error('Admin sign-in needs at least one callback URL');
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true, email: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      // Plus: threat protection (compromised credentials, risky sign-ins); a few administrators cost cents a month.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // What enforcing means: a password found in a breach, or a high-risk sign-in, is refused; a
    // medium-risk one needs the second factor (which every sign-in gives anyway, once set up).
    new CfnUserPoolRiskConfigurationAttachment(this, 'ThreatProtection', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: {
        actions: { eventAction: 'BLOCK' },
        eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      },
      accountTakeoverRiskConfiguration: {
        actions: {
          highAction: { eventAction: 'BLOCK', notify: false },
          mediumAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          lowAction: { eventAction: 'NO_ACTION', notify: false },
        },
      },
    });
    // A group name with a separator could be faked by a flattened claim: refused at synth.
    this.roles = [checkGroupName(props.ownerGroup), checkGroupName(props.systemAdminGroup)];
    const viewer = checkGroupName(props.viewerGroup);
    if (this.roles.includes(viewer)) throw new Error(`The read-only group "${viewer}" cannot also be an admin role`);
    for (const [key, name, description] of [
      ['Owner', props.ownerGroup, 'Owners: may manage provisioning and SCIM tokens'],
      ['SystemAdmin', props.systemAdminGroup, 'System administrators: may manage provisioning and SCIM tokens'],
      ['Viewer', props.viewerGroup, "Read-only: sees the console's pages, cannot change anything"],
    ] as const) {
      new CfnUserPoolGroup(this, `${key}Group`, { userPoolId: this.userPool.userPoolId, groupName: name, description });
    }
    this.client = this.userPool.addClient('AdminClient', {
      // SRP proves the password without sending it; refresh tokens are always allowed.
      authFlows: { userSrp: true },
      // A public client (a browser app, a CLI): no secret it could not keep. PKCE guards its codes.
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: props.callbackUrls.map(checkRedirectUrl),
        logoutUrls: props.logoutUrls.map(checkRedirectUrl),
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    const stack = Stack.of(this);
    // arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>: the uuid's last group.
    const stackSuffix = Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
    const domainPrefix =
      props.domainPrefix !== undefined ? checkDomainPrefix(props.domainPrefix) : defaultDomainPrefix(stack.stackName, stackSuffix);
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      identitySource: 'method.request.header.Authorization',
      resultsCacheTtl: Duration.seconds(0),
    });
    new CfnOutput(scope, 'AdminUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(scope, 'AdminUserPoolClientId', { value: this.client.userPoolClientId });
    new CfnOutput(scope, 'AdminSignInDomain', {
      value: this.domain.baseUrl(),
      description: 'The managed login of the admin user pool (authorize, token and logout endpoints under it)',
    });
  }
}
