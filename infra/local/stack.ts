/**
 * The whole service on one machine: the table on DynamoDB Local, the local gateway serving the
 * route table with the real handlers and authorizer, and the token-expiry function on a timer.
 * Each function may touch only the items its grants name (infra/local/iam.ts checks it, as IAM does).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { isAbsolute, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ensureTable } from '../../shared/store/create-table';
import { DYNAMODB_ENDPOINT_ENV, dynamoConfig } from '../../shared/store/client';
import { TABLE_NAME_ENV } from '../../shared/store/table';
import { ADMIN_BASE_PATH, ROUTES, SCIM_BASE_PATH } from '../../shared/http/routes';
import { FUNCTIONS, type FunctionKey } from '../functions';
import { devKeys } from './dev-auth';
import { CONSOLE_PATH, localConsole } from './console';
import { configuredRoles } from '../../shared/tokens/roles';
import { ADMIN_ROLES_ENV } from '../../functions/admin/config';
import { enforceGrantsLocally, runAs } from './iam';
import { createLocalGateway, fakeContext, type ProxyHandler, type RequestAuthorizer } from './gateway';
import { startLocalEventPipeline, type LocalEventPipeline, type QueueHandler, type StreamHandler } from './event-pipeline';
import { LOCAL_AWS_ENDPOINT_ENV } from '../../shared/notify/client-config';
import { SIGNING_KEY_FILE_ENV } from '../../shared/crypto/signing-key';
import { EVENT_BUS_ENV } from '../../shared/notify/eventbridge';
import { DELIVERY_QUEUE_ENV } from '../../shared/notify/sqs';
import { EVENT_LOG_SETTLE_SECONDS_ENV, WEBHOOK_ALLOW_LOCAL_HTTP_ENV } from '../../functions/events/config';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export interface LocalStackOptions {
  dynamoEndpoint: string;
  tableName: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Where the development signing key and dev.json live. */
  localDir: string;
  /** How often the token-expiry function runs; 0 disables the timer. */
  expiryIntervalMs?: number;
  /** How often the membership-cleanup function runs; 0 disables the timer. */
  cleanupIntervalMs?: number;
  /** Extra environment for the functions (e.g. SCIM_AUTH_CACHE_SECONDS). */
  env?: Record<string, string>;
  /** Called before each function runs (for the benchmark). */
  onInvoke?: (functionName: string) => void;
  /** Load these files (e.g. the esbuild bundles that would be deployed) instead of the TypeScript entries. */
  functionFiles?: Partial<Record<FunctionKey, string>>;
  /** Called with one line per request. */
  log?: (line: string) => void;
  /**
   * The change-event pipeline (on by default): `timeScale` shrinks the delivery queue's delays
   * (tests), `settleSeconds` the event log's settle window; false leaves it out (the benchmark's
   * seeding, which would otherwise make an event of every seeded user).
   */
  events?: false | { timeScale?: number; settleSeconds?: number };
  /** The built admin console (infra/console/build.ts), served at /admin/; absent: no console. */
  consoleDir?: string;
}

export interface LocalStack {
  port: number;
  scimBaseUrl: string;
  adminBaseUrl: string;
  adminToken: string;
  signAdminToken(role: string): Promise<string>;
  runTokenExpiry(): Promise<unknown>;
  runMembershipCleanup(): Promise<unknown>;
  /** The change-event pipeline, unless it was left out. */
  events?: LocalEventPipeline;
  /** The admin console's address (…/admin/), when it is served. */
  consoleUrl?: string;
  stop(): Promise<void>;
}

type ScheduledHandler = (event: unknown, context: Context) => Promise<unknown>;

interface HandlerModule<T> {
  handler: T;
}

async function load<T>(file: string): Promise<T> {
  const mod = (await import(isAbsolute(file) ? file : join(PROJECT_ROOT, file))) as HandlerModule<T> & { default?: HandlerModule<T> };
  // A CommonJS bundle imported as a module exposes its exports as `default` too.
  return mod.handler ?? (mod.default as HandlerModule<T>).handler;
}

/** The table the handlers of this process were loaded for (they read it once, at cold start). */
let loadedFor: string | undefined;

