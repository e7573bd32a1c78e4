import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE, type KeyAttribute } from '../../shared/store/table';

const attr = (k: KeyAttribute): { name: string; type: AttributeType } => ({
  name: k.name,
  type: k.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * The single table, from the shared definition. Fixed props: on-demand billing,
 * point-in-time recovery, deletion protection and RETAIN are always on (the directory must never
 * be lost: neither a stack deletion nor a DeleteTable call removes it).
 *
 * Encryption at rest uses the key DynamoDB owns (always on, free), not a customer managed KMS key
 * ($1 a month plus requests). Who may read which items is decided by IAM, per function and per
 * partition (infra/functions.ts); a key policy would only repeat those grants for the same roles.
 * And a customer managed key is one more thing that can lose the directory: a key disabled or
 * scheduled for deletion makes the retained table and every point-in-time backup unreadable.
 */
export class ScimTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: attr(TABLE.partitionKey),
      sortKey: attr(TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      // The change events' source: every committed write, with the item before and after.
      stream: StreamViewType[TABLE.stream],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.DEFAULT,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attr(index.partitionKey),
        sortKey: attr(index.sortKey),
        projectionType: index.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      });
    }
  }
}
