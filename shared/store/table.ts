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
  /** ALL: a Query answers whole items; KEYS_ONLY: table keys only (the items are read by key after). */
  readonly projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /** Epoch seconds; DynamoDB deletes the item some time after this instant. */
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
  /** The table's change stream: every committed write with the item before and after (the change events' source). */
  readonly stream: 'NEW_AND_OLD_IMAGES';
}

const gsi = (n: number, projection: IndexDefinition['projection'] = 'ALL'): IndexDefinition => ({
  indexName: `GSI${n}`,
  partitionKey: { name: `GSI${n}PK`, type: 'S' },
  sortKey: { name: `GSI${n}SK`, type: 'S' },
  projection,
});

export const TABLE: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  // GSI1: the resources of a type in order of their unique name (eq, sw, pr, sortBy), users' email
  // addresses in order, and the inverted membership index (a member's groups). GSI2: in order of
  // externalId. GSI3: in creation order (the stable listing). GSI4: in order of lastModified (delta
  // sync): every write moves it, so it holds keys only (a few bytes an entry, the cheapest index to
  // keep current) and its matches are read by key. Generic key names, so a new access pattern needs
  // no new index (CloudFormation adds only one index per deployment).
  globalSecondaryIndexes: [gsi(1), gsi(2), gsi(3), gsi(4, 'KEYS_ONLY')],
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  stream: 'NEW_AND_OLD_IMAGES',
};

/** Environment variable through which every function learns the table's name. */
export const TABLE_NAME_ENV = 'TABLE_NAME';
