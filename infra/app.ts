#!/usr/bin/env node
/**
 * The CDK app. Configuration comes from CDK context (`-c key=value` or cdk.json):
 *   stageName (prod), logRetentionDays (30), authCacheSeconds (0, at most 5),
 *   tokenRetentionDays (90), alertEmail (none), throttleRate (100), throttleBurst (200),
 *   ownerGroup (Owner), systemAdminGroup (SystemAdmin), scimExtensionsFile (none: the shipped
 *   shared/scim/schemas/extensions.json), uniqueExternalId (false), deletedRetentionDays (30).
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
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
  const logDays = num('logRetentionDays', 30);
  const retention = Object.values(RetentionDays).find((v) => v === logDays);
  if (retention === undefined) throw new Error(`Context logRetentionDays=${logDays} is not a CloudWatch Logs retention value`);
  return {
    stageName: ctx('stageName') ?? DEFAULT_CONFIG.stageName,
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
    uniqueExternalId: ctx('uniqueExternalId') === 'true',
    deletedRetentionDays: num('deletedRetentionDays', DEFAULT_CONFIG.deletedRetentionDays),
    ...(ctx('scimExtensionsFile') ? { scimExtensionsJson: readFileSync(String(ctx('scimExtensionsFile')), 'utf8') } : {}),
  };
}

if (require.main === module) {
  const app = new App();
  new ScimProvisioningStack(app, app.node.tryGetContext('stackName') ?? 'ScimProvisioning', configFromContext(app), {
    description: 'SCIM 2.0 provisioning service',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
}
