/**
 * The bundles' SDK credentials: the role's, from the environment Lambda sets, and nothing of the
 * default chain's other links (SSO, ini files, STS clients), which were a fifth of every bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../infra/bundle';

const SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: 'eu-west-1' });
client.config.credentials().then(
  (c) => console.log(JSON.stringify({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken })),
  (e) => console.log(JSON.stringify({ error: e.name })),
);
`;

describe('bundled SDK credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'creds-'));
  const file = join(dir, 'index.js');
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [],
    alias: { ...BUNDLE_OPTIONS.alias },
    stdin: { contents: SOURCE, resolveDir: join(__dirname, '..', '..'), loader: 'ts' },
    absWorkingDir: join(__dirname, '..', '..'),
    outfile: file,
    logLevel: 'silent',
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (env: Record<string, string>): Record<string, unknown> =>
    JSON.parse(execFileSync(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } }).toString()) as Record<
      string,
      unknown
    >;

  it("are the ones in Lambda's environment (the function role's session)", () => {
    expect(run({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' })).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'session',
    });
    expect(run({})).toEqual({ error: 'CredentialsProviderError' });
  });

  it('leave out the providers Lambda never reaches', () => {
    const inputs = Object.keys(result.metafile?.inputs ?? {});
    expect(inputs.some((f) => f.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
    for (const absent of ['credential-provider-ini', 'credential-provider-sso', 'credential-provider-node/', 'nested-clients']) {
      expect([absent, inputs.filter((f) => f.includes(absent))]).toEqual([absent, []]);
    }
  });
});
