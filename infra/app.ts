#!/usr/bin/env node
/**
 * The CDK app. Configuration comes from CDK context (`-c key=value` or cdk.json):
 *   stageName (prod), logRetentionDays (30), authCacheSeconds (0, at most 5),
 *   tokenRetentionDays (90), alertEmail (none), throttleRate (100), throttleBurst (200),
 *   ownerGroup (Owner), systemAdminGroup (SystemAdmin), viewerGroup (Viewer), scimExtensionsFile
 *   (none: the shipped shared/scim/schemas/extensions.json), uniqueExternalId (false),
 *   deletedRetentionDays (30), waf (true; false leaves AWS WAF out), wafAnonymousIpLimit (100),
 *   wafAnonymousLimit (1000), wafTokenIpLimit (6000), wafAdminIpLimit (500) (requests per 5 minutes),
 *   adminCallbackUrls (http://localhost:8976/callback), adminLogoutUrls (http://localhost:8976/logout)
 *   (comma-separated; the deployed admin console's URL is always added),
 *   adminDomainPrefix (none: <stack name>-admin-<account id>),
 *   eventForm (notice; full adds the resource's attributes: personal data), eventRetentionDays (30),
 *   accessTokenLifetimeSeconds (3600; 3600 to 21600: the token endpoint's access tokens).
 */
import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EVENT_FORMS, type EventForm } from '../shared/scim/events/change-event';
import { DEFAULT_CONFIG, ScimProvisioningStack, type ScimProvisioningConfig } from './stacks/scim-provisioning-stack';

export function configFromContext(app: App): ScimProvisioningConfig {
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const num = (key: string, fallback: number): number => {
    const raw = ctx(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`Context ${key} must be a non-negative number, got "${raw}"`);
    return n;
  };
  const list = (key: string, fallback: readonly string[]): string[] => {
    const raw = ctx(key);
    if (raw === undefined) return [...fallback];
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length === 0) throw new Error(`Context ${key} must list at least one URL, got "${raw}"`);
    return items;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = ctx(key);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') throw new Error(`Context ${key} must be true or false, got "${raw}"`);
    return raw === 'true';
  };
  const logDays = num('logRetentionDays', 30);
  const retention = Object.values(RetentionDays).find((v) => v === logDays);
  if (retention === undefined) throw new Error(`Context logRetentionDays=${logDays} is not a CloudWatch Logs retention value`);
  const eventForm = ctx('eventForm') ?? DEFAULT_CONFIG.eventForm;
  if (!(EVENT_FORMS as readonly string[]).includes(eventForm))
    throw new Error(`Context eventForm must be notice or full, got "${eventForm}"`);
  return {
    stageName: ctx('stageName') ?? DEFAULT_CONFIG.stageName,
    eventForm: eventForm as EventForm,
    eventRetentionDays: num('eventRetentionDays', DEFAULT_CONFIG.eventRetentionDays),
    accessTokenLifetimeSeconds: num('accessTokenLifetimeSeconds', DEFAULT_CONFIG.accessTokenLifetimeSeconds),
    logRetention: retention as RetentionDays,
    authCacheSeconds: num('authCacheSeconds', DEFAULT_CONFIG.authCacheSeconds),
    tokenRetentionDays: num('tokenRetentionDays', DEFAULT_CONFIG.tokenRetentionDays),
    alertEmail: ctx('alertEmail'),
    throttling: {
      rateLimit: num('throttleRate', DEFAULT_CONFIG.throttling.rateLimit),
      burstLimit: num('throttleBurst', DEFAULT_CONFIG.throttling.burstLimit),
    },
    ownerGroup: ctx('ownerGroup') ?? DEFAULT_CONFIG.ownerGroup,
    systemAdminGroup: ctx('systemAdminGroup') ?? DEFAULT_CONFIG.systemAdminGroup,
    viewerGroup: ctx('viewerGroup') ?? DEFAULT_CONFIG.viewerGroup,
    uniqueExternalId: ctx('uniqueExternalId') === 'true',
    deletedRetentionDays: num('deletedRetentionDays', DEFAULT_CONFIG.deletedRetentionDays),
    waf: {
      enabled: bool('waf', DEFAULT_CONFIG.waf.enabled),
      limits: {
        anonymousPerIp: num('wafAnonymousIpLimit', DEFAULT_CONFIG.waf.limits.anonymousPerIp),
        anonymousTotal: num('wafAnonymousLimit', DEFAULT_CONFIG.waf.limits.anonymousTotal),
        tokenPerIp: num('wafTokenIpLimit', DEFAULT_CONFIG.waf.limits.tokenPerIp),
        adminPerIp: num('wafAdminIpLimit', DEFAULT_CONFIG.waf.limits.adminPerIp),
      },
    },
    adminCallbackUrls: list('adminCallbackUrls', DEFAULT_CONFIG.adminCallbackUrls),
    adminLogoutUrls: list('adminLogoutUrls', DEFAULT_CONFIG.adminLogoutUrls),
    ...(ctx('adminDomainPrefix') ? { adminDomainPrefix: String(ctx('adminDomainPrefix')) } : {}),
    ...(ctx('scimExtensionsFile') ? { scimExtensionsJson: readFileSync(String(ctx('scimExtensionsFile')), 'utf8') } : {}),
  };
}

if (require.main === module) {
  const app = new App();
  // Every synth and deploy is checked: a finding without an acknowledgment (Validations.of(construct)
  // .acknowledge, next to the resource, with its reason) stops the synthesis with a report.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  new ScimProvisioningStack(app, app.node.tryGetContext('stackName') ?? 'ScimProvisioning', configFromContext(app), {
    description: 'SCIM 2.0 provisioning service',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
}
