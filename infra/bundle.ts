/**
 * The one definition of how a function is bundled. The CDK construct (infra/constructs/project-function.ts)
 * hands these options to NodejsFunction, and the benchmark builds the same bundles locally with
 * `bundleFunctions` to measure their size and cold init time.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionKey } from './functions';

/** The project root (this file is infra/bundle.ts). Not taken from project-function.ts, to keep aws-cdk-lib out. */
const ROOT = join(__dirname, '..');

/**
 * esbuild options of every function: one minified CommonJS file for Node.js 22 with a linked source
 * map (without sources), the AWS SDK v3 inside (nothing external), preferring ES modules, which
 * esbuild tree-shakes far better than the SDK's CommonJS builds. `metafile` is for the benchmark:
 * CDK writes no metafile (its own `metafile: false`).
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: [],
  metafile: true,
} as const satisfies BuildOptions;

/** Key of the reference bundle: a handler that only builds a DynamoDB document client. */
export const EMPTY_BASELINE = 'empty-baseline';

const BASELINE_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => ({ statusCode: 200, body: '' });
export { db };
`;

export interface BuiltBundle {
  /** Absolute path of the minified `index.js` (its `index.js.map` and `meta.json` sit next to it). */
  file: string;
  /** Size of `index.js` in bytes, without the source map. */
  bytes: number;
  /** Number of input files in the bundle (from the metafile). */
  inputs: number;
  /** Absolute path of the esbuild metafile (`meta.json`). */
  metafile: string;
}

export interface BundleFunctionsOptions {
  /** Build-time constants, as the stack passes them to a function (esbuild define). */
  define?: Record<string, string>;
  /** Only these FUNCTIONS keys (default: all). The empty baseline is always built. */
  only?: string[];
}

/** What to bundle: a file, or (for the baseline) source text resolved from the project root. */
type BundleSource = Pick<BuildOptions, 'entryPoints' | 'stdin'>;

async function buildOne(
  outDir: string,
  key: string,
  source: BundleSource,
  define: Record<string, string> | undefined,
): Promise<BuiltBundle> {
  const dir = join(outDir, key);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.js');
  const result = await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    ...source,
    outfile: file,
    absWorkingDir: ROOT,
    logLevel: 'warning',
    ...(define ? { define } : {}),
  });
  const meta: Metafile = result.metafile;
  const metafile = join(dir, 'meta.json');
  await writeFile(metafile, JSON.stringify(meta));
  return { file, bytes: (await stat(file)).size, inputs: Object.keys(meta.inputs).length, metafile };
}

/**
 * Builds every function of FUNCTIONS (or `options.only`) into `<outDir>/<key>/index.js` (+ `.map`,
 * + `meta.json`), and the empty baseline into `<outDir>/empty-baseline/`. The bundles are
 * self-contained: they run from any directory, without node_modules.
 */
export async function bundleFunctions(outDir: string, options: BundleFunctionsOptions = {}): Promise<Record<string, BuiltBundle>> {
  const keys = Object.keys(FUNCTIONS) as FunctionKey[];
  const unknown = (options.only ?? []).filter((k) => !(keys as string[]).includes(k));
  if (unknown.length > 0) throw new Error(`Unknown function(s) ${unknown.join(', ')}; known: ${keys.join(', ')}`);
  const selected = options.only ? keys.filter((k) => options.only?.includes(k)) : keys;

  const sources: [string, BundleSource][] = [
    ...selected.map((key): [string, BundleSource] => [key, { entryPoints: [join(ROOT, FUNCTIONS[key].entry)] }]),
    [EMPTY_BASELINE, { stdin: { contents: BASELINE_SOURCE, loader: 'ts', resolveDir: ROOT, sourcefile: 'empty-baseline.ts' } }],
  ];
  const builds = sources.map(async ([key, source]): Promise<[string, BuiltBundle]> => [
    key,
    await buildOne(outDir, key, source, options.define),
  ]);
  return Object.fromEntries(await Promise.all(builds));
}
