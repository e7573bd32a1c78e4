import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { Template } from 'aws-cdk-lib/assertions';
import { bundleFunctions, EMPTY_BASELINE, type BuiltBundle } from '../../infra/bundle';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';
import { CDK_HANDLER_ID, cdkApp } from '../support/cdk-app';
import { FUNCTIONS } from '../../infra/functions';
import { childEnv, DEPLOYED_ENV } from '../bench/cold-start';

const run = promisify(execFile);
/** The SDK packages the functions use; they must be inside each bundle, never required at run time. */
const BUNDLED = /^(@aws-sdk\/client-dynamodb|@aws-sdk\/lib-dynamodb|@aws-sdk\/client-sns|@smithy\/)/;

describe('function bundles (infra/bundle.ts)', () => {
  let outDir: string;
  let bundles: Record<string, BuiltBundle>;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'scim-bundles-'));
    bundles = await bundleFunctions(outDir);
  }, 60_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('are byte for byte the code CDK deploys', async () => {
    const app = cdkApp('test-bundle');
    const stack = new ScimProvisioningStack(app, 'BundleTest', DEFAULT_CONFIG);
    const dir = app.synth().directory;
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    // (Not CDK's two deploy-time handlers of the console bucket: CDK ships their code.)
    const fns = Object.entries(resources)
      .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !CDK_HANDLER_ID.test(id))
      .map(([, r]) => r);
    expect(fns).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const [key, spec] of Object.entries(FUNCTIONS)) {
      const fn = fns.find((f) => f.Properties.Description === spec.description);
      const asset = join(dir, `asset.${String((fn?.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`);
      const deployed = await readFile(join(asset, 'index.js'));
      const measured = await readFile(bundles[key]?.file ?? '');
      expect({ key, same: deployed.equals(measured) }).toEqual({ key, same: true });
      expect((await readdir(asset)).sort()).toEqual(['index.js', 'index.js.map']);
    }
  }, 60_000);

  it('are CommonJS modules whose handler is `exports.handler`, as the Lambda runtime loads them', async () => {
    const script = 'const m = require(process.argv[1]); process.stdout.write(String(Object.keys(m)));';
    const b = bundles.scim;
    const { stdout } = await run(process.execPath, ['-e', script, String(b?.file)], { cwd: tmpdir(), env: childEnv(DEPLOYED_ENV) });
    expect(stdout.split(',')).toContain('handler');
  });

  it('builds one minified index.js with a metafile for every function, and the empty baseline', async () => {
    expect(Object.keys(bundles).sort()).toEqual([...Object.keys(FUNCTIONS), EMPTY_BASELINE].sort());
    for (const [key, b] of Object.entries(bundles)) {
      expect(b.file).toBe(join(outDir, key, 'index.js'));
      expect(b.bytes).toBeGreaterThan(10_000);
      expect(b.inputs).toBeGreaterThan(10);
      const code = await readFile(b.file, 'utf8');
      expect(code.length).toBe(b.bytes); // ASCII output
      // Minified: few, long lines (a readable bundle has tens of thousands).
      expect(code.split('\n').length).toBeLessThan(200);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
      const meta = JSON.parse(await readFile(join(outDir, key, 'meta.json'), 'utf8')) as Metafile;
      expect(Object.keys(meta.inputs)).toHaveLength(b.inputs);
    }
  });

  it('carries the AWS SDK inside: no bundle requires an SDK or Smithy package at run time', async () => {
    for (const [key, b] of Object.entries(bundles)) {
      const meta = JSON.parse(await readFile(b.metafile, 'utf8')) as Metafile;
      const externals = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
      expect({ key, sdk: externals.filter((p) => BUNDLED.test(p)) }).toEqual({ key, sdk: [] });
      // Every external left is a Node.js built-in.
      expect({ key, other: externals.filter((p) => !p.startsWith('node:')) }).toEqual({ key, other: [] });
      // Nor in the code (the SDK's error messages quote `[require("@aws-sdk/signature-v4-crt");]`: not a call).
      const code = await readFile(b.file, 'utf8');
      const calls = [...code.matchAll(/(?<!\[)\brequire\(["'`](@aws-sdk\/|@smithy\/)[^"'`]*/g)].map((m) => m[0]);
      expect({ key, calls }).toEqual({ key, calls: [] });
    }
  });

  it('each bundle loads in a fresh node process, away from node_modules, and exports a handler function', async () => {
    const script = 'const m = require(process.argv[1]); process.stdout.write(typeof m.handler);';
    for (const [key, b] of Object.entries(bundles)) {
      const { stdout } = await run(process.execPath, ['-e', script, b.file], {
        cwd: tmpdir(),
        env: childEnv(DEPLOYED_ENV),
        timeout: 20_000,
      });
      expect({ key, handler: stdout }).toEqual({ key, handler: 'function' });
    }
  }, 60_000);
});
