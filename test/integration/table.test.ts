import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoConfig } from '../../shared/store/client';
import { ensureTable } from '../../shared/store/create-table';
import { TABLE } from '../../shared/store/table';

describe('the local table comes from the shared definition', () => {
  const client = new DynamoDBClient(dynamoConfig());
  const tableName = `table-test-${Date.now()}`;
  afterAll(() => client.destroy());

  it('is created once with the defined keys, indexes and TTL attribute', async () => {
    expect(await ensureTable(client, tableName)).toBe(true);
    expect(await ensureTable(client, tableName)).toBe(false); // idempotent, as `npm start` needs

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    // The change events' source: every write with the item before and after.
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      TABLE.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('gets its change stream when it was made without one (local data of an older version)', async () => {
    const older = `${tableName}-older`;
    expect(await ensureTable(client, older, TABLE, { stream: false })).toBe(true);
    expect((await client.send(new DescribeTableCommand({ TableName: older }))).Table?.StreamSpecification).toBeUndefined();
    expect(await ensureTable(client, older)).toBe(false);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: older }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });
});
