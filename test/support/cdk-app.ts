import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

const ROOT = join(__dirname, '..', '..');

/** The context of cdk.json (its feature flags): what `cdk synth` and `cdk deploy` give the app. */
export const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** An App as the CDK CLI makes it from cdk.json, writing its assembly under cdk.out/<name>. */
export function cdkApp(name: string, context: Record<string, unknown> = {}): App {
  return new App({ outdir: join(ROOT, 'cdk.out', name), context: { ...CDK_JSON_CONTEXT, ...context } });
}
