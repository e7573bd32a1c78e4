/**
 * The operator CLI against the local stack: what an operator types and reads, the token value
 * printed once (or only into a file readable by its owner), and one-line errors with a non-zero exit.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processIo, runAdmin, type CliIo } from '../../infra/cli/admin';
import { startTestStack, type TestStack } from '../support/local-stack';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const tsxCli = require.resolve('tsx/cli');

describe('npm run admin', () => {
  let stack: TestStack;
  let work: string;

  /** Runs one command in this process against the test stack's .local folder; collects its output. */
  const admin = async (...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { ...processIo(stack.localDir), out: (l) => out.push(l), err: (l) => err.push(l), env: {} };
    return { code: await runAdmin(argv, io), out, err };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    work = await mkdtemp(join(tmpdir(), 'scim-cli-'));
  });
  afterAll(async () => {
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('prints its help', async () => {
    const r = await admin('--help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/provisioning status[\s\S]*tokens create --name N[\s\S]*audit \[--since ISO\] \[--limit N\]/);
  });

  it('enables provisioning and shows the SCIM endpoint', async () => {
    let r = await admin('provisioning', 'status');
    expect(r).toEqual({
      code: 0,
      out: ['Provisioning: disabled', `SCIM endpoint: ${stack.scimBaseUrl}`, 'Tokens:', '  (no tokens)'],
      err: [],
    });
    r = await admin('provisioning', 'enable');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('Provisioning: enabled');
  });

  it('creates a token and prints its value once, clearly marked; the list never shows it', async () => {
    const r = await admin('tokens', 'create', '--name', 'Okta');
    expect(r.code).toBe(0);
    const marker = r.out.findIndex((l) => l.startsWith('=== SCIM TOKEN: shown once'));
    expect(marker).toBeGreaterThan(0);
    const value = r.out[marker + 1] ?? '';
    expect(value).toMatch(/^scim_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/);
    expect(r.out.filter((l) => l.includes(value))).toHaveLength(1);
    const scim = await fetch(`${stack.scimBaseUrl}/Users`, { headers: { Authorization: `Bearer ${value}` } });
    expect(scim.status).toBe(200);

    const list = await admin('tokens', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toHaveLength(1);
    expect(list.out[0]).toMatch(/Okta {2}Active {2}expires \d{4}-\d{2}-\d{2}/);
    expect(list.out.join('\n')).not.toContain(value.slice(22));
  });

  it('creates a token valid --days days, and refuses a lifetime outside 1 to 365', async () => {
    const r = await admin('tokens', 'create', '--name', 'Short', '--days', '30');
    expect(r.code).toBe(0);
    const expected = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    expect(r.out[0]).toMatch(
      new RegExp(
        `"Short", valid until (${expected}|${new Date(Date.now() + 30 * 24 * 3600 * 1000 + 60_000).toISOString().slice(0, 10)})\\.`,
      ),
    );
    expect(await admin('tokens', 'create', '--name', 'Long', '--days', '366')).toEqual({
      code: 2,
      out: [],
      err: ['Error: tokens create --days takes a whole number of days from 1 to 365.'],
    });
    const id = String(r.out[0]?.match(/Created token (\S+)/)?.[1]);
    expect((await admin('tokens', 'delete', id)).code).toBe(0);
  });

  it('writes the value only to --out, readable only by its owner, and never over an existing file', async () => {
    const file = join(work, 'entra.token');
    const r = await admin('tokens', 'create', '--name', 'Entra', '--out', file);
    expect(r.code).toBe(0);
    const value = (await readFile(file, 'utf8')).trim();
    expect(value).toMatch(/^scim_/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(r.out.join('\n')).not.toContain(value);
    expect(r.out.join('\n')).toContain(`Its value is in ${file}`);

    // An existing file is never overwritten, and no token is created whose value would have nowhere to go.
    await writeFile(join(work, 'taken'), 'keep me');
    const before = (await admin('audit', '--limit', '500')).out.length;
    const taken = await admin('tokens', 'create', '--name', 'Third', '--out', join(work, 'taken'));
    expect(taken).toEqual({
      code: 1,
      out: [],
      err: [`Error: Cannot write the token to ${join(work, 'taken')}: it exists already. No token was created.`],
    });
    expect(await readFile(join(work, 'taken'), 'utf8')).toBe('keep me');
    expect((await admin('audit', '--limit', '500')).out.length).toBe(before + 1); // only the audit read itself

    // Two tokens exist already: the API refuses, and the file made for it is gone again.
    const third = await admin('tokens', 'create', '--name', 'Third', '--out', join(work, 'third.token'));
    expect(third).toEqual({ code: 1, out: [], err: [expect.stringMatching(/^Error: 409 Conflict: At most 2 SCIM tokens/)] });
    await expect(stat(join(work, 'third.token'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('deletes a token, and says so in one line when there is no such token', async () => {
    const list = await admin('tokens', 'list');
    const id = /^\s+(\S+)\s+Entra/.exec(list.out.find((l) => l.includes('Entra')) ?? '')?.[1] ?? '';
    expect((await admin('tokens', 'delete', id)).out).toEqual([`Deleted token ${id}. The SCIM API refuses it from the next request on.`]);
    expect(await admin('tokens', 'delete', id)).toEqual({ code: 1, out: [], err: [`Error: 404 Not Found: No token with id ${id}`] });
  });

  it('reads the audit log, newest first, with --since and --limit', async () => {
    const r = await admin('audit', '--limit', '3');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(3);
    expect(r.out[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z {2}admin:owner@localhost {2}\S+/);
    const since = await admin('audit', '--since', '2999-01-01T00:00:00Z');
    expect(since.out).toEqual(['(no audit events)']);
    const all = await admin('audit', '--limit', '500');
    expect(all.out.some((l) => /token\.generate token\/\S+ "Okta" {2}success/.test(l))).toBe(true);
    expect(all.out.some((l) => /token\.delete token\/\S+ {2}failure \(not_found\)/.test(l))).toBe(true);
  });

  it('says what is wrong in one line with a non-zero exit', async () => {
    expect(await admin('tokens', 'frobnicate')).toEqual({ code: 2, out: [], err: ['Error: tokens takes list, create or delete.'] });
    expect(await admin('nonsense')).toEqual({ code: 2, out: [], err: ['Error: Unknown command "nonsense" (see --help).'] });
    expect(await admin('tokens', 'create')).toEqual({ code: 2, out: [], err: ['Error: tokens create needs --name (e.g. --name Okta).'] });
    expect(await admin('audit', '--limit', 'lots')).toEqual({
      code: 2,
      out: [],
      err: ['Error: --limit must be a whole number of events, 1 or more.'],
    });
    expect(await admin('audit', '--colour')).toEqual({ code: 2, out: [], err: ['Error: Unknown option --colour (see --help).'] });
    expect(await admin('provisioning', 'status', '--url', 'http://127.0.0.1:9')).toEqual({
      code: 2,
      out: [],
      err: ['Error: --url needs --token (or SCIM_ADMIN_TOKEN): the ID token of an Owner or System Admin.'],
    });
    const down = await admin('provisioning', 'status', '--url', 'http://127.0.0.1:9/api/admin/v1', '--token', 'x');
    expect(down.code).toBe(1);
    expect(down.err).toEqual([
      expect.stringMatching(/^Error: Cannot reach http:\/\/127\.0\.0\.1:9\/api\/admin\/v1 .*is the stack running\?$/),
    ]);
    const signedOut = await admin('provisioning', 'status', '--url', stack.adminBaseUrl, '--token', 'not-a-jwt');
    expect(signedOut).toEqual({
      code: 1,
      out: [],
      err: ['Error: 401 Unauthorized: Sign in as an administrator: a valid admin token is required.'],
    });
  });

  it('runs as `npm run admin`, and without a local stack says to start one', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'scim-cli-nolocal-'));
    try {
      const result = await run(process.execPath, [tsxCli, 'infra/cli/admin.ts', 'provisioning', 'status'], {
        cwd: root,
        env: { ...process.env, SCIM_LOCAL_DIR: empty },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('run `npm start` first, or pass --url and --token')]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
