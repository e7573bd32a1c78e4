import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** The cancellation reason codes of a cancelled transaction, one per item (or [] for other errors). */
export function cancellationCodes(e: unknown): (string | undefined)[] {
  if (e instanceof TransactionCanceledException) return (e.CancellationReasons ?? []).map((r) => r.Code);
  return [];
}

export function isConditionFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'ConditionalCheckFailedException';
}

/** A transaction that lost a race with another one (nothing was written; retrying is safe). */
export function isTransactionConflict(e: unknown): boolean {
  const codes = cancellationCodes(e);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/** Retries `fn` while it fails with a transaction conflict, with jittered backoff. */
export async function retryConflicts<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e: unknown) {
      if (!isTransactionConflict(e) || attempt >= attempts) throw e;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
