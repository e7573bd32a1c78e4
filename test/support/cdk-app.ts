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

type TemplateResource = { Properties?: Record<string, unknown>; DependsOn?: string | string[] };

/**
 * A circular dependency between a template's resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn), as
 * the ids along it, or undefined. CloudFormation refuses one at deploy time. aws-cdk-lib's own
 * template validation stops the synthesis on one too (CloudFormation-Validate F3004); this check
 * does not depend on it, and can be shown a cycle on a changed copy of a template.
 */
export function dependencyCycle(resources: Readonly<Record<string, TemplateResource>>): string[] | undefined {
  const edges = new Map<string, Set<string>>();
  const collect = (v: unknown, into: Set<string>): void => {
    if (Array.isArray(v)) for (const x of v) collect(x, into);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Ref' && typeof x === 'string' && x in resources) into.add(x);
        else if (k === 'Fn::GetAtt') into.add(String((x as string[])[0]));
        else if (k === 'Fn::Sub') {
          const text = typeof x === 'string' ? x : String((x as unknown[])[0]);
          for (const [, name] of text.matchAll(/\$\{([^}.!]+)/g)) if (name && name in resources) into.add(name);
          collect(x, into);
        } else collect(x, into);
      }
    }
  };
  for (const [id, r] of Object.entries(resources)) {
    const into = new Set<string>([r.DependsOn ?? []].flat());
    collect(r.Properties, into);
    edges.set(id, into);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycle = (id: string, path: string[]): string[] | undefined => {
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'open') return [...path, next];
      if (!state.has(next)) {
        const found = cycle(next, [...path, next]);
        if (found) return found;
      }
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const found = state.has(id) ? undefined : cycle(id, [id]);
    if (found) return found;
  }
  return undefined;
}
