import { itemBytes, transactionUnits } from '../../shared/store/metrics';

describe('benchmark capacity estimates for transactions', () => {
  it('sizes an item by attribute names and values', () => {
    expect(itemBytes({ PK: { S: 'GROUP#g1' }, n: { N: '12345' }, ok: { BOOL: true } })).toBe(2 + 8 + 1 + 4 + 2 + 1);
  });

  it('counts every transactional write twice per KB, plus a write per KB to each index the item is in', () => {
    const small = { PK: { S: 'a' }, SK: { S: 'b' } };
    const indexed = { ...small, GSI1PK: { S: 'x' }, GSI1SK: { S: 'y' }, GSI3PK: { S: 'z' }, GSI3SK: { S: 'w' } };
    const big = { ...small, data: { S: 'x'.repeat(1500) } };
    expect(
      transactionUnits({
        TransactItems: [
          { Put: { Item: small } },
          { Put: { Item: indexed } },
          { Put: { Item: big } },
          { Update: {} },
          { Delete: {} },
          { ConditionCheck: {} },
        ],
      }),
    ).toEqual({ wcu: 2 + (2 + 2) + 4 + 2 + 2, rcu: 2 });
  });
});
