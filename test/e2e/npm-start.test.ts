import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/local/dynamodb-local';

const root = join(__dirname, '..', '..');
const tsxCli = require.resolve('tsx/cli');

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`timed out waiting for ${pattern}: ${out}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        ok(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`exited with ${code}: ${out}`));
    });
  });
}

const portOpen = (port: number): Promise<boolean> =>
  new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });

describe('npm start', () => {
  it('serves the API, prints and writes the URLs and admin JWT, and Ctrl-C stops Java too', async () => {
    const localDir = await mkdtemp(join(tmpdir(), 'scim-start-'));
    const port = await freePort();
    const child = spawn(process.execPath, [tsxCli, 'infra/local/start.ts', '--in-memory'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), SCIM_LOCAL_DIR: localDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await waitForOutput(child, /Ctrl-C stops everything/);
      const scimBaseUrl = `http://127.0.0.1:${port}/api/scim/v2`;
      expect(out).toContain(`SCIM base URL:  ${scimBaseUrl}`);
      expect(out).toContain(`Admin API:      http://127.0.0.1:${port}/api/admin/v1`);
      const dev = JSON.parse(await readFile(join(localDir, 'dev.json'), 'utf8')) as Record<string, string>;
      expect(dev).toEqual({ scimBaseUrl, adminBaseUrl: `http://127.0.0.1:${port}/api/admin/v1`, adminToken: expect.any(String) });
      expect(out).toContain(dev.adminToken);
      const dbPort = Number(/DynamoDB Local: http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      expect(await portOpen(dbPort)).toBe(true);

      const res = await fetch(`${scimBaseUrl}/ServiceProviderConfig`);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/scim+json');

      const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await portOpen(dbPort)).toBe(false);
      expect(await portOpen(port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(localDir, { recursive: true, force: true });
    }
  });

  it('says in one line how to install Java when it is missing', () => {
    const result = spawnSync(process.execPath, [tsxCli, 'infra/local/start.ts', '--in-memory'], {
      cwd: root,
      env: { ...process.env, PATH: '/nonexistent', SCIM_LOCAL_DIR: join(tmpdir(), 'scim-nojava') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('Warning'));
    expect(lines).toEqual([expect.stringContaining('apt-get install -y openjdk-17-jre-headless')]);
  });
});
