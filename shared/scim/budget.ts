/**
 * The work budget and deadline of one request. Work is counted in units (a value compared with a
 * filter, an operation applied, a read a planner makes); a request that would spend more than its
 * budget stops at once with 400 tooMany and writes nothing. Before every write the deadline is
 * checked: a request past it writes nothing more and answers 503 with Retry-After, so that no write
 * lands after the client has been answered (or has given up).
 */
import { REQUEST_DEADLINE_MS, RETRY_AFTER_SECONDS, WORK_BUDGET } from './limits';
import { ScimError } from './messages/error';

export interface BudgetOptions {
  /** Epoch milliseconds by which the request must have answered. */
  deadline: number;
  now: () => number;
  /** Units of work the request may spend. */
  work?: number;
}

export class RequestBudget {
  private spent = 0;
  private readonly work: number;

  constructor(private readonly options: BudgetOptions) {
    this.work = options.work ?? WORK_BUDGET;
  }

  /** A budget for a request starting now: the default deadline, or earlier when the function has less time left. */
  static forRequest(now: () => number, remainingMs?: number, deadlineMs = REQUEST_DEADLINE_MS): RequestBudget {
    const lambdaBound = remainingMs === undefined ? Infinity : remainingMs - 2000;
    return new RequestBudget({ deadline: now() + Math.max(0, Math.min(deadlineMs, lambdaBound)), now });
  }

  /** Spends `units` on `what`; 400 tooMany when the request would exceed its budget. */
  spend(units: number, what: string): void {
    this.spent += units;
    if (this.spent > this.work) {
      throw ScimError.typed(
        'tooMany',
        `This request needs more work than one request may do (${what}, over ${this.work} units): send it in smaller requests.`,
      );
    }
  }

  get used(): number {
    return this.spent;
  }

  /** Before a write: 503 with Retry-After when the deadline has passed (nothing more is written). */
  checkTime(what: string): void {
    if (this.options.now() >= this.options.deadline) {
      throw ScimError.of(503, `The request ran out of time before ${what}; nothing more was written. Retry it.`, {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      });
    }
  }
}

/** A budget without limits, for code paths outside a request (jobs, tests of pure code). */
export const UNLIMITED = new RequestBudget({ deadline: Number.MAX_SAFE_INTEGER, now: () => 0, work: Number.MAX_SAFE_INTEGER });
