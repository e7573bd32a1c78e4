import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { TABLE, type TableDefinition } from './table';

/**
 * CreateTable input built from the shared table definition (used by the local stack and tests).
 * `stream`: with the change stream (as deployed), or without it, for a table whose stream no one
 * reads (tests and benchmark runs without the event pipeline: DynamoDB Local keeps every stream
 * record in memory, and a test run's millions of writes make it slow).
 */
export function createTableInput(tableName: string, def: TableDefinition = TABLE, stream = true): CreateTableCommandInput {
  const attributes = new Map<string, AttributeDefinition>();
  const add = (k: { name: string; type: 'S' | 'N' }): void => {
    attributes.set(k.name, { AttributeName: k.name, AttributeType: k.type });
  };
  add(def.partitionKey);
  add(def.sortKey);
  for (const index of def.globalSecondaryIndexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: def.billingMode,
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
    AttributeDefinitions: [...attributes.values()],
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}

/** Creates the table unless it exists; returns true when it created it. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  def: TableDefinition = TABLE,
  options: { stream?: boolean } = {},
): Promise<boolean> {
  const stream = options.stream ?? true;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table made before the change stream existed (local data of an older version) gets it now.
    if (stream && !Table?.StreamSpecification?.StreamEnabled) {
      await client.send(
        new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }),
      );
    }
    return false;
  } catch (e: unknown) {
    if (!(e instanceof Error) || e.name !== 'ResourceNotFoundException') throw e;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName, def, stream)));
  } catch (e: unknown) {
    if (e instanceof ResourceInUseException) return false;
    throw e;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
    }),
  );
  return true;
}
