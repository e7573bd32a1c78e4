import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

describe('npx cdk synth', () => {
  it('works without AWS credentials or network', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cdk-synth-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')));
    try {
      await run('npx', ['cdk', 'synth', '--quiet', '--output', out], {
        cwd: root,
        env: {
          ...env,
          CDK_DISABLE_CLI_TELEMETRY: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        timeout: 110_000,
      });
      expect(await readdir(out)).toContain('ScimProvisioning.template.json');

      // The admin console is built by CDK's local bundling (Vite, no Docker): its asset is the build.
      const template = JSON.parse(await readFile(join(out, 'ScimProvisioning.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: { SourceObjectKeys?: string[] } }>;
      };
      const deployment = Object.values(template.Resources).find((r) => r.Type === 'Custom::CDKBucketDeployment');
      const consoleAsset = join(out, `asset.${String(deployment?.Properties.SourceObjectKeys?.[0]).replace(/\.zip$/, '')}`);
      const index = await readFile(join(consoleAsset, 'index.html'), 'utf8');
      // Every script is a file of its own (the CSP allows no inline script), under the hashed assets.
      const scripts = [...index.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toMatch(/ src="\.\/assets\/[^"]+\.js"/);
      expect(index).not.toMatch(/<style\b/);
      expect((await readdir(join(consoleAsset, 'assets'))).some((f) => f.endsWith('.js'))).toBe(true);
      expect(await readdir(consoleAsset)).not.toContain('src');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
