/**
 * The translator of DynamoDB's cancelled transactions: a conflict with another transaction is
 * retried, and one that outlives the retries is a lost race (503 for the client), never a raw error.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { VersionConflictError } from '../../shared/scim/ports';
import { retryConflicts } from '../../shared/store/errors';

const cancelled = (...codes: string[]): TransactionCanceledException =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('retryConflicts', () => {
  it('retries a transaction conflict and returns what the attempt that landed returned', async () => {
    let calls = 0;
    const result = await retryConflicts(async () => {
      if (++calls < 3) throw cancelled('None', 'TransactionConflict');
      return 'ok';
    }, 5);
    expect({ result, calls }).toEqual({ result: 'ok', calls: 3 });
  });

  it('turns a conflict that outlives every attempt into a lost race that says the resource itself may be unchanged', async () => {
    let calls = 0;
    const error = await retryConflicts(async () => {
      calls++;
      throw cancelled('TransactionConflict');
    }, 3).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect((error as VersionConflictError).resourceChanged).toBe(false);
  });

  it('passes a failed condition on at once (a domain answer, not a race to retry)', async () => {
    let calls = 0;
    const failed = cancelled('ConditionalCheckFailed', 'TransactionConflict');
    await expect(
      retryConflicts(async () => {
        calls++;
        throw failed;
      }, 5),
    ).rejects.toBe(failed);
    expect(calls).toBe(1);
  });
});
