/**
 * Benchmark harness: DynamoDB Local, the local stack with DynamoDB call metrics, a SCIM token,
 * and `measure`, which runs a request and records its latency, the DynamoDB calls and capacity
 * units each function spent on it, and the response size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/store/client';
import { METRICS_ENV, metricsSink, type DynamoCall } from '../../shared/store/metrics';
import { DynamoTokenRepository } from '../../shared/store/token-repository';
import { seedToken } from '../support/local-stack';

export interface Sample {
  ms: number;
  bytes: number;
  status: number;
  /** DynamoDB calls per function label (scim, scim-authorizer, admin, …). */
  calls: Record<string, DynamoCall[]>;
}

export interface Bench {
  db: DynamoDbLocal;
  stack: LocalStack;
  token: string;
  tableName: string;
  samples: Map<string, Sample[]>;
  /** Runs `request` and records it under `name`; returns the response and its body. */
  measure(name: string, request: () => Promise<Response>): Promise<{ res: Response; body: string; sample: Sample }>;
  /** Records the calls made by `work` (no HTTP), e.g. a background job run. */
  measureWork<T>(name: string, work: () => Promise<T>): Promise<{ result: T; sample: Sample }>;
  scim(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export function label(fn: string): void {
  (globalThis as { __scimFunction__?: string }).__scimFunction__ = fn;
}

function byFunction(calls: DynamoCall[]): Record<string, DynamoCall[]> {
  const out: Record<string, DynamoCall[]> = {};
  for (const c of calls) (out[c.fn] ??= []).push(c);
  return out;
}

export async function startBench(options: Partial<LocalStackOptions> = {}): Promise<Bench> {
  process.env[METRICS_ENV] = '1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  // Embedded-metric lines are for CloudWatch (as in npm start): thousands of them would bury the figures.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const db = await startDynamoDbLocal();
  const localDir = await mkdtemp(join(tmpdir(), 'scim-bench-'));
  const tableName = 'bench';
  const stack = await startLocalStack({ dynamoEndpoint: db.endpoint, tableName, port: 0, localDir, onInvoke: label, ...options });

  label('bench');
  const tokens = new DynamoTokenRepository(createDocumentClient(), tableName);
  const token = await seedToken(tokens);

  const samples = new Map<string, Sample[]>();
  const record = (name: string, sample: Sample): void => {
    const list = samples.get(name) ?? [];
    list.push(sample);
    samples.set(name, list);
  };
  const sink = metricsSink();

  const bench: Bench = {
    db,
    stack,
    token,
    tableName,
    samples,
    async measure(name, request) {
      label('bench');
      const first = sink.length;
      const started = performance.now();
      const res = await request();
      const body = await res.text();
      const ms = performance.now() - started;
      const sample: Sample = { ms, bytes: Buffer.byteLength(body), status: res.status, calls: byFunction(sink.slice(first)) };
      label('bench');
      record(name, sample);
      return { res, body, sample };
    },
    async measureWork(name, work) {
      label(name.split(' ')[0] ?? name);
      const first = sink.length;
      const started = performance.now();
      const result = await work();
      const sample: Sample = { ms: performance.now() - started, bytes: 0, status: 0, calls: byFunction(sink.slice(first)) };
      label('bench');
      record(name, sample);
      return { result, sample };
    },
    scim(path, init = {}) {
      return fetch(`${stack.scimBaseUrl}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json', ...(init.headers ?? {}) },
      });
    },
    async stop() {
      await stack.stop();
      await db.stop();
      await rm(localDir, { recursive: true, force: true });
    },
  };
  return bench;
}

/** A progress line that rewrites itself on a terminal, and prints plainly elsewhere. */
export function progress(text: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${text}`);
  else console.log(text);
}

/** A whole-number command-line option `--name N`, or the fallback. */
export function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number`);
  return n;
}
