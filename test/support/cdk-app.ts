import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';

const ROOT = join(__dirname, '..', '..');

/** The context of cdk.json (its feature flags): what `cdk synth` and `cdk deploy` give the app. */
export const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** Context that makes CDK bundle assets as `cdk synth` does (the admin console's Vite build). */
export const WITH_BUNDLING: Record<string, unknown> = { [BUNDLING_STACKS]: ['**'] };

/**
 * An App as the CDK CLI makes it from cdk.json, writing its assembly under cdk.out/<name>. CDK
 * bundling (the admin console's Vite build, about a second per stack) is skipped unless the test
 * asks for it with WITH_BUNDLING: the template is the same but for that asset's name, and the
 * asset holds the console's sources instead of its build. (The functions are bundled either way:
 * by infra/bundle.ts, not by CDK bundling.)
 */
export function cdkApp(name: string, context: Record<string, unknown> = {}): App {
  return new App({ outdir: join(ROOT, 'cdk.out', name), context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...context } });
}

/**
 * The logical ids of the Lambda functions CDK adds itself for the admin console's bucket, run only
 * while CloudFormation deploys: the handler of its BucketDeployment and of the bucket's auto-delete.
 * They are not the project's functions (infra/functions.ts) and have none of their defaults.
 */
export const CDK_HANDLER_ID = /^Custom(CDKBucketDeployment|S3AutoDeleteObjects)/;
