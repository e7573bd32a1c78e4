/**
 * The one definition of the single DynamoDB table. The CDK stack (infra/constructs/table.ts)
 * and the local stack (shared/store/create-table.ts) are both built from it, and the
 * repositories read key names from here.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /** Epoch seconds; DynamoDB deletes the item some time after this instant. */
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
}

const gsi = (n: number): IndexDefinition => ({
  indexName: `GSI${n}`,
  partitionKey: { name: `GSI${n}PK`, type: 'S' },
  sortKey: { name: `GSI${n}SK`, type: 'S' },
});

export const TABLE: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  // GSI1: lookups by a unique lower-cased name (userName, displayName) and the inverted
  // membership index (a user's groups). GSI2: lookups by externalId. GSI3: stable listing
  // order per resource type. All generic, so new access patterns need no new index.
  globalSecondaryIndexes: [gsi(1), gsi(2), gsi(3)],
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
};

/** Environment variable through which every function learns the table's name. */
export const TABLE_NAME_ENV = 'TABLE_NAME';
