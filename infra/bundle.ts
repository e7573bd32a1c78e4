/**
 * The one way a function is bundled. The CDK construct (infra/constructs/project-function.ts)
 * builds each function's asset with `bundleFunctionSync`, `npm start` and the benchmark build the
 * same bundles with `bundleFunctions`: what runs locally and what is measured is what is deployed.
 */
import { build, buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionKey } from './functions';

/** The project root (this file is infra/bundle.ts). Not taken from project-function.ts, to keep aws-cdk-lib out. */
const ROOT = join(__dirname, '..');

/**
 * esbuild options of every function: one minified CommonJS file for Node.js 24 with a linked source
 * map (without sources), the AWS SDK v3 inside (nothing external), preferring ES modules, which
 * esbuild tree-shakes far better than the SDK's CommonJS builds. The metafile is written beside the
 * bundle (`meta.json`) and is not part of a deployed asset.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: [],
  metafile: true,
  // Lambda's credentials come from its environment: the SDK's default chain without the links Lambda never reaches.
  alias: { '@aws-sdk/credential-provider-node': './shared/lambda-credentials.ts' },
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
  /** Only these FUNCTIONS keys (default: all). */
  only?: string[];
  /** Also build the empty baseline (default: true; the benchmark compares against it). */
  baseline?: boolean;
}

/** What to bundle: a file, or (for the baseline) source text resolved from the project root. */
type BundleSource = Pick<BuildOptions, 'entryPoints' | 'stdin'>;

/** Every build asks for a metafile (BUNDLE_OPTIONS.metafile). */
function metafileOf(meta: Metafile | undefined): Metafile {
  if (!meta) throw new Error('esbuild returned no metafile');
  return meta;
}

/** The options of one build: the shared ones, the entry, where it goes, and any build-time constants. */
function optionsFor(file: string, source: BundleSource, define: Record<string, string> | undefined): BuildOptions {
  return {
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    alias: { ...BUNDLE_OPTIONS.alias },
    ...source,
    outfile: file,
    absWorkingDir: ROOT,
    logLevel: 'warning',
    ...(define ? { define } : {}),
  };
}

/**
 * Builds one function synchronously into `<dir>/index.js` (+ `.map`), as CDK needs it while a
 * construct is made; the metafile goes to `<metaDir>/meta.json`, outside the asset.
 */
export function bundleFunctionSync(key: FunctionKey, dir: string, metaDir: string, define?: Record<string, string>): BuiltBundle {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(metaDir, { recursive: true });
  const file = join(dir, 'index.js');
  const result = buildSync(optionsFor(file, { entryPoints: [join(ROOT, FUNCTIONS[key].entry)] }, define));
  const meta = metafileOf(result.metafile);
  const metafile = join(metaDir, 'meta.json');
  writeFileSync(metafile, JSON.stringify(meta));
  return { file, bytes: statSync(file).size, inputs: Object.keys(meta.inputs).length, metafile };
}

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
  const result = await build(optionsFor(file, source, define));
  const meta = metafileOf(result.metafile);
  const metafile = join(dir, 'meta.json');
  await writeFile(metafile, JSON.stringify(meta));
  return { file, bytes: (await stat(file)).size, inputs: Object.keys(meta.inputs).length, metafile };
}

/**
 * Builds every function of FUNCTIONS (or `options.only`) into `<outDir>/<key>/index.js` (+ `.map`,
 * + `meta.json`), and the empty baseline into `<outDir>/empty-baseline/` (unless `baseline: false`). The bundles are
 * self-contained: they run from any directory, without node_modules.
 */
export async function bundleFunctions(outDir: string, options: BundleFunctionsOptions = {}): Promise<Record<string, BuiltBundle>> {
  const keys = Object.keys(FUNCTIONS) as FunctionKey[];
  const unknown = (options.only ?? []).filter((k) => !(keys as string[]).includes(k));
  if (unknown.length > 0) throw new Error(`Unknown function(s) ${unknown.join(', ')}; known: ${keys.join(', ')}`);
  const selected = options.only ? keys.filter((k) => options.only?.includes(k)) : keys;

  const sources: [string, BundleSource][] = [
    ...selected.map((key): [string, BundleSource] => [key, { entryPoints: [join(ROOT, FUNCTIONS[key].entry)] }]),
    ...(options.baseline === false
      ? []
      : [
          [EMPTY_BASELINE, { stdin: { contents: BASELINE_SOURCE, loader: 'ts', resolveDir: ROOT, sourcefile: 'empty-baseline.ts' } }] as [
            string,
            BundleSource,
          ],
        ]),
  ];
  const builds = sources.map(async ([key, source]): Promise<[string, BuiltBundle]> => [
    key,
    await buildOne(outDir, key, source, options.define),
  ]);
  return Object.fromEntries(await Promise.all(builds));
}
