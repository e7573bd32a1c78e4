import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  it('serves the API, prints and writes the URLs and admin JWT, logs each request, and Ctrl-C stops Java too', async () => {
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

      expect(out).toContain(`OpenAPI:        http://127.0.0.1:${port}/api/admin/v1/openapi.json`);

      let logged = '';
      child.stdout?.on('data', (d: Buffer) => (logged += d.toString()));
      const res = await fetch(`${scimBaseUrl}/ServiceProviderConfig`, { headers: { Authorization: 'Bearer scim_nope' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/scim+json');
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(await home.json()).toMatchObject({ scim: scimBaseUrl, openApi: `http://127.0.0.1:${port}/api/admin/v1/openapi.json` });
      await new Promise((r) => setTimeout(r, 200));
      expect(logged).toMatch(/\d{2}:\d{2}:\d{2}\.\d{3} GET \/api\/scim\/v2\/ServiceProviderConfig 401 \d+ms\n/);
      expect(logged).not.toContain('scim_nope');

      const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(logged).toContain('Stopped: the local gateway and DynamoDB Local are down.');
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

  it('stops at once on a Node.js older than 24, saying in one line which version is needed', () => {
    // A Node.js 20 as the machines ship: the check runs first in npm start, npm test, npm run bench and npm run admin.
    const fake = join(tmpdir(), `node20-${process.pid}.js`);
    writeFileSync(fake, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");
    try {
      const result = spawnSync(process.execPath, ['-r', fake, 'infra/local/check-node.js'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([
        'This project needs Node.js 24 or later (>=24); this is Node.js 20.20.2. Install Node.js 24 (e.g. `nvm install`, which reads .nvmrc) and run the command again.',
      ]);
      expect(spawnSync(process.execPath, ['infra/local/check-node.js'], { cwd: root }).status).toBe(0);
    } finally {
      rmSync(fake, { force: true });
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const script of ['start', 'test', 'bench', 'admin']) expect(pkg.scripts[script]).toMatch(/^node infra\/local\/check-node\.js && /);
  });

  // The machine's own Node.js, when it is an older one (CI machines ship Node.js 20): the real `npm start` and `npm test`.
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
    const r = spawnSync(p, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' });
    return r.status === 0 && Number(r.stdout.trim()) < 24;
  });
  (systemNode ? it : it.skip)("npm start and npm test under the machine's older Node.js stop before doing anything", () => {
    const dir = join(String(systemNode), '..');
    for (const script of ['start', 'test']) {
      const started = Date.now();
      const result = spawnSync('npm', [script, '--silent'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:/usr/bin:/bin` },
        timeout: 30_000,
      });
      expect({ script, status: result.status }).toEqual({ script, status: 1 });
      expect(result.stderr).toMatch(/^This project needs Node\.js 24 or later \(>=24\); this is Node\.js \d+\./m);
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  });
});
