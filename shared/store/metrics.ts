/**
 * DynamoDB call metrics for the benchmark: an SDK middleware that asks for consumed capacity
 * and records every call (command, read and write capacity units) in a process-wide sink. Off
 * unless SCIM_DYNAMODB_METRICS=1, so deployed functions never pay for it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const METRICS_ENV = 'SCIM_DYNAMODB_METRICS';

export interface DynamoCall {
  /** The function that made the call, as the benchmark labelled it (globalThis.__scimFunction__). */
  fn: string;
  command: string;
  rcu: number;
  wcu: number;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** The sink is on globalThis so that separately bundled functions in one process share it. */
export function metricsSink(): DynamoCall[] {
  const g = globalThis as { __scimDynamoCalls__?: DynamoCall[] };
  g.__scimDynamoCalls__ ??= [];
  return g.__scimDynamoCalls__;
}

const READS = /^(Get|BatchGet|Query|Scan|TransactGet)/;

function units(consumed: unknown, command: string): { rcu: number; wcu: number } {
  let rcu = 0;
  let wcu = 0;
  for (const c of [consumed].flat() as (Capacity | undefined)[]) {
    if (!c) continue;
    const total = c.CapacityUnits ?? 0;
    // DynamoDB Local reports totals only; attribute them by the kind of command.
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      rcu += c.ReadCapacityUnits ?? 0;
      wcu += c.WriteCapacityUnits ?? 0;
    } else if (READS.test(command)) rcu += total;
    else wcu += total;
  }
  return { rcu, wcu };
}

type AttributeValue = {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
};

/** An item's size by DynamoDB's rules (attribute names plus values; numbers about half their digits). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  const value = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.length / 2) + 1;
    if (v.B !== undefined) return v.B.length;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.M) return 3 + itemBytes(v.M);
    if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + value(x), 0);
    if (v.SS) return v.SS.reduce((n, x) => n + Buffer.byteLength(x), 0);
    if (v.NS) return v.NS.reduce((n, x) => n + Math.ceil(x.length / 2) + 1, 0);
    return 0;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + value(v), 0);
}

/**
 * DynamoDB Local reports one fixed figure for a whole TransactWriteItems, however many items it
 * writes, so transactions are costed by DynamoDB's documented rules instead: every item written
 * twice (prepare and commit), per started KB, plus one write per KB to each index whose keys the
 * item carries; a ConditionCheck reads twice. Updates and deletes count as one KB.
 */
export function transactionUnits(input: unknown): { rcu: number; wcu: number } {
  let rcu = 0;
  let wcu = 0;
  for (const t of ((input as { TransactItems?: unknown[] }).TransactItems ?? []) as Record<
    string,
    { Item?: Record<string, AttributeValue> }
  >[]) {
    if (t.Put?.Item) {
      const kb = Math.ceil(itemBytes(t.Put.Item) / 1024);
      const indexes = Object.keys(t.Put.Item).filter((k) => /^GSI\d+PK$/.test(k)).length;
      wcu += 2 * kb + indexes * kb;
    } else if (t.Update || t.Delete) wcu += 2;
    else if (t.ConditionCheck) rcu += 2;
  }
  return { rcu, wcu };
}

/**
 * Pauses the recording (process-wide, as the sink is): the benchmark's throughput run measures the
 * calls as deployed, without consumed capacity asked for or counted.
 */
export function pauseMetrics(paused: boolean): void {
  (globalThis as { __scimDynamoMetricsPaused__?: boolean }).__scimDynamoMetricsPaused__ = paused;
}

export function instrument(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if ((globalThis as { __scimDynamoMetricsPaused__?: boolean }).__scimDynamoMetricsPaused__ === true) return next(args);
      const input = args.input as Record<string, unknown>;
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      if (command !== 'DescribeTable' && command !== 'CreateTable' && command !== 'ListTables') {
        input.ReturnConsumedCapacity ??= 'TOTAL';
      }
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: unknown };
      const fn = (globalThis as { __scimFunction__?: string }).__scimFunction__ ?? 'unknown';
      const measured = command === 'TransactWriteItems' ? transactionUnits(input) : units(output.ConsumedCapacity, command);
      metricsSink().push({ fn, command, ...measured });
      return result;
    },
    { step: 'initialize', name: 'scimDynamoMetrics' },
  );
}
