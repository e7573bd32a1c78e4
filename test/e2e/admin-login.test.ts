/**
 * `npm run admin -- login`: the authorization code grant with PKCE (RFC 7636, S256) against a
 * stand-in of Cognito's managed login (its /oauth2/token endpoint checks the verifier against the
 * challenge as Cognito does), the browser played by the test: it reads the address the CLI prints
 * and comes back to the CLI's callback as the managed login would redirect it.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processIo, runAdmin, type CliIo } from '../../infra/cli/admin';

const freePort = async (): Promise<number> => {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise((ok) => s.close(ok));
  return port;
};

describe('npm run admin -- login', () => {
  let cognito: Server;
  let domain: string;
  let work: string;
  /** The codes the stand-in issued, with the challenge and redirect they were issued for. */
  const issued = new Map<string, { challenge: string; redirect: string }>();
  const exchanges: URLSearchParams[] = [];

  beforeAll(async () => {
    cognito = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/oauth2/token') return void res.writeHead(404).end();
        const form = new URLSearchParams(body);
        exchanges.push(form);
        const grant = issued.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const ok =
          grant &&
          form.get('grant_type') === 'authorization_code' &&
          form.get('client_id') === 'the-client' &&
          form.get('redirect_uri') === grant.redirect &&
          createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
        res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify(
            ok ? { id_token: 'header.payload.signature', access_token: 'a', token_type: 'Bearer' } : { error: 'invalid_grant' },
          ),
        );
      });
    });
    await new Promise<void>((ok) => cognito.listen(0, '127.0.0.1', ok));
    domain = `http://127.0.0.1:${(cognito.address() as AddressInfo).port}`;
    work = await mkdtemp(join(tmpdir(), 'scim-login-'));
  });
  afterAll(async () => {
    await new Promise((ok) => cognito.close(ok));
    await rm(work, { recursive: true, force: true });
  });

  /** Runs login; when it prints the authorize address, `browser` plays the managed login with it. */
  const login = async (
    out: string,
    browser: (authorize: URL, port: number) => Promise<void>,
  ): Promise<{ code: number; lines: string[]; errors: string[] }> => {
    const port = await freePort();
    const lines: string[] = [];
    const errors: string[] = [];
    let played: Promise<void> | undefined;
    const io: CliIo = {
      ...processIo(work),
      out: (line) => {
        lines.push(line);
        if (line.startsWith(`${domain}/oauth2/authorize`)) played = browser(new URL(line), port);
      },
      err: (line) => errors.push(line),
      env: {},
    };
    const code = await runAdmin(['login', '--domain', domain, '--client-id', 'the-client', '--out', out, '--port', String(port)], io);
    await played;
    return { code, lines, errors };
  };

  it('signs in with a code and PKCE, and writes the ID token to a file only its owner can read', async () => {
    const out = join(work, 'id-token');
    const r = await login(out, async (authorize, port) => {
      expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: 'the-client',
        redirect_uri: `http://localhost:${port}/callback`,
        code_challenge_method: 'S256',
      });
      issued.set('code-1', {
        challenge: String(authorize.searchParams.get('code_challenge')),
        redirect: String(authorize.searchParams.get('redirect_uri')),
      });
      const back = await fetch(`http://127.0.0.1:${port}/callback?code=code-1&state=${authorize.searchParams.get('state') ?? ''}`);
      expect(await back.text()).toMatch(/Signed in/);
    });
    expect(r).toMatchObject({ code: 0, errors: [] });
    expect(await readFile(out, 'utf8')).toBe('header.payload.signature\n');
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(r.lines.join('\n')).not.toContain('header.payload.signature');
    expect(exchanges.at(-1)?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a callback with another state, and leaves no file behind', async () => {
    const out = join(work, 'forged');
    const r = await login(out, async (_authorize, port) => {
      await fetch(`http://127.0.0.1:${port}/callback?code=stolen&state=not-the-one`);
    });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringContaining('another state')]);
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says what is missing in one line', async () => {
    const errors: string[] = [];
    const io: CliIo = { ...processIo(work), out: () => undefined, err: (l) => errors.push(l), env: {} };
    expect(await runAdmin(['login', '--domain', domain], io)).toBe(2);
    expect(await runAdmin(['login', '--domain', 'http://example.com', '--client-id', 'c', '--out', 'x'], io)).toBe(2);
    expect(errors).toEqual([expect.stringContaining('--client-id'), expect.stringContaining('https://')]);
  });
});
