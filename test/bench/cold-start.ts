/**
 * Cold init time of the function bundles: the time `require()` of a bundle takes in a fresh Node.js
 * process, measured inside that process (the module's own init, as a Lambda cold start pays it,
 * without Node.js's boot). One process after the other, so that runs do not compete for the cores.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What every function needs to initialise, and nothing that would reach a network: fixed
 * credentials and region so that the SDK clients need not look for them (they would not at
 * init anyway), the table name the handlers validate at cold start, and quiet logs.
 */
export const BASE_ENV: Readonly<Record<string, string>> = {
  TABLE_NAME: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

/**
 * The rest of the environment the stack gives the deployed functions (infra/stacks, infra/constructs),
 * so that each builds at init what it builds in AWS, e.g. token-expiry its SNS client. Pass it as
 * `env` to measure the deployed configuration; add `NODE_OPTIONS: '--enable-source-maps'` (which the
 * stack also sets) to include the cost of loading the source map.
 */
export const DEPLOYED_ENV: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: 'scim-provisioning',
  SCIM_AUTH_CACHE_SECONDS: '0',
  ADMIN_ROLES: 'Owner,SystemAdmin',
  SCIM_ENDPOINT: 'https://example.execute-api.us-east-1.amazonaws.com/prod/api/scim/v2',
  EXPIRY_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench-expiry-warnings',
  TOKEN_RETENTION_DAYS: '90',
  EVENT_BUS_NAME: 'bench-change-events',
  DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-deliveries.fifo',
  EVENT_FORM: 'notice',
  // The access tokens' signing key (KMS: nothing is called at init, the public key is read at the first access token).
  OAUTH_SIGNING_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000',
  OAUTH_ISSUER: 'https://example2.execute-api.us-east-1.amazonaws.com/prod/api/oauth2/token',
  OAUTH_AUDIENCE: 'https://example.execute-api.us-east-1.amazonaws.com/prod/api/scim/v2',
  OAUTH_TOKEN_ENDPOINT: 'https://example2.execute-api.us-east-1.amazonaws.com/prod/api/oauth2/token',
  EVENT_RETENTION_DAYS: '30',
};

export interface ColdInit {
  /** Median time of `require()` of the bundle, in milliseconds. */
  medianMs: number;
  /** 90th percentile (nearest rank), in milliseconds. */
  p90Ms: number;
  runs: number;
}

/** A script for `node -e`: requires the bundle, checks it exports a handler, prints the milliseconds. */
export function initScript(file: string): string {
  return [
    'const t0 = process.hrtime.bigint();',
    `const m = require(${JSON.stringify(file)});`,
    'const t1 = process.hrtime.bigint();',
    "if (typeof m.handler !== 'function') throw new Error('the bundle exports no handler function');",
    'process.stdout.write(String(Number(t1 - t0) / 1e6));',
  ].join('\n');
}

/** The environment of a child: only what is named, so the parent's (e.g. DYNAMODB_ENDPOINT, NODE_OPTIONS) cannot leak in. */
export function childEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...BASE_ENV, ...env };
}

/** Requires `file` once in a fresh `node` process and returns its init time in milliseconds. */
export async function coldInitOnce(file: string, env: Record<string, string> = {}): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', initScript(file)], {
    env: childEnv(env),
    // Not the project directory: a bundle must not find node_modules to lean on.
    cwd: tmpdir(),
    timeout: 60_000,
    maxBuffer: 1024 * 1024,
  });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`Unexpected output from the init of ${file}: ${JSON.stringify(stdout)}`);
  return ms;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? NaN) + hi) / 2;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * For each bundle, `runs` fresh processes, one after the other; the bundles take turns (round
 * robin) so that a burst of load on the machine spreads over all of them instead of skewing one.
 */
export async function measureColdInit(
  bundles: Record<string, { file: string }>,
  options: { runs: number; env: Record<string, string> },
): Promise<Record<string, ColdInit>> {
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`runs must be a whole number >= 1, got ${options.runs}`);
  const keys = Object.keys(bundles);
  const samples = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (let i = 0; i < options.runs; i++) {
    for (const key of keys) {
      const bundle = bundles[key];
      if (bundle) samples.get(key)?.push(await coldInitOnce(bundle.file, options.env));
    }
  }
  return Object.fromEntries(
    keys.map((key) => {
      const sorted = [...(samples.get(key) ?? [])].sort((a, b) => a - b);
      return [key, { medianMs: round(median(sorted)), p90Ms: round(percentile(sorted, 90)), runs: sorted.length }];
    }),
  );
}
