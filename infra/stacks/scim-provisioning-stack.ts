import { Duration, Lazy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ADMIN_ROLES_ENV, CONSOLE_ORIGIN_ENV, SCIM_ENDPOINT_ENV } from '../../functions/admin/config';
import { AUTH_CACHE_SECONDS_ENV, DEFAULT_AUTH_CACHE_SECONDS } from '../../functions/scim-authorizer/config';
import { ACCESS_TOKEN_SECONDS_ENV, OAUTH_AUDIENCE_ENV, OAUTH_ISSUER_ENV } from '../../functions/oauth-token/config';
import { DELETED_RETENTION_DAYS_ENV, TOKEN_ENDPOINT_ENV, UNIQUE_EXTERNAL_ID_ENV } from '../../functions/scim/config';
import { RETENTION_DAYS_ENV } from '../../functions/token-expiry/config';
import { DEFAULT_DELETED_RETENTION_DAYS } from '../../shared/scim/limits';
import type { EventForm } from '../../shared/scim/events/change-event';
import { DEFAULT_EVENT_RETENTION_DAYS } from '../../shared/store/event-log-repository';
import { EVENT_RETENTION_DAYS_ENV } from '../../functions/events/config';
import { ROUTES, SCIM_BASE_PATH, TOKEN_ENDPOINT_PATH } from '../../shared/http/routes';
import { checkAccessTokenLifetime, DEFAULT_ACCESS_TOKEN_SECONDS } from '../../shared/tokens/access-token';
import { configuredExtensions } from '../../shared/scim/schemas/registry';
import { AdminConsole, consoleAddress } from '../constructs/admin-console';
import { AdminIdentity, CLI_CALLBACK_URL, CLI_LOGOUT_URL } from '../constructs/admin-identity';
import { ChangeEvents } from '../constructs/change-events';
import { CursorKey } from '../constructs/cursor-key';
import { Monitoring } from '../constructs/monitoring';
import { ProjectFunction } from '../constructs/project-function';
import { RestApis } from '../constructs/rest-apis';
import { ScheduledJob } from '../constructs/scheduled-job';
import { SigningKey } from '../constructs/signing-key';
import { ScimTable } from '../constructs/table';
import { TokenExpiry } from '../constructs/token-expiry';
import { WebAcls, type WafLimits } from '../constructs/web-acls';

export interface ScimProvisioningConfig {
  stageName: string;
  logRetention: RetentionDays;
  /** Seconds a warm authorizer reuses a looked-up token (0 to 5). */
  authCacheSeconds: number;
  /** Days an Expired token stays visible before TTL removes it. */
  tokenRetentionDays: number;
  alertEmail?: string;
  throttling: { rateLimit: number; burstLimit: number };
  /** Cognito group names of the admin roles. */
  ownerGroup: string;
  systemAdminGroup: string;
  /** Cognito group name of the read-only role (the console's pages, no change). */
  viewerGroup: string;
  /** Custom SCIM schema extensions (the content of an extensions JSON file); default: the one in shared/. */
  scimExtensionsJson?: string;
  /** Refuse a second user or group with the same externalId (409). */
  uniqueExternalId?: boolean;
  /** Days a deleted user's record (personal data included) is kept for a restore by the same identity, then erased. */
  deletedRetentionDays: number;
  /** AWS WAF on every API (about $30 a month, see infra/constructs/web-acls.ts), with its rate limits per 5 minutes. */
  waf: { enabled: boolean; limits: WafLimits };
  /** Where else the admin sign-in (Cognito managed login) may redirect (the operator CLI); the deployed console's URL is always added. */
  adminCallbackUrls: string[];
  adminLogoutUrls: string[];
  /** Prefix of the Cognito domain of the admin sign-in; default: from the stack name and the account id. */
  adminDomainPrefix?: string;
  /** Change events: notice (ids and attribute names, the default) or full (the resource's attributes: personal data). */
  eventForm: EventForm;
  /** Days change events stay in the replayable event log. */
  eventRetentionDays: number;
  /** Seconds an access token of the token endpoint is valid (3600 to 21600: Entra ID's gallery wants 1 to 6 hours). */
  accessTokenLifetimeSeconds: number;
}

