/**
 * A load client, run in its own process (so that the benchmark's CPU figures are the server's):
 * N concurrent identity-provider clients for a number of seconds, each request drawn from a mix.
 * Receives its plan as JSON in argv[2]; sends back { requests, errors, latencies } over IPC.
 */
import { randomUUID } from 'node:crypto';

export type Operation = 'lookup' | 'patch' | 'create';

export interface LoadPlan {
  scimBaseUrl: string;
  token: string;
  clients: number;
  seconds: number;
  /** Weights of each operation (an Entra-like mix: mostly lookups, then PATCHes, some creates). */
  mix: Partial<Record<Operation, number>>;
  userIds: string[];
  userNames: string[];
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Milliseconds, per operation. */
  latencies: Record<string, number[]>;
  /** This client process's own CPU milliseconds (it shares the machine with the server). */
  cpuMs: number;
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function run(plan: LoadPlan): Promise<LoadResult> {
  const cpu = process.cpuUsage();
  const result: LoadResult = { requests: 0, errors: 0, latencies: {}, cpuMs: 0 };
  const ops = Object.entries(plan.mix) as [Operation, number][];
  const total = ops.reduce((n, [, w]) => n + w, 0);
  const pick = (): Operation => {
    let r = Math.random() * total;
    for (const [op, w] of ops) if ((r -= w) < 0) return op;
    return ops[0]?.[0] ?? 'lookup';
  };
  const headers = { Authorization: `Bearer ${plan.token}`, 'Content-Type': 'application/scim+json' };
  const any = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
  const request = (op: Operation): Promise<Response> => {
    if (op === 'lookup') {
      const filter = encodeURIComponent(`userName eq "${any(plan.userNames)}"`);
      return fetch(`${plan.scimBaseUrl}/Users?filter=${filter}`, { headers });
    }
    if (op === 'patch') {
      return fetch(`${plan.scimBaseUrl}/Users/${any(plan.userIds)}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: `t${Math.random()}` }] }),
      });
    }
    const userName = `load.${randomUUID()}@example.com`;
    return fetch(`${plan.scimBaseUrl}/Users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        externalId: randomUUID(),
        active: true,
        emails: [{ primary: true, type: 'work', value: userName }],
        name: { givenName: 'Load', familyName: 'Client' },
      }),
    });
  };
  const until = performance.now() + plan.seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < until) {
      const op = pick();
      const t = performance.now();
      const res = await request(op);
      await res.arrayBuffer();
      (result.latencies[op] ??= []).push(performance.now() - t);
      result.requests++;
      if (res.status >= 400) result.errors++;
    }
  };
  await Promise.all(Array.from({ length: plan.clients }, client));
  const used = process.cpuUsage(cpu);
  result.cpuMs = (used.user + used.system) / 1000;
  return result;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
run(plan)
  .then((r) => process.send?.(r, () => process.exit(0)))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
