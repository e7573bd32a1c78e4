import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE, type KeyAttribute } from '../../shared/store/table';

const attr = (k: KeyAttribute): { name: string; type: AttributeType } => ({
  name: k.name,
  type: k.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * The single table, from the shared definition. Fixed props: on-demand billing,
 * point-in-time recovery and RETAIN are always on (the directory must never be lost).
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
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attr(index.partitionKey),
        sortKey: attr(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
