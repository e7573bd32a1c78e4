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

export function instrument(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      if (command !== 'DescribeTable' && command !== 'CreateTable' && command !== 'ListTables') {
        input.ReturnConsumedCapacity ??= 'TOTAL';
      }
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: unknown };
      const fn = (globalThis as { __scimFunction__?: string }).__scimFunction__ ?? 'unknown';
      metricsSink().push({ fn, command, ...units(output.ConsumedCapacity, command) });
      return result;
    },
    { step: 'initialize', name: 'scimDynamoMetrics' },
  );
}
