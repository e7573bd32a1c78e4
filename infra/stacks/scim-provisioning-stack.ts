import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ADMIN_ROLES_ENV, SCIM_ENDPOINT_ENV } from '../../functions/admin/config';
import { AUTH_CACHE_SECONDS_ENV, DEFAULT_AUTH_CACHE_SECONDS } from '../../functions/scim-authorizer/config';
import { DELETED_RETENTION_DAYS_ENV, UNIQUE_EXTERNAL_ID_ENV } from '../../functions/scim/config';
import { RETENTION_DAYS_ENV } from '../../functions/token-expiry/config';
import { DEFAULT_DELETED_RETENTION_DAYS } from '../../shared/scim/limits';
import { ROUTES } from '../../shared/http/routes';
import { configuredExtensions } from '../../shared/scim/schemas/registry';
import { AdminIdentity } from '../constructs/admin-identity';
import { Monitoring } from '../constructs/monitoring';
import { ProjectFunction } from '../constructs/project-function';
import { RestApis } from '../constructs/rest-apis';
import { ScheduledJob } from '../constructs/scheduled-job';
import { ScimTable } from '../constructs/table';
import { TokenExpiry } from '../constructs/token-expiry';

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
  /** Custom SCIM schema extensions (the content of an extensions JSON file); default: the one in shared/. */
  scimExtensionsJson?: string;
  /** Refuse a second user or group with the same externalId (409). */
  uniqueExternalId?: boolean;
  /** Days a deleted user's record (personal data included) is kept for a restore by the same identity, then erased. */
  deletedRetentionDays: number;
}

export const DEFAULT_CONFIG: ScimProvisioningConfig = {
  stageName: 'prod',
  logRetention: RetentionDays.ONE_MONTH,
  authCacheSeconds: DEFAULT_AUTH_CACHE_SECONDS,
  tokenRetentionDays: 90,
  throttling: { rateLimit: 100, burstLimit: 200 },
  ownerGroup: 'Owner',
  systemAdminGroup: 'SystemAdmin',
  deletedRetentionDays: DEFAULT_DELETED_RETENTION_DAYS,
};

export class ScimProvisioningStack extends Stack {
  constructor(scope: Construct, id: string, config: ScimProvisioningConfig, props?: StackProps) {
    super(scope, id, props);
    if (config.authCacheSeconds < 0 || config.authCacheSeconds > 5) {
      throw new Error(`authCacheSeconds must be 0 to 5 (the revocation delay), got ${config.authCacheSeconds}`);
    }
    const { table } = new ScimTable(this, 'Data');
    const common = { table, logRetention: config.logRetention };
    const monitoring = new Monitoring(this, 'Monitoring', {
      logRetention: config.logRetention,
      ...(config.alertEmail ? { alertEmail: config.alertEmail } : {}),
    });

    if (config.scimExtensionsJson !== undefined) configuredExtensions(config.scimExtensionsJson); // fail at synth on bad config
    const scim = new ProjectFunction(this, 'ScimFunction', {
      ...common,
      function: 'scim',
      environment: {
        [UNIQUE_EXTERNAL_ID_ENV]: String(config.uniqueExternalId === true),
        [DELETED_RETENTION_DAYS_ENV]: String(config.deletedRetentionDays),
      },
      ...(config.scimExtensionsJson !== undefined
        ? { define: { 'process.env.SCIM_EXTENSIONS_JSON': JSON.stringify(config.scimExtensionsJson) } }
        : {}),
    });
    const scimAuthorizerFn = new ProjectFunction(this, 'ScimAuthorizerFunction', {
      ...common,
      function: 'scimAuthorizer',
      environment: { [AUTH_CACHE_SECONDS_ENV]: String(config.authCacheSeconds) },
    });
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

    const identity = new AdminIdentity(this, 'AdminIdentity', {
      ownerGroup: config.ownerGroup,
      systemAdminGroup: config.systemAdminGroup,
    });
    const admin = new ProjectFunction(this, 'AdminFunction', {
      ...common,
      function: 'admin',
      environment: { [ADMIN_ROLES_ENV]: identity.roles.join(','), [RETENTION_DAYS_ENV]: String(config.tokenRetentionDays) },
    });

    const apis = new RestApis(this, 'Apis', {
      routes: ROUTES,
      functions: { scim, admin },
      authorizers: { scimToken, adminJwt: identity.authorizer },
      stageName: config.stageName,
      throttling: config.throttling,
      stageOptions: (api) => monitoring.stageOptions(api),
    });
    // The admin API shows the SCIM endpoint that administrators give their identity provider.
    admin.addEnvironment(SCIM_ENDPOINT_ENV, apis.requireBaseUrl('scim'));

    monitoring.watch({
      apis: { scim: apis.requireApi('scim'), admin: apis.requireApi('admin') },
      functions: { scim, scimAuthorizer: scimAuthorizerFn, admin, tokenExpiry: tokenExpiry.job.fn, membershipCleanup: cleanup.fn },
      jobs: { TokenExpiry: tokenExpiry.job, MembershipCleanup: cleanup },
    });
  }
}
