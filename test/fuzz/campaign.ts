/**
 * One fuzz run against a running local stack: set up the watched and the fuzzer's own resources,
 * send the requests a few at a time, check every answer, then check integrity. Used by the CLI
 * (test/fuzz/run.ts) and by the e2e test (test/e2e/fuzz.test.ts) alike.
 */
import { checkExchange, isNonScimErrorBody, routeOf, type Violation } from './checker';
import type { FuzzContext, FuzzRequest } from './context';
import { rawClient, type RawResponse } from './http';
import {
  collectCursors,
  createOwned,
  createWatched,
  jsonApi,
  verifyListings,
  verifyReadable,
  verifyReferences,
  verifyWatched,
} from './integrity';
import { generateRequest, isSelfDestructive } from './requests';

/** Where a campaign sends its requests, and with which credentials. */
export type CampaignTarget = Pick<CampaignOptions, 'origin' | 'scimPath' | 'adminPath' | 'scimToken' | 'adminToken' | 'viewerToken'>;

/**
 * The target of a local stack, and the secrets a failure report must not print (both the Jest run
 * and `npm run fuzz` aim at a stack this way).
 */
export function stackTarget(
  stack: { scimBaseUrl: string; adminBaseUrl: string; adminToken: string },
  scimToken: string,
  viewerToken: string,
): { target: CampaignTarget; secrets: { value: string; label: string }[] } {
  const scim = new URL(stack.scimBaseUrl);
  return {
    target: {
      origin: scim.origin,
      scimPath: scim.pathname,
      adminPath: new URL(stack.adminBaseUrl).pathname,
      scimToken,
      adminToken: stack.adminToken,
      viewerToken,
    },
    secrets: [
      { value: scimToken, label: '<SCIM token>' },
      { value: stack.adminToken, label: '<admin JWT>' },
      { value: viewerToken, label: '<viewer JWT>' },
    ],
  };
}

export interface CampaignOptions {
  /** e.g. http://127.0.0.1:8787 */
  readonly origin: string;
  /** e.g. /api/scim/v2 and /api/admin/v1 */
  readonly scimPath: string;
  readonly adminPath: string;
  readonly scimToken: string;
  readonly adminToken: string;
  readonly viewerToken: string;
  readonly seed: number;
  readonly requests: number;
  readonly concurrency?: number;
  /** Send only these request indices (to replay failures of an earlier run with the same seed). */
  readonly only?: readonly number[];
  /** Users and groups the fuzzer owns (defaults 48 and 12; a third of each may be deleted). */
  readonly ownedUsers?: number;
  readonly ownedGroups?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Runs after the requests, before the integrity checks (the membership-cleanup job). */
  readonly beforeChecks?: () => Promise<unknown>;
}

export interface Exchange {
  readonly request: FuzzRequest;
  readonly response: RawResponse;
  readonly route: string;
  readonly violations: readonly Violation[];
}

export interface CampaignReport {
  readonly seed: number;
  readonly requested: number;
  readonly sent: number;
  /** Requests Node's client refused to send (a generator bug; listed, never counted as findings). */
  readonly notSent: readonly Exchange[];
  /** Requests not sent because they would disable provisioning or delete the fuzzer's token. */
  readonly skipped: number;
  readonly setupMs: number;
  readonly fuzzMs: number;
  readonly checkMs: number;
  readonly statusClasses: Readonly<Record<string, number>>;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** route → status class → count */
  readonly routes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly categories: Readonly<Record<string, number>>;
  /** Total milliseconds spent per category (for the mean latency of each). */
  readonly categoryMs: Readonly<Record<string, number>>;
  /** 5xx answers (failures). */
  readonly fiveXx: number;
  readonly nonScimErrorBodies: number;
  readonly violationsByRule: Readonly<Record<string, number>>;
  readonly failures: readonly Exchange[];
  readonly integrity: {
    readonly ok: boolean;
    readonly problems: readonly string[];
    readonly listed: Readonly<Record<string, number>>;
    readonly readableChecked: number;
  };
  readonly slowest: readonly { index: number; ms: number; method: string; path: string; status: number }[];
  /** Latency percentiles of the fuzz requests, ms. */
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly created: number;
  /** Exchanges of `only` (full, for a replay). */
  readonly replayed: readonly Exchange[];
}

