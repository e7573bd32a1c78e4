/**
 * The change-event benchmark, in a process of its own (its stack runs the event pipeline, which the
 * main benchmark's seeding would flood): commit-to-delivery latency through the local pipeline
 * (DynamoDB Local's stream → events function → FIFO queue stand-in → webhook sender → a receiver
 * in this process), for single changes and for a 1,000-member PATCH; events per second sustained
 * under 8 clients; and the DynamoDB, SQS and EventBridge calls per change. Every delivery is
 * checked: each change once, in order per resource. Run by test/bench/run.ts (fork, IPC), or alone:
 * `tsx test/bench/events.ts [--changes N]`.
 */
import { fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { bundleFunctions } from '../../infra/bundle';
import { FUNCTIONS, type FunctionKey } from '../../infra/functions';
import { createDocumentClient } from '../../shared/store/client';
import { metricsSink } from '../../shared/store/metrics';
import { label, option, progress, startBench, type Bench } from './harness';
import type { Target } from './report';
import { seedUsers } from './seed';

export interface EventsFigures {
  single: { changes: number; p50Ms: number; p99Ms: number };
  bigPatch: { members: number; events: number; lastDeliveryMs: number };
  sustained: { clients: number; changes: number; seconds: number; eventsPerSecond: number };
  /** Per change (means over the single changes): DynamoDB calls of each pipeline function, and AWS API calls. */
  perChange: { dynamo: Record<string, Record<string, number>>; aws: Record<string, number> };
  exactlyOnce: { changes: number; delivered: number; duplicates: number; outOfOrder: number; busEvents: number };
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

interface Arrival {
  id: string;
  resourceId: string;
  sequence: number;
  at: number;
  members: number;
}

async function receiver(): Promise<{ server: Server; url: string; arrivals: Arrival[]; waiters: Map<string, () => void> }> {
  const arrivals: Arrival[] = [];
  const waiters = new Map<string, () => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id: string;
        resourceId: string;
        sequence: number;
        members?: { added: string[]; removed: string[] };
      };
      arrivals.push({
        id: e.id,
        resourceId: e.resourceId,
        sequence: e.sequence,
        at: performance.now(),
        members: (e.members?.added.length ?? 0) + (e.members?.removed.length ?? 0),
      });
      waiters.get(`${e.resourceId}:${e.sequence}`)?.();
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const a = server.address();
  return { server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`, arrivals, waiters };
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const titlePatch = (n: number): string =>
  JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `title ${n}` }] });

export async function runEvents(options: {
  changes: number;
  functionFiles?: Partial<Record<FunctionKey, string>>;
}): Promise<EventsFigures> {
  const bench: Bench = await startBench({
    events: { settleSeconds: 1 },
    ...(options.functionFiles ? { functionFiles: options.functionFiles } : {}),
  });
  const rx = await receiver();
  const pipeline = bench.stack.events;
  if (!pipeline) throw new Error('The bench stack runs without its event pipeline');
  try {
    // The users first (their create events are logged before any webhook exists), then the webhook.
    const db = createDocumentClient();
    const users = await seedUsers(db, bench.tableName, 1000 + options.changes, 'ev');
    db.destroy();
    progress(`  events: seeded ${users.length} users; waiting for their events to be logged`);
    await pipeline.drained(120_000);
    const admin = (path: string, body: unknown): Promise<Response> =>
      fetch(`${bench.stack.adminBaseUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bench.stack.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    if ((await admin('/webhooks', { url: rx.url })).status !== 201) throw new Error('could not register the webhook');

    const delivered = (resourceId: string, sequence: number): Promise<void> =>
      new Promise((ok) => {
        if (rx.arrivals.some((a) => a.resourceId === resourceId && a.sequence === sequence)) return ok();
        rx.waiters.set(`${resourceId}:${sequence}`, ok);
      });
    const get = async (id: string): Promise<number> => {
      const res = await bench.scim(`/Users/${id}`);
      return Number(((await res.json()) as { meta: { version: string } }).meta.version.replace(/\D/g, ''));
    };

    // 1. Single changes, one at a time: response (the commit) to the webhook's receipt.
    const sink = metricsSink();
    const single: number[] = [];
    const awsBefore = pipeline.awsCalls();
    const firstCall = sink.length;
    const n = Math.min(200, options.changes);
    for (let i = 0; i < n; i++) {
      const id = users[i] ?? '';
      const version = await get(id);
      label('bench');
      const res = await bench.scim(`/Users/${id}`, { method: 'PATCH', body: titlePatch(i) });
      await res.text();
      const committed = performance.now();
      await delivered(id, version + 1);
      const arrival = rx.arrivals.find((a) => a.resourceId === id && a.sequence === version + 1);
      single.push((arrival?.at ?? NaN) - committed);
      await pipeline.drained();
      if (i % 50 === 49) progress(`  events: ${i + 1} single changes`);
    }
    const dynamo: Record<string, Record<string, number>> = {};
    for (const c of sink.slice(firstCall)) {
      if (c.fn !== 'events' && c.fn !== 'webhook-sender') continue;
      (dynamo[c.fn] ??= {})[c.command] = (dynamo[c.fn]?.[c.command] ?? 0) + 1 / n;
    }
    const awsAfter = pipeline.awsCalls();
    const aws = Object.fromEntries(Object.entries(awsAfter).map(([k, v]) => [k, round((v - (awsBefore[k] ?? 0)) / n, 2)]));

    // 2. A 1,000-member PATCH of a group: response to the last of its events.
    const group = await bench.scim('/Groups', {
      method: 'POST',
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'bench events' }),
    });
    const groupId = String(((await group.json()) as { id: string }).id);
    const members = users.slice(options.changes, options.changes + 1000).map((value) => ({ value }));
    await pipeline.drained();
    const patch = await bench.scim(`/Groups/${groupId}`, {
      method: 'PATCH',
      body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members }] }),
    });
    await patch.text();
    const patched = performance.now();
    const groupEvents = (): Arrival[] => rx.arrivals.filter((a) => a.resourceId === groupId && a.members > 0);
    const until = Date.now() + 60_000;
    while (groupEvents().reduce((s, a) => s + a.members, 0) < members.length && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    const bigEvents = groupEvents();
    const lastDeliveryMs = Math.max(...bigEvents.map((a) => a.at)) - patched;

    // 3. Sustained: 8 clients, each PATCHing its own users, as fast as they can.
    const clients = 8;
    const targets = users.slice(0, options.changes);
    const before = rx.arrivals.length;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < targets.length) {
          const i = next++;
          const res = await bench.scim(`/Users/${targets[i] ?? ''}`, { method: 'PATCH', body: titlePatch(1000 + i) });
          await res.text();
        }
      }),
    );
    const deadline = Date.now() + 120_000;
    while (rx.arrivals.length - before < targets.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const seconds = (Math.max(...rx.arrivals.slice(before).map((a) => a.at)) - started) / 1000;
    await pipeline.drained();

    // Every delivery: once, in order per resource.
    const ids = rx.arrivals.map((a) => a.id);
    const duplicates = ids.length - new Set(ids).size;
    const last = new Map<string, number>();
    let outOfOrder = 0;
    for (const a of rx.arrivals) {
      if ((last.get(a.resourceId) ?? 0) >= a.sequence) outOfOrder++;
      last.set(a.resourceId, a.sequence);
    }
    // The single changes, the group's creation, the sustained ones (the big PATCH's events are added below).
    const changes = n + 1 + targets.length;
    return {
      single: { changes: n, p50Ms: round(percentile(single, 50)), p99Ms: round(percentile(single, 99)) },
      bigPatch: { members: members.length, events: bigEvents.length, lastDeliveryMs: round(lastDeliveryMs) },
      sustained: { clients, changes: targets.length, seconds: round(seconds, 2), eventsPerSecond: round(targets.length / seconds) },
      perChange: {
        dynamo: Object.fromEntries(
          Object.entries(dynamo).map(([fn, cs]) => [fn, Object.fromEntries(Object.entries(cs).map(([c, v]) => [c, round(v, 2)]))]),
        ),
        aws,
      },
      exactlyOnce: {
        changes: changes + bigEvents.length,
        delivered: rx.arrivals.length,
        duplicates,
        outOfOrder,
        busEvents: pipeline.busEvents().length,
      },
    };
  } finally {
    await new Promise<void>((ok) => rx.server.close(() => ok()));
    await bench.stop();
  }
}

