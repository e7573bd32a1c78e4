import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