/**
 * Starts the stack in this process. Like Lambda, the handlers read their configuration once when
 * first loaded, so one process serves one table: a second stack must use the same table.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  if (loadedFor !== undefined && loadedFor !== options.tableName) {
    throw new Error(`This process already serves table ${loadedFor}; start another process for ${options.tableName}`);
  }
  loadedFor = options.tableName;
  // The functions read their configuration from the environment at cold start, as in Lambda.
  Object.assign(process.env, {
    [TABLE_NAME_ENV]: options.tableName,
    [DYNAMODB_ENDPOINT_ENV]: options.dynamoEndpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'local',
    ...options.env,
  });
  const client = new DynamoDBClient(dynamoConfig());
  try {
    // The change stream only when the event pipeline reads it (see createTableInput).
    await ensureTable(client, options.tableName, undefined, { stream: options.events !== false });
  } finally {
    client.destroy();
  }

  // The event pipeline's AWS stand-ins must be known before the functions load (they make their clients at cold start).
  let eventsHandler: StreamHandler | undefined;
  let senderHandler: QueueHandler | undefined;
  const pipeline =
    options.events === false
      ? undefined
      : await startLocalEventPipeline({
          dynamoEndpoint: options.dynamoEndpoint,
          tableName: options.tableName,
          localDir: options.localDir,
          events: (e) => (eventsHandler ? eventsHandler(e) : Promise.reject(new Error('events function not loaded'))),
          sender: (e) => (senderHandler ? senderHandler(e) : Promise.reject(new Error('webhook sender not loaded'))),
          ...(options.events?.timeScale !== undefined ? { timeScale: options.events.timeScale } : {}),
        });
  Object.assign(process.env, {
    [EVENT_BUS_ENV]: 'local',
    [DELIVERY_QUEUE_ENV]: 'http://127.0.0.1/000000000000/deliveries.fifo',
    [WEBHOOK_ALLOW_LOCAL_HTTP_ENV]: 'true',
    // The access tokens' signing key: a local file stands in for the stack's KMS key.
    [SIGNING_KEY_FILE_ENV]: join(options.localDir, 'oauth-signing-key.pem'),
    ...(pipeline ? { [LOCAL_AWS_ENDPOINT_ENV]: pipeline.endpoint } : {}),
    ...(options.events && options.events.settleSeconds !== undefined
      ? { [EVENT_LOG_SETTLE_SECONDS_ENV]: String(options.events.settleSeconds) }
      : {}),
  });

  // Every DynamoDB request a function makes is checked against its grants, as IAM would (before the
  // functions load: they make their clients at cold start).
  enforceGrantsLocally();
  const file = (key: FunctionKey): string => options.functionFiles?.[key] ?? FUNCTIONS[key].entry;
  /** A function's handler, each invocation run as that function (for the grant checks). */
  const as =
    <E, C, R>(key: FunctionKey, handler: (event: E, context: C) => Promise<R>) =>
    (event: E, context: C): Promise<R> =>
      runAs(key, () => handler(event, context));
  const scim = as('scim', await load<ProxyHandler>(file('scim')));
  const admin = as('admin', await load<ProxyHandler>(file('admin')));
  const token = as('token', await load<ProxyHandler>(file('token')));
  const scimAuthorizer = as('scimAuthorizer', await load<RequestAuthorizer>(file('scimAuthorizer')));
  const tokenExpiry = as('tokenExpiry', await load<ScheduledHandler>(file('tokenExpiry')));
  const membershipCleanup = as('membershipCleanup', await load<ScheduledHandler>(file('membershipCleanup')));
  if (pipeline) {
    const events = as('events', await load<(e: Parameters<StreamHandler>[0], c: Context) => ReturnType<StreamHandler>>(file('events')));
    const sender = as(
      'webhookSender',
      await load<(e: Parameters<QueueHandler>[0], c: Context) => ReturnType<QueueHandler>>(file('webhookSender')),
    );
    eventsHandler = (e) => {
      options.onInvoke?.('events');
      return events(e, fakeContext('events'));
    };
    senderHandler = (e) => {
      options.onInvoke?.('webhook-sender');
      return sender(e, fakeContext('webhook-sender'));
    };
  }
  const keys = await devKeys(join(options.localDir, 'dev-signing-key.json'));

  let urls: Record<string, string> = {};
  const consolePage = options.consoleDir
    ? localConsole({
        dir: options.consoleDir,
        manageRoles: configuredRoles(process.env[ADMIN_ROLES_ENV]),
        sign: (role) => signAdminToken(role),
      })
    : undefined;
  const server: Server = createLocalGateway({
    routes: ROUTES,
    functions: { scim, admin, token },
    scimAuthorizer,
    verifyAdminJwt: (jwt) => keys.verify(jwt),
    localPage: async (url, accept) => (url.pathname === '/' ? startPage(urls, accept) : consolePage?.(url)),
    ...(options.onInvoke ? { onInvoke: options.onInvoke } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const origin = `http://${host}:${port}`;

  const signAdminToken = (role: string): Promise<string> =>
    keys.sign({ sub: `local-${role.toLowerCase()}`, email: `${role.toLowerCase()}@localhost`, groups: [role] });
  const adminToken = await signAdminToken('Owner');
  const scimBaseUrl = `${origin}${SCIM_BASE_PATH}`;
  const adminBaseUrl = `${origin}${ADMIN_BASE_PATH}`;
  const consoleUrl = consolePage ? `${origin}${CONSOLE_PATH}/` : undefined;
  urls = { scimBaseUrl, adminBaseUrl, openApiUrl: `${adminBaseUrl}/openapi.json`, ...(consoleUrl ? { consoleUrl } : {}) };
  await mkdir(options.localDir, { recursive: true });
  await writeFile(join(options.localDir, 'dev.json'), `${JSON.stringify({ scimBaseUrl, adminBaseUrl, adminToken }, null, 2)}\n`);

  // Scheduled functions get a Lambda-like context: the cleanup job paces itself by the time left.
  const scheduled = (name: string, key: FunctionKey): Context => {
    const deadline = Date.now() + FUNCTIONS[key].timeoutSeconds * 1000;
    return { ...fakeContext(name), getRemainingTimeInMillis: () => deadline - Date.now() };
  };
  const runTokenExpiry = (): Promise<unknown> => tokenExpiry({}, scheduled('token-expiry', 'tokenExpiry'));
  const runMembershipCleanup = (): Promise<unknown> => membershipCleanup({}, scheduled('membership-cleanup', 'membershipCleanup'));
  // The EventBridge schedules of the deployed stack, as timers (a run never overlaps the previous one).
  const every = (ms: number | undefined, name: string, run: () => Promise<unknown>): NodeJS.Timeout | undefined => {
    if (!ms || ms <= 0) return undefined;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      run()
        .catch((e: unknown) => console.error(`${name} failed:`, e instanceof Error ? e.message : e))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every(options.expiryIntervalMs, 'token-expiry', runTokenExpiry),
    every(options.cleanupIntervalMs, 'membership-cleanup', runMembershipCleanup),
  ];

  return {
    port,
    scimBaseUrl,
    adminBaseUrl,
    adminToken,
    signAdminToken,
    runTokenExpiry,
    runMembershipCleanup,
    ...(pipeline ? { events: pipeline } : {}),
    ...(consoleUrl ? { consoleUrl } : {}),
    async stop() {
      for (const timer of timers) if (timer) clearInterval(timer);
      await pipeline?.stop();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** What `http://127.0.0.1:8787/` answers: where everything is (HTML for a browser, JSON otherwise). */
export function startPage(
  urls: Record<string, string>,
  accept: string,
): { statusCode: number; headers: Record<string, string>; body: string } {
  const body = {
    service: 'SCIM provisioning service (local)',
    scim: urls.scimBaseUrl,
    admin: urls.adminBaseUrl,
    openApi: urls.openApiUrl,
    ...(urls.consoleUrl ? { console: urls.consoleUrl } : {}),
    note: 'SCIM needs a SCIM token (Authorization: Bearer scim_…); the admin API needs the admin JWT of .local/dev.json.',
  };
  if (!/text\/html/i.test(accept)) return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const link = (url = ''): string => `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCIM provisioning (local)</title></head><body>
<h1>SCIM provisioning service, running locally</h1>
<ul>${urls.consoleUrl ? `<li>Admin console: ${link(urls.consoleUrl)}</li>` : ''}<li>SCIM base URL: ${link(urls.scimBaseUrl)}</li><li>Admin API: ${link(urls.adminBaseUrl)}</li><li>Admin API description (OpenAPI 3.1): ${link(urls.openApiUrl)}</li></ul>
<p>${escapeHtml(body.note)}</p></body></html>`;
  return { statusCode: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
}