/** The bundles that would be deployed (as the main benchmark runs them): given by the parent, or built here. */
async function functionFiles(): Promise<Partial<Record<FunctionKey, string>>> {
  const i = process.argv.indexOf('--files');
  if (i >= 0) return JSON.parse(String(process.argv[i + 1])) as Record<FunctionKey, string>;
  const bundles = await bundleFunctions(join(__dirname, '..', '..', 'bench-results', 'bundles'));
  return Object.fromEntries(Object.keys(FUNCTIONS).map((k) => [k, bundles[k]?.file]));
}

if (require.main === module) {
  functionFiles()
    .then((files) => runEvents({ changes: option('changes', 1000), functionFiles: files }))
    .then((figures) => {
      if (process.send) process.send(figures);
      else console.log(JSON.stringify(figures, null, 2));
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}

/** Runs the workload in a child process (its own DynamoDB Local and stack) on the given bundles. */
export function forkEvents(files: Partial<Record<FunctionKey, string>>, changes: number): Promise<EventsFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--changes', String(changes), '--files', JSON.stringify(files)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    child.once('message', (m) => resolve(m as EventsFigures));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the events benchmark exited with ${code}`));
    });
  });
}

export function printEvents(f: EventsFigures): void {
  console.log('\nChange events (commit = the SCIM response; delivery = the webhook receiver has the event):');
  console.log(`  single change, commit to delivery: p50 ${f.single.p50Ms} ms, p99 ${f.single.p99Ms} ms (${f.single.changes} changes)`);
  console.log(
    `  PATCH adding ${f.bigPatch.members} members: ${f.bigPatch.events} events, the last delivered ${f.bigPatch.lastDeliveryMs} ms after the response`,
  );
  console.log(
    `  sustained, ${f.sustained.clients} clients: ${f.sustained.changes} changes delivered in ${f.sustained.seconds} s = ${f.sustained.eventsPerSecond} events/s`,
  );
  console.log(`  per change: DynamoDB ${JSON.stringify(f.perChange.dynamo)}, AWS ${JSON.stringify(f.perChange.aws)}`);
}

