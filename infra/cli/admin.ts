/**
 * The operator CLI: `npm run admin -- <command>`, on the admin API of the local stack (read from
 * .local/dev.json) or of a deployed stack (`--url <AdminBaseUrl> --token <ID token>`). Every error is
 * one line on stderr and a non-zero exit. A SCIM token's value is printed once, clearly marked, or
 * written to a file readable only by its owner (`--out FILE`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { MAX_TOKEN_LIFETIME_DAYS } from '../../shared/tokens/expiry';

export const USAGE = `Usage: npm run admin -- [--url <AdminBaseUrl>] [--token <admin ID token>] <command>

Commands:
  provisioning status              whether provisioning is on, the SCIM endpoint, the tokens
  provisioning enable|disable      turn provisioning on or off (off deletes every token)
  tokens list                      the SCIM tokens (never their values)
  tokens create --name N [--days D] [--out F]
                                 generate a token valid D days (1 to 365; default one year); its value is
                                 shown once (or written to F, mode 0600)
  tokens delete ID                 delete a token (refused from the next request on)
  audit [--since ISO] [--limit N]  the audit log, newest first (default 50 events)
  login --domain D --client-id C --out F
                                   sign in to a deployed stack in the browser (its AdminSignInDomain and
                                   AdminUserPoolClientId); the ID token goes to F (mode 0600), valid 1 hour

Without --url and --token it talks to the local stack (\`npm start\`), reading .local/dev.json.
The token may also come from the environment variable SCIM_ADMIN_TOKEN.`;

export interface SecretFile {
  write(content: string): Promise<void>;
  /** Removes the file again (the secret never came). */
  discard(): Promise<void>;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  fetch: typeof fetch;
  readFile(path: string): Promise<string>;
  /** Creates a new, empty file readable only by its owner (fails if it exists), to write a secret into later. */
  openSecret(path: string): Promise<SecretFile>;
  env: Record<string, string | undefined>;
  /** Where .local/dev.json is looked for. */
  localDir: string;
  /** Waits for the browser to come back to the login callback on this machine (see login). */
  awaitCallback(port: number, path: string): Promise<{ url: URL; answer(page: string): void }>;
}

/** A refusal of the command line or of the API: one line, and the exit code. */
class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Parsed {
  positional: string[];
  flags: Record<string, string>;
  help: boolean;
}

const VALUE_FLAGS = ['url', 'token', 'name', 'days', 'out', 'since', 'limit', 'domain', 'client-id', 'port'];

export function parseArgs(argv: readonly string[]): Parsed {
  const parsed: Parsed = { positional: [], flags: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
    } else if (arg.startsWith('--')) {
      const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (!VALUE_FLAGS.includes(name)) throw new CliError(`Unknown option --${name} (see --help).`, 2);
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new CliError(`--${name} needs a value.`, 2);
      parsed.flags[name] = value;
    } else {
      parsed.positional.push(arg);
    }
  }
  return parsed;
}

interface Target {
  url: string;
  token: string;
}

async function target(flags: Record<string, string>, io: CliIo): Promise<Target> {
  const token = flags.token ?? io.env.SCIM_ADMIN_TOKEN;
  if (flags.url) {
    if (!token) throw new CliError('--url needs --token (or SCIM_ADMIN_TOKEN): the ID token of an Owner or System Admin.', 2);
    return { url: flags.url.replace(/\/+$/, ''), token };
  }
  const file = join(io.localDir, 'dev.json');
  let dev: { adminBaseUrl?: unknown; adminToken?: unknown };
  try {
    dev = JSON.parse(await io.readFile(file)) as typeof dev;
  } catch {
    throw new CliError(`No local stack found (${file} is missing): run \`npm start\` first, or pass --url and --token.`);
  }
  if (typeof dev.adminBaseUrl !== 'string' || typeof dev.adminToken !== 'string')
    throw new CliError(`${file} is not what npm start writes.`);
  return { url: dev.adminBaseUrl, token: token ?? dev.adminToken };
}