const statusClass = (status: number): string => (status === 0 ? 'no answer' : `${Math.floor(status / 100)}xx`);
const bump = (m: Record<string, number>, k: string, by = 1): void => {
  m[k] = (m[k] ?? 0) + by;
};

/** A percentile of timings sorted slowest first. */
const percentile = (sortedDescending: readonly { ms: number }[], p: number): number =>
  sortedDescending.length
    ? (sortedDescending[Math.min(sortedDescending.length - 1, Math.floor((1 - p) * sortedDescending.length))]?.ms ?? 0)
    : 0;

/** The resources a BulkResponse's results say were created (201, with their location). */
function bulkCreated(text: string): { kind: 'Users' | 'Groups'; id: string }[] {
  let results: unknown;
  try {
    results = (JSON.parse(text) as { Operations?: unknown }).Operations;
  } catch {
    return []; // the checker has reported a 200 that is not JSON
  }
  if (!Array.isArray(results)) return [];
  return results.flatMap((r: unknown) => {
    const { status, location } = (typeof r === 'object' && r !== null ? r : {}) as { status?: unknown; location?: unknown };
    const found = status === '201' && typeof location === 'string' ? /\/(Users|Groups)\/([^/]+)$/.exec(location) : null;
    return found?.[1] && found[2] ? [{ kind: found[1] as 'Users' | 'Groups', id: decodeURIComponent(found[2]) }] : [];
  });
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const concurrency = options.concurrency ?? 8;
  const client = rawClient(options.origin, { sockets: concurrency + 4 });
  const scim = jsonApi(client, options.scimPath, options.scimToken);
  const admin = jsonApi(client, options.adminPath, options.adminToken, 'application/json');
  try {
    const setupStarted = performance.now();
    const probe = await scim.call('GET', '/ServiceProviderConfig');
    if (probe.status !== 200) throw new Error(`Setup: the SCIM token does not work (${probe.status} ${probe.text.slice(0, 200)})`);
    const watched = await createWatched(scim);
    const owned = await createOwned(scim, options.ownedUsers ?? 48, options.ownedGroups ?? 12);
    const scimCursors = await collectCursors(scim);
    const auditCursors: string[] = [];
    for (const limit of [1, 2]) {
      const res = await admin.call('GET', `/audit?limit=${limit}`);
      const c = (res.json as { nextCursor?: unknown } | undefined)?.nextCursor;
      if (typeof c === 'string') auditCursors.push(c);
    }
    const split = (ids: string[]): { stable: string[]; deletable: string[] } => {
      const cut = Math.ceil((ids.length * 2) / 3);
      return { stable: ids.slice(0, cut), deletable: ids.slice(cut) };
    };
    const ctx: FuzzContext = {
      scimPath: options.scimPath,
      adminPath: options.adminPath,
      credentials: { scim: options.scimToken, admin: options.adminToken, viewer: options.viewerToken },
      users: split(owned.users),
      groups: split(owned.groups),
      etags: owned.etags,
      cursors: { scim: scimCursors, audit: auditCursors },
    };
    const setupMs = performance.now() - setupStarted;

    const indices = options.only ? [...options.only] : Array.from({ length: options.requests }, (_, i) => i);
    const statusClasses: Record<string, number> = {};
    const statusCodes: Record<string, number> = {};
    const routes: Record<string, Record<string, number>> = {};
    const categories: Record<string, number> = {};
    const categoryMs: Record<string, number> = {};
    const violationsByRule: Record<string, number> = {};
    const failures: Exchange[] = [];
    const notSent: Exchange[] = [];
    const replayed: Exchange[] = [];
    const created: { kind: 'Users' | 'Groups'; id: string }[] = [];
    const timings: { index: number; ms: number; method: string; path: string; status: number }[] = [];
    let sent = 0;
    let skipped = 0;
    let fiveXx = 0;
    let nonScimErrorBodies = 0;
    let next = 0;
    let done = 0;

    const fuzzStarted = performance.now();
    const worker = async (): Promise<void> => {
      while (next < indices.length) {
        const index = indices[next++] as number;
        let request: FuzzRequest;
        try {
          request = generateRequest(options.seed, index, ctx);
        } catch (e: unknown) {
          const error = `generator failed: ${e instanceof Error ? e.message : String(e)}`;
          const blank: FuzzRequest = { index, method: '-', path: '-', headers: {}, category: 'generator', shape: 'error' };
          notSent.push({
            request: blank,
            response: { status: 0, headers: {}, body: '', ms: 0, error, notSent: true },
            route: '-',
            violations: [],
          });
          continue;
        }
        if (isSelfDestructive(request, ctx)) {
          skipped += 1;
          continue;
        }
        const response = await client.send(request.method, request.path, request.headers, request.body);
        const route = routeOf(request.method, request.path);
        const violations = checkExchange(request, response);
        const exchange: Exchange = { request, response, route, violations };
        done += 1;
        options.onProgress?.(done, indices.length);
        if (options.only) replayed.push(exchange);
        if (response.notSent) {
          notSent.push(exchange);
          continue;
        }
        sent += 1;
        bump(statusClasses, statusClass(response.status));
        bump(statusCodes, String(response.status));
        bump((routes[route] ??= {}), statusClass(response.status));
        bump(categories, request.category);
        bump(categoryMs, request.category, response.ms);
        if (response.status >= 500) fiveXx += 1;
        if (isNonScimErrorBody(request, violations)) nonScimErrorBodies += 1;
        for (const v of new Set(violations.map((x) => x.rule))) bump(violationsByRule, v);
        if (violations.length) failures.push(exchange);
        timings.push({ index, ms: response.ms, method: request.method, path: request.path, status: response.status });
        if (response.status === 201 && (route === 'scim:createUser' || route === 'scim:createGroup')) {
          try {
            const id = (JSON.parse(response.body) as { id?: unknown }).id;
            if (typeof id === 'string') created.push({ kind: route === 'scim:createUser' ? 'Users' : 'Groups', id });
          } catch {
            // the checker has reported a 201 that is not JSON
          }
        }
        if (response.status === 200 && route === 'scim:bulk') created.push(...bulkCreated(response.body));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const fuzzMs = performance.now() - fuzzStarted;

    const checkStarted = performance.now();
    const problems: string[] = [];
    const after = await scim.call('GET', '/ServiceProviderConfig');
    if (after.status !== 200) problems.push(`the SCIM token no longer works: ${after.status} ${after.text.slice(0, 200)}`);
    problems.push(...(await verifyWatched(scim, watched)));
    const listings = await verifyListings(scim, watched);
    problems.push(...listings.problems);
    const mine = [
      ...owned.users.map((id) => ({ kind: 'Users' as const, id })),
      ...owned.groups.map((id) => ({ kind: 'Groups' as const, id })),
      ...created,
    ];
    // As the membership-cleanup job would (every minute in AWS): memberships racing a delete go now.
    await options.beforeChecks?.();
    const readable = await verifyReadable(scim, mine, concurrency);
    problems.push(...readable.problems, ...verifyReferences(readable.found));
    const checkMs = performance.now() - checkStarted;

    failures.sort((a, b) => a.request.index - b.request.index);
    timings.sort((a, b) => b.ms - a.ms);
    return {
      seed: options.seed,
      requested: indices.length,
      sent,
      notSent,
      skipped,
      setupMs,
      fuzzMs,
      checkMs,
      statusClasses,
      statusCodes,
      routes,
      categories,
      categoryMs,
      fiveXx,
      nonScimErrorBodies,
      violationsByRule,
      failures,
      integrity: { ok: problems.length === 0, problems, listed: listings.counts, readableChecked: mine.length },
      slowest: timings.slice(0, 5),
      latency: {
        p50: percentile(timings, 0.5),
        p90: percentile(timings, 0.9),
        p99: percentile(timings, 0.99),
        max: timings[0]?.ms ?? 0,
      },
      created: created.length,
      replayed: replayed.sort((a, b) => a.request.index - b.request.index),
    };
  } finally {
    client.close();
  }
}

/** Did the run pass: no violation, integrity intact, every request sent? */
export const passed = (r: CampaignReport): boolean => r.failures.length === 0 && r.integrity.ok && r.notSent.length === 0;