export function eventTargets(f: EventsFigures): Target[] {
  const e = f.exactlyOnce;
  return [
    {
      name: 'change events: every committed change delivered once, in order per resource',
      figure: `${e.delivered} delivered for ${e.changes} changes, ${e.duplicates} repeated, ${e.outOfOrder} out of order`,
      pass: e.delivered === e.changes && e.duplicates === 0 && e.outOfOrder === 0,
    },
    {
      name: 'change events: a 1,000-member PATCH is one event per transaction of members (never one per member)',
      figure: `${f.bigPatch.events} events for ${f.bigPatch.members} members`,
      pass: f.bigPatch.events >= 1 && f.bigPatch.events <= Math.ceil(f.bigPatch.members / 90),
    },
    {
      name: 'change events: each logged with one TransactWriteItems, delivered with 3 GetItem and 2 UpdateItem',
      figure: JSON.stringify(f.perChange.dynamo),
      // Rounded: calls are told apart by a process-wide label, which a request beside the pipeline can blur by a few in a thousand.
      pass:
        Math.round(f.perChange.dynamo.events?.TransactWriteItems ?? 0) === 1 &&
        Math.round(f.perChange.dynamo['webhook-sender']?.GetItem ?? 0) === 3 &&
        Math.round(f.perChange.dynamo['webhook-sender']?.UpdateItem ?? 0) === 2,
    },
    {
      name: 'change events: commit to webhook delivery p99 < 1 s locally',
      figure: `p50 ${f.single.p50Ms} ms, p99 ${f.single.p99Ms} ms`,
      pass: f.single.p99Ms < 1000,
      timed: true,
    },
  ];
}