async function call(t: Target, io: CliIo, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await io.fetch(`${t.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e: unknown) {
    throw new CliError(`Cannot reach ${t.url} (${e instanceof Error ? e.message : String(e)}): is the stack running?`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const problem = (json ?? {}) as { title?: unknown; detail?: unknown };
    const detail = typeof problem.detail === 'string' ? problem.detail : text.slice(0, 200);
    throw new CliError(`${res.status} ${typeof problem.title === 'string' ? problem.title : res.statusText}: ${detail}`);
  }
  return json;
}

interface TokenJson {
  id: string;
  name: string;
  status: string;
  expiresOn: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function tokenLines(tokens: TokenJson[]): string[] {
  if (tokens.length === 0) return ['  (no tokens)'];
  return tokens.map(
    (t) =>
      `  ${t.id}  ${t.name}  ${t.status}  expires ${t.expiresOn}  created ${t.createdAt.slice(0, 10)}  last used ${t.lastUsedAt ?? 'never'}`,
  );
}

async function provisioning(t: Target, io: CliIo, action: string | undefined): Promise<void> {
  let view: { enabled: boolean; scimEndpoint: string; tokens: TokenJson[] };
  if (action === 'status') view = (await call(t, io, 'GET', '/provisioning')) as typeof view;
  else if (action === 'enable' || action === 'disable')
    view = (await call(t, io, 'PUT', '/provisioning', { enabled: action === 'enable' })) as typeof view;
  else throw new CliError('provisioning takes status, enable or disable.', 2);
  io.out(`Provisioning: ${view.enabled ? 'enabled' : 'disabled'}`);
  io.out(`SCIM endpoint: ${view.scimEndpoint}`);
  io.out('Tokens:');
  for (const line of tokenLines(view.tokens)) io.out(line);
}

async function tokens(t: Target, io: CliIo, parsed: Parsed): Promise<void> {
  const [, action, id] = parsed.positional;
  if (action === 'list') {
    const { tokens: list } = (await call(t, io, 'GET', '/provisioning/tokens')) as { tokens: TokenJson[] };
    for (const line of tokenLines(list)) io.out(line);
    return;
  }
  if (action === 'delete') {
    if (!id) throw new CliError('tokens delete needs the token id (see tokens list).', 2);
    await call(t, io, 'DELETE', `/provisioning/tokens/${encodeURIComponent(id)}`);
    io.out(`Deleted token ${id}. The SCIM API refuses it from the next request on.`);
    return;
  }
  if (action !== 'create') throw new CliError('tokens takes list, create or delete.', 2);
  const name = parsed.flags.name;
  if (!name) throw new CliError('tokens create needs --name (e.g. --name Okta).', 2);
  const days = parsed.flags.days === undefined ? undefined : Number(parsed.flags.days);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= MAX_TOKEN_LIFETIME_DAYS)) {
    throw new CliError(`tokens create --days takes a whole number of days from 1 to ${MAX_TOKEN_LIFETIME_DAYS}.`, 2);
  }
  const out = parsed.flags.out === undefined ? undefined : resolve(parsed.flags.out);
  // The file first: if it cannot be made, no token is created whose value would be lost.
  let file: SecretFile | undefined;
  if (out) {
    try {
      file = await io.openSecret(out);
    } catch (e: unknown) {
      const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists already' : e instanceof Error ? e.message : String(e);
      throw new CliError(`Cannot write the token to ${out}: ${why}. No token was created.`);
    }
  }
  let created: TokenJson & { token: string };
  try {
    created = (await call(t, io, 'POST', '/provisioning/tokens', {
      name,
      ...(days !== undefined ? { expiresInDays: days } : {}),
    })) as TokenJson & {
      token: string;
    };
  } catch (e: unknown) {
    await file?.discard();
    throw e;
  }
  io.out(`Created token ${created.id} "${created.name}", valid until ${created.expiresOn}.`);
  if (file) {
    await file.write(`${created.token}\n`);
    io.out(`Its value is in ${out} (readable only by you). It is not shown anywhere else and cannot be shown again.`);
    return;
  }
  io.out('');
  io.out('=== SCIM TOKEN: shown once, copy it now. It cannot be shown again. ===');
  io.out(created.token);
  io.out('=====================================================================');
}

interface AuditJson {
  at: string;
  actor: { type: string; id: string; display?: string };
  action: string;
  target?: { type: string; id?: string; display?: string };
  outcome: string;
  reason?: string;
}

async function audit(t: Target, io: CliIo, flags: Record<string, string>): Promise<void> {
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a whole number of events, 1 or more.', 2);
  let cursor: string | null = null;
  let printed = 0;
  do {
    const params = new URLSearchParams({ limit: String(Math.min(200, limit - printed)) });
    if (flags.since) params.set('since', flags.since);
    if (cursor) params.set('cursor', cursor);
    const page = (await call(t, io, 'GET', `/audit?${params.toString()}`)) as { events: AuditJson[]; nextCursor: string | null };
    for (const e of page.events) {
      const who = `${e.actor.type}:${e.actor.display ?? e.actor.id}`;
      const what = e.target
        ? ` ${e.target.type}${e.target.id ? `/${e.target.id}` : ''}${e.target.display ? ` "${e.target.display}"` : ''}`
        : '';
      io.out(`${e.at}  ${who}  ${e.action}${what}  ${e.outcome}${e.reason ? ` (${e.reason})` : ''}`);
    }
    printed += page.events.length;
    cursor = page.nextCursor;
  } while (cursor && printed < limit);
  if (printed === 0) io.out('(no audit events)');
}

/** The port of the redirect URL the stack registers for this CLI (adminCallbackUrls' default). */
export const LOGIN_CALLBACK_PORT = 8976;
const base64url = (b: Buffer): string => b.toString('base64url');

/**
 * Signs in to a deployed stack's managed login with the authorization code grant and PKCE (RFC
 * 7636, S256): the browser opens the address printed, signs in (password and TOTP), and comes back
 * to http://localhost:8976/callback; the code is exchanged, with the verifier, for the tokens, and
 * the ID token (what the admin API takes) is written to a file only its owner can read.
 */
async function login(io: CliIo, flags: Record<string, string>): Promise<void> {
  const domain = flags.domain?.replace(/\/+$/, '');
  const clientId = flags['client-id'];
  if (!domain || !clientId)
    throw new CliError('login needs --domain (the stack output AdminSignInDomain) and --client-id (AdminUserPoolClientId).', 2);
  if (!/^https:\/\//.test(domain) && !/^http:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(domain)) {
    throw new CliError('--domain must be the https:// address of the sign-in domain.', 2);
  }
  if (!flags.out) throw new CliError('login needs --out FILE: the ID token is written there (readable only by you), never printed.', 2);
  const out = resolve(flags.out);
  const port = flags.port === undefined ? LOGIN_CALLBACK_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port must be a port number.', 2);
  let file: SecretFile;
  try {
    file = await io.openSecret(out);
  } catch (e: unknown) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists already' : e instanceof Error ? e.message : String(e);
    throw new CliError(`Cannot write the ID token to ${out}: ${why}.`);
  }
  try {
    const verifier = base64url(randomBytes(32));
    const state = base64url(randomBytes(16));
    const redirect = `http://localhost:${port}/callback`;
    const authorize = new URL(`${domain}/oauth2/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirect,
      scope: 'openid email',
      state,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(k, v);
    const callback = io.awaitCallback(port, '/callback');
    io.out('Open this address in a browser and sign in (it comes back to this machine):');
    io.out(authorize.toString());
    const { url, answer } = await callback;
    if (url.searchParams.get('state') !== state) {
      answer('This sign-in was not started here. Start it again from the command line.');
      throw new CliError('The sign-in came back with another state: start it again.');
    }
    const code = url.searchParams.get('code');
    if (!code) {
      answer('Sign-in failed. See the command line.');
      throw new CliError(`Sign-in failed: ${url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? 'no code'}.`);
    }
    const res = await io.fetch(`${domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: redirect,
        code_verifier: verifier,
      }).toString(),
    });
    const tokens = (await res.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!res.ok || typeof tokens.id_token !== 'string') {
      answer('Sign-in failed. See the command line.');
      throw new CliError(
        `The token endpoint refused the code (${res.status}${typeof tokens.error === 'string' ? ` ${tokens.error}` : ''}).`,
      );
    }
    answer('Signed in. You can close this window and go back to the command line.');
    await file.write(`${tokens.id_token}\n`);
    io.out(`Signed in. The ID token (valid for an hour) is in ${out}, readable only by you:`);
    io.out(`  SCIM_ADMIN_TOKEN=$(cat ${flags.out}) npm run admin -- --url <AdminBaseUrl> provisioning status`);
  } catch (e: unknown) {
    await file.discard();
    throw e;
  }
}

