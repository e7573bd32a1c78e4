/**
 * The work budget and deadline of one request. Work is counted in units (a value compared with a
 * filter, an operation applied, a read a planner makes); a request that would spend more than its
 * budget stops at once with 400 tooMany and writes nothing. Before every write the deadline is
 * checked: a request past it writes nothing more and answers 503 with Retry-After, so that no write
 * lands after the client has been answered (or has given up). Work done after a write has committed
 * (reading what the answer shows) is counted but never refused: a request must not answer an error
 * for a write it made.
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

/** What a request has spent, shared by its budget and that budget's afterWrite view. */
interface Ledger {
  spent: number;
}

export class RequestBudget {
  private readonly work: number;
  // Set once, by afterWrite, on the view it makes.
  private ledger: Ledger = { spent: 0 };
  private refuses = true;

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
    this.ledger.spent += units;
    if (this.refuses && this.ledger.spent > this.work) {
      throw ScimError.typed(
        'tooMany',
        `This request needs more work than one request may do (${what}, over ${this.work} units): send it in smaller requests.`,
      );
    }
  }

  get used(): number {
    return this.ledger.spent;
  }

  /** Whether a spend has gone past the budget (every further one is refused). */
  get exhausted(): boolean {
    return this.ledger.spent > this.work;
  }

  /** Whether the deadline has passed (every further write is refused). */
  get expired(): boolean {
    return this.options.now() >= this.options.deadline;
  }

  /** The same budget and deadline for work after a write has committed: spent and counted, never refused. */
  afterWrite(): RequestBudget {
    const view = new RequestBudget(this.options);
    view.ledger = this.ledger;
    view.refuses = false;
    return view;
  }

  /** Before a write: 503 with Retry-After when the deadline has passed (nothing more is written). */
  checkTime(what: string): void {
    if (this.expired) {
      throw ScimError.of(503, `The request ran out of time before ${what}; nothing more was written. Retry it.`, {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      });
    }
  }
}

/** A budget without limits, for code paths outside a request (jobs, tests of pure code). */
export const UNLIMITED = new RequestBudget({ deadline: Number.MAX_SAFE_INTEGER, now: () => 0, work: Number.MAX_SAFE_INTEGER });
