/** Turns samples into per-operation figures, checks targets, prints a table and writes JSON. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sample } from './harness';

export interface OperationFigures {
  operation: string;
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** DynamoDB calls per request by function label (means). */
  callsPerOp: Record<string, number>;
  /** Calls per op by function and command (means), e.g. { scim: { GetItem: 1 } }. */
  commandsPerOp: Record<string, Record<string, number>>;
  rcuPerOp: number;
  wcuPerOp: number;
  bytesPerOp: number;
}

export interface Target {
  name: string;
  figure: string;
  pass: boolean;
  /** A time figure: depends on the machine and its load (the others count calls, units and bytes). */
  timed?: boolean;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

export function figures(samples: Map<string, Sample[]>): OperationFigures[] {
  return [...samples.entries()].map(([operation, list]) => {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const calls: Record<string, number> = {};
    const commands: Record<string, Record<string, number>> = {};
    let rcu = 0;
    let wcu = 0;
    for (const s of list) {
      for (const [fn, cs] of Object.entries(s.calls)) {
        calls[fn] = (calls[fn] ?? 0) + cs.length;
        for (const c of cs) {
          (commands[fn] ??= {})[c.command] = (commands[fn]?.[c.command] ?? 0) + 1;
          rcu += c.rcu;
          wcu += c.wcu;
        }
      }
    }
    const n = list.length;
    return {
      operation,
      count: n,
      p50Ms: round(percentile(ms, 50), 1),
      p90Ms: round(percentile(ms, 90), 1),
      p99Ms: round(percentile(ms, 99), 1),
      callsPerOp: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, round(v / n)])),
      commandsPerOp: Object.fromEntries(
        Object.entries(commands).map(([fn, cs]) => [fn, Object.fromEntries(Object.entries(cs).map(([c, v]) => [c, round(v / n)]))]),
      ),
      rcuPerOp: round(rcu / n),
      wcuPerOp: round(wcu / n),
      bytesPerOp: Math.round(list.reduce((t, s) => t + s.bytes, 0) / n),
    };
  });
}

export function printTable(rows: OperationFigures[]): void {
  const head = ['operation', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'calls/op (fn)', 'RCU/op', 'WCU/op', 'bytes/op'];
  const body = rows.map((r) => [
    r.operation,
    String(r.count),
    String(r.p50Ms),
    String(r.p90Ms),
    String(r.p99Ms),
    Object.entries(r.callsPerOp)
      .map(([fn, n]) => `${fn} ${n}`)
      .join(', '),
    String(r.rcuPerOp),
    String(r.wcuPerOp),
    String(r.bytesPerOp),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

export function printTargets(targets: Target[]): void {
  console.log('');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.figure}`);
}

export async function writeReport(file: string, report: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
