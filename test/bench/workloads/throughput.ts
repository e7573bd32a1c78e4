/**
 * Throughput and CPU (issue 12): N concurrent identity-provider clients (N = 1, 8, 32; an
 * Entra-like mix of lookups, PATCHes and creates) through the local gateway, from a separate
 * process, so that this process's CPU time (process.cpuUsage) is the server's: the gateway, the
 * authorizer and the handlers (DynamoDB Local runs in Java, apart). Then each operation alone, for
 * its CPU per request (what the Lambda bill is computed from).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadPlan, LoadResult, Operation } from '../load/client';
import { pauseMetrics } from '../../../shared/store/metrics';
import { progress, type Bench } from '../harness';

export interface ThroughputFigure {
  clients: number;
  mix: string;
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  /** DynamoDB Local's CPU (the Java process), per request: what a real table does for us, shown apart. */
  dynamoCpuMsPerRequest: number;
  /** The load client's CPU per request (the same 2 cores). */
  clientCpuMsPerRequest: number;
}

/** CPU milliseconds a process has used (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100 a second).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

function runClients(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, '..', 'load', 'client.ts'), [JSON.stringify(plan)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load client exited with ${code}`));
    });
  });
}

async function phase(
  bench: Bench,
  clients: number,
  mix: Partial<Record<Operation, number>>,
  seconds: number,
  users: { ids: string[]; names: string[] },
): Promise<ThroughputFigure> {
  const cpu = process.cpuUsage();
  const javaPid = bench.db.process.pid;
  const java = processCpuMs(javaPid);
  const started = performance.now();
  const result = await runClients({
    scimBaseUrl: bench.stack.scimBaseUrl,
    token: bench.token,
    clients,
    seconds,
    mix,
    userIds: users.ids,
    userNames: users.names,
  });
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const javaUsed = processCpuMs(javaPid) - java;
  const all = Object.values(result.latencies).flat();
  return {
    clients,
    mix: Object.entries(mix)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    requests: result.requests,
    errors: result.errors,
    seconds: round(elapsed),
    requestsPerSecond: round(result.requests / elapsed),
    p50Ms: round(percentile(all, 50)),
    p99Ms: round(percentile(all, 99)),
    cpuMsPerRequest: round((used.user + used.system) / 1000 / Math.max(1, result.requests), 2),
    dynamoCpuMsPerRequest: round(javaUsed / Math.max(1, result.requests), 2),
    clientCpuMsPerRequest: round(result.cpuMs / Math.max(1, result.requests), 2),
  };
}

export const ENTRA_MIX: Record<Operation, number> = { lookup: 6, patch: 3, create: 1 };

export async function throughput(
  bench: Bench,
  users: { ids: string[]; names: string[] },
  seconds: number,
): Promise<{ mixed: ThroughputFigure[]; perOperation: ThroughputFigure[] }> {
  // As deployed: no consumed capacity asked for, no call recorded (the other workloads count them).
  pauseMetrics(true);
  try {
    return await phases(bench, users, seconds);
  } finally {
    pauseMetrics(false);
  }
}

async function phases(
  bench: Bench,
  users: { ids: string[]; names: string[] },
  seconds: number,
): Promise<{ mixed: ThroughputFigure[]; perOperation: ThroughputFigure[] }> {
  // Unmeasured first: DynamoDB Local's JIT warms up (a real table has no warm-up of ours to pay).
  progress('  throughput: warming up…');
  await phase(bench, 8, ENTRA_MIX, seconds, users);
  const mixed: ThroughputFigure[] = [];
  for (const n of [1, 8, 32]) {
    progress(`  throughput: ${n} client(s)…`);
    mixed.push(await phase(bench, n, ENTRA_MIX, seconds, users));
  }
  const perOperation: ThroughputFigure[] = [];
  for (const op of ['lookup', 'patch', 'create'] as const) {
    progress(`  throughput: ${op} alone, 8 clients…`);
    perOperation.push(await phase(bench, 8, { [op]: 1 }, Math.max(2, seconds / 2), users));
  }
  progress('  throughput: done\n');
  return { mixed, perOperation };
}

export function printThroughput(t: { mixed: ThroughputFigure[]; perOperation: ThroughputFigure[] }): void {
  console.log('\nthroughput (local gateway, DynamoDB Local; CPU = the server process)');
  console.log(
    'clients  mix                          requests  req/s   p50 ms  p99 ms  CPU ms/request  DynamoDB Local CPU ms/request  client CPU ms/request  errors',
  );
  for (const f of [...t.mixed, ...t.perOperation]) {
    console.log(
      `${String(f.clients).padStart(7)}  ${f.mix.padEnd(27)}  ${String(f.requests).padStart(8)}  ${String(f.requestsPerSecond).padStart(5)}  ${String(f.p50Ms).padStart(6)}  ${String(f.p99Ms).padStart(6)}  ${String(f.cpuMsPerRequest).padStart(14)}  ${String(f.dynamoCpuMsPerRequest).padStart(29)}  ${String(f.clientCpuMsPerRequest).padStart(21)}  ${String(f.errors).padStart(6)}`,
    );
  }
}
