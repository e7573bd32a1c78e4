import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../scim/ports';

/** The cancellation reason codes of a cancelled transaction, one per item (or [] for other errors). */
export function cancellationCodes(e: unknown): (string | undefined)[] {
  if (e instanceof TransactionCanceledException) return (e.CancellationReasons ?? []).map((r) => r.Code);
  return [];
}

export function isConditionFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'ConditionalCheckFailedException';
}

/** The index of the first item whose condition failed in a cancelled transaction, or -1. */
export function failedCondition(e: unknown): number {
  return cancellationCodes(e).findIndex((c) => c === 'ConditionalCheckFailed');
}

/**
 * The one translator of cancelled transactions into domain errors: when an item's condition
 * failed, `at(index)` says which domain error that means (a uniqueness guard, a version check, a
 * limit); anything else (throttling, a conflict that outlived its retries) is rethrown as it is.
 */
export function translateCancellation(e: unknown, at: (index: number) => Error): Error {
  const failed = failedCondition(e);
  return failed < 0 ? (e instanceof Error ? e : new Error(String(e))) : at(failed);
}

/** A transaction that lost a race with another one (nothing was written; retrying is safe). */
export function isTransactionConflict(e: unknown): boolean {
  const codes = cancellationCodes(e);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/**
 * Retries `fn` while it fails with a transaction conflict (another transaction held one of its
 * items), with jittered exponential backoff: enough attempts for tens of concurrent writers. A
 * conflict that outlives them is a VersionConflictError (nothing was written): the write loop plans
 * again or answers 503 with Retry-After, never a 500.
 */
export async function retryConflicts<T>(fn: () => Promise<T>, attempts = 25): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e: unknown) {
      if (!isTransactionConflict(e)) throw e;
      if (attempt >= attempts)
        throw new VersionConflictError('Another write held the same items through every retry', { cause: e, resourceChanged: false });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** Math.min(attempt, 5))));
    }
  }
}

/**
 * One TransactWriteItems (conflicts retried) whose first item carries the condition that decides
 * it (a guard, a limit, an existence check): false, and nothing written, when that condition failed.
 */
export async function transactUnlessFirstRefused(
  db: DynamoDBDocumentClient,
  items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
): Promise<boolean> {
  try {
    await retryConflicts(() => db.send(new TransactWriteCommand({ TransactItems: items })));
    return true;
  } catch (e: unknown) {
    if (failedCondition(e) === 0) return false;
    throw e;
  }
}