/** Runs one command; resolves to the exit code. */
export async function runAdmin(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    const [command, action] = parsed.positional;
    if (parsed.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return parsed.help || command === 'help' ? 0 : 2;
    }
    if (!['provisioning', 'tokens', 'audit', 'login'].includes(command))
      throw new CliError(`Unknown command "${command}" (see --help).`, 2);
    if (command === 'login') {
      await login(io, parsed.flags);
      return 0;
    }
    const t = await target(parsed.flags, io);
    if (command === 'provisioning') await provisioning(t, io, action);
    else if (command === 'tokens') await tokens(t, io, parsed);
    else await audit(t, io, parsed.flags);
    return 0;
  } catch (e: unknown) {
    if (e instanceof CliError) {
      io.err(`Error: ${e.message}`);
      return e.exitCode;
    }
    io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

export const processIo = (localDir: string): CliIo => ({
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  fetch: (input, init) => fetch(input, init),
  readFile: (path) => readFile(path, 'utf8'),
  openSecret: async (path) => {
    const handle = await open(path, 'wx', 0o600);
    return {
      write: async (content) => {
        await handle.writeFile(content, 'utf8');
        await handle.close();
      },
      discard: async () => {
        await handle.close();
        await rm(path, { force: true });
      },
    };
  },
  env: process.env,
  localDir,
  awaitCallback: (port, path) =>
    new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        server.close();
        fail(new CliError('No sign-in came back within 5 minutes.'));
      }, 5 * 60_000);
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', `http://localhost:${(server.address() as AddressInfo).port}`);
        if (url.pathname !== path) {
          res.writeHead(404).end();
          return;
        }
        clearTimeout(timer);
        ok({
          url,
          answer: (page) => {
            res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${page}\n`);
            server.close();
          },
        });
      });
      server.once('error', (e) => {
        clearTimeout(timer);
        fail(new CliError(`Cannot listen on localhost:${port} for the sign-in: ${e.message}`));
      });
      server.listen(port, '127.0.0.1');
    }),
});

if (require.main === module) {
  const localDir = process.env.SCIM_LOCAL_DIR ?? join(__dirname, '..', '..', '.local');
  void runAdmin(process.argv.slice(2), processIo(localDir)).then((code) => process.exit(code));
}