export const DEFAULT_CONFIG: ScimProvisioningConfig = {
  stageName: 'prod',
  logRetention: RetentionDays.ONE_MONTH,
  authCacheSeconds: DEFAULT_AUTH_CACHE_SECONDS,
  tokenRetentionDays: 90,
  throttling: { rateLimit: 100, burstLimit: 200 },
  ownerGroup: 'Owner',
  systemAdminGroup: 'SystemAdmin',
  viewerGroup: 'Viewer',
  deletedRetentionDays: DEFAULT_DELETED_RETENTION_DAYS,
  waf: { enabled: true, limits: { anonymousPerIp: 100, anonymousTotal: 1000, tokenPerIp: 6000, adminPerIp: 500 } },
  adminCallbackUrls: [CLI_CALLBACK_URL],
  adminLogoutUrls: [CLI_LOGOUT_URL],
  eventForm: 'notice',
  eventRetentionDays: DEFAULT_EVENT_RETENTION_DAYS,
  accessTokenLifetimeSeconds: DEFAULT_ACCESS_TOKEN_SECONDS,
};

export class ScimProvisioningStack extends Stack {
  constructor(scope: Construct, id: string, config: ScimProvisioningConfig, props?: StackProps) {
    super(scope, id, props);
    if (config.authCacheSeconds < 0 || config.authCacheSeconds > 5) {
      throw new Error(`authCacheSeconds must be 0 to 5 (the revocation delay), got ${config.authCacheSeconds}`);
    }
    // The token function refuses it at cold start too; here a bad value stops the synthesis instead.
    checkAccessTokenLifetime(config.accessTokenLifetimeSeconds);
    const { table } = new ScimTable(this, 'Data');
    const common = { table, logRetention: config.logRetention };
    const monitoring = new Monitoring(this, 'Monitoring', {
      logRetention: config.logRetention,
      ...(config.alertEmail ? { alertEmail: config.alertEmail } : {}),
    });

    if (config.scimExtensionsJson !== undefined) configuredExtensions(config.scimExtensionsJson); // fail at synth on bad config
    // Seals list cursors; only the SCIM and admin functions read it.
    const cursorKey = new CursorKey(this, 'CursorKey');
    // The configured SCIM schema extensions, built into both functions that serve users and groups (SCIM, and the admin API's views).
    const schemaDefine =
      config.scimExtensionsJson !== undefined
        ? { define: { 'process.env.SCIM_EXTENSIONS_JSON': JSON.stringify(config.scimExtensionsJson) } }
        : {};
    const scim = new ProjectFunction(this, 'ScimFunction', {
      ...common,
      function: 'scim',
      paramsAndSecrets: cursorKey.extension,
      environment: {
        [UNIQUE_EXTERNAL_ID_ENV]: String(config.uniqueExternalId === true),
        [DELETED_RETENTION_DAYS_ENV]: String(config.deletedRetentionDays),
      },
      ...schemaDefine,
    });
    cursorKey.grantRead(scim);
    const scimAuthorizerFn = new ProjectFunction(this, 'ScimAuthorizerFunction', {
      ...common,
      function: 'scimAuthorizer',
      environment: { [AUTH_CACHE_SECONDS_ENV]: String(config.authCacheSeconds) },
    });
    // The token endpoint (OAuth 2.0 client credentials) signs access tokens that the SCIM authorizer verifies.
    const signingKey = new SigningKey(this, 'AccessTokenSigningKey');
    const token = new ProjectFunction(this, 'TokenEndpointFunction', {
      ...common,
      function: 'token',
      environment: { [ACCESS_TOKEN_SECONDS_ENV]: String(config.accessTokenLifetimeSeconds) },
    });
    signingKey.grantSign(token);
    signingKey.grantPublicKey(scimAuthorizerFn);
    const tokenExpiry = new TokenExpiry(this, 'TokenExpiry', {
      ...common,
      retentionDays: config.tokenRetentionDays,
      topic: monitoring.topic,
    });
    // Deleted groups are gone from SCIM at once; this removes their remaining membership items.
    const cleanup = new ScheduledJob(this, 'MembershipCleanup', {
      ...common,
      function: 'membershipCleanup',
      description: 'Removes the memberships of deleted users and groups',
      schedule: Schedule.rate(Duration.minutes(1)),
      // The next run a minute later picks up where this one stopped: no retries of the same run.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    });

    // A REQUEST authorizer (not TOKEN) so refusals can be audited with the caller's address.
    // API Gateway's own authorizer cache is off: revocation must take effect within seconds,
    // and the function's in-memory cache (authCacheSeconds, at most 5 s) bounds the delay.
    const scimToken = new RequestAuthorizer(this, 'ScimTokenAuthorizer', {
      handler: scimAuthorizerFn,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(0),
    });

    // The console is built last (its CSP and config.json name the admin API and the sign-in), but
    // the sign-in's redirect URLs and the admin API's CORS need its address first: a lazy value,
    // the distribution's domain name at synth, breaks the order (CloudFormation sees the reference).
    const consoleDomain = Lazy.string({ produce: () => adminConsole.distribution.distributionDomainName });
    const consoleAt = consoleAddress(consoleDomain);
    const identity = new AdminIdentity(this, 'AdminIdentity', {
      ownerGroup: config.ownerGroup,
      systemAdminGroup: config.systemAdminGroup,
      viewerGroup: config.viewerGroup,
      callbackUrls: [...config.adminCallbackUrls, consoleAt.url],
      logoutUrls: [...config.adminLogoutUrls, consoleAt.url],
      ...(config.adminDomainPrefix !== undefined ? { domainPrefix: config.adminDomainPrefix } : {}),
    });
    const admin = new ProjectFunction(this, 'AdminFunction', {
      ...common,
      function: 'admin',
      paramsAndSecrets: cursorKey.extension,
      environment: {
        [ADMIN_ROLES_ENV]: identity.roles.join(','),
        [RETENTION_DAYS_ENV]: String(config.tokenRetentionDays),
        [EVENT_RETENTION_DAYS_ENV]: String(config.eventRetentionDays),
        [CONSOLE_ORIGIN_ENV]: consoleAt.origin,
      },
      ...schemaDefine,
    });
    const events = new ChangeEvents(this, 'ChangeEvents', {
      ...common,
      form: config.eventForm,
      retentionDays: config.eventRetentionDays,
    });
    cursorKey.grantRead(admin);

    const apis = new RestApis(this, 'Apis', {
      routes: ROUTES,
      functions: { scim, admin, token },
      authorizers: { scimToken, adminJwt: identity.authorizer },
      stageName: config.stageName,
      throttling: config.throttling,
      stageOptions: (api) => monitoring.stageOptions(api),
      consoleOrigin: consoleAt.origin,
    });
    // The admin API shows the SCIM endpoint that administrators give their identity provider.
    admin.addEnvironment(SCIM_ENDPOINT_ENV, apis.requireBaseUrl('scim'));
    // What access tokens say: issued by the token endpoint, for the SCIM API. Both URLs from the
    // REST APIs' ids (RestApis.urlFromId), not the stages': a stage depends on its methods, so the
    // token function told its own stage's URL (the issuer), or the authorizer told the SCIM stage's
    // (the audience), would depend on itself. Every function gets the same two strings.
    const issuer = apis.urlFromId('oauth', TOKEN_ENDPOINT_PATH);
    const audience = apis.urlFromId('scim', SCIM_BASE_PATH);
    for (const fn of [token, scimAuthorizerFn]) {
      fn.addEnvironment(OAUTH_ISSUER_ENV, issuer);
      fn.addEnvironment(OAUTH_AUDIENCE_ENV, audience);
    }
    // /ServiceProviderConfig names the token endpoint among the authentication schemes; the admin API
    // shows it with the SCIM clients and in its OpenAPI description (the URL to give the identity provider).
    scim.addEnvironment(TOKEN_ENDPOINT_ENV, issuer);
    admin.addEnvironment(TOKEN_ENDPOINT_ENV, issuer);
    const restApis = apis.requireAll();
    const adminConsole = new AdminConsole(this, 'AdminConsole', {
      api: restApis.admin,
      apiBaseUrl: apis.requireBaseUrl('admin'),
      identity,
      logRetention: config.logRetention,
    });

    const waf = config.waf.enabled ? new WebAcls(this, 'Waf', { apis: restApis, limits: config.waf.limits }) : undefined;
    if (!waf) {
      for (const api of Object.values(restApis)) {
        Validations.of(api.deploymentStage).acknowledge({
          id: 'AwsSolutions-APIG3',
          reason:
            "AWS WAF left out on purpose for this deployment (-c waf=false: it costs about $30 a month); API Gateway throttling, the SCIM token authorizer, the Cognito authorizer and the token endpoint's own client authentication still guard every route.",
        });
      }
    }

    monitoring.watch({
      apis: restApis,
      ...(waf ? { webAcls: waf.metricNames } : {}),
      functions: {
        scim,
        scimAuthorizer: scimAuthorizerFn,
        admin,
        token,
        tokenExpiry: tokenExpiry.job.fn,
        membershipCleanup: cleanup.fn,
        events: events.dispatcher,
        webhookSender: events.sender,
      },
      jobs: { TokenExpiry: tokenExpiry.job, MembershipCleanup: cleanup },
      events,
    });
  }
}
