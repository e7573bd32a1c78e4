/**
 * The one write loop every SCIM write goes through, for users and groups alike: read the resource,
 * check the preconditions (If-Match, If-None-Match), plan the change, write it if the resource is
 * still the version read, and on a lost race plan again (with jittered backoff) or, when the client
 * named a version, answer 412. Domain errors become SCIM errors here, and only here: a uniqueness
 * guard is 409 uniqueness, a resource gone meanwhile 404, a resource that kept changing under every
 * attempt 503 with Retry-After (never a 409 that reads like a uniqueness conflict, never a 500).
 * Every write is audited in its own transaction (the services put the event in); every refusal is
 * audited by a separate event.
 */
import type { Actor, AuditEvent } from '../../audit/events';
import type { Clock } from '../../clock';
import { UNLIMITED, type RequestBudget } from '../budget';
import { DEFAULT_DELETED_RETENTION_DAYS, WRITE_ATTEMPTS } from '../limits';
import { ScimError } from '../messages/error';
import { ResourceNotFoundError, UniquenessError, VersionConflictError, type Resource, type ResourceKind } from '../ports';
import { checkPreconditions, hasPreconditions, type Preconditions } from './meta';

/** Who is calling, where the API lives (for audit events and `meta.location`), and what the request may spend. */
export interface RequestContext {
  actor: Actor;
  baseUrl: string;
  /** The request's work budget and deadline (none: unlimited, for jobs and tests). */
  budget?: RequestBudget;
}

export const budgetOf = (ctx: RequestContext): RequestBudget => ctx.budget ?? UNLIMITED;

export interface WriterDeps {
  kind: ResourceKind;
  clock: Clock;
  newEventId: () => string;
  /** Audit events that are not part of a write (refusals, no-ops). */
  audit: { record(event: AuditEvent): Promise<void> };
  /** Told of every write that lost a race with another (for the WriteConflicts metric). */
  onConflict?: (kind: ResourceKind) => void;
  /** Told when work after a committed delete failed and is left to the cleanup job (for a log line). */
  onCleanupDeferred?: (kind: ResourceKind, error: unknown) => void;
  /** Waits between attempts (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
  /** How long a deleted resource's record is kept (then erased). */
  deletedRetentionDays?: number;
}

/**
 * What a planned change does: nothing (the answer is `unchanged`), or a write that gives the
 * answer; `resource` is what it writes (named in the detail of a uniqueness error).
 */
export type Change<T> = { readonly unchanged: T } | { readonly write: () => Promise<T>; readonly resource?: Resource };

export interface Modification<C, T> {
  id: string;
  ctx: RequestContext;
  /** The audit action's verb: replace, patch, delete. */
  op: string;
  preconditions: Preconditions;
  read: () => Promise<C | undefined>;
  /** The version the preconditions compare with (asked for only when there are preconditions). */
  version: (current: C) => Promise<number | string>;
  change: (current: C) => Promise<Change<T>>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ResourceWriter {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: WriterDeps) {
    this.sleep = deps.sleep ?? defaultSleep;
  }

  get kind(): ResourceKind {
    return this.deps.kind;
  }

  now(): string {
    return this.deps.clock.now().toISOString();
  }

  /**
   * Work after a committed delete that the cleanup job repeats (removing memberships): once the
   * delete has committed, the answer is its success, so a failure here is left to the job.
   */
  async afterDelete(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (e: unknown) {
      this.deps.onCleanupDeferred?.(this.deps.kind, e);
    }
  }

  /** Until when a resource deleted at `at` is kept. */
  retainUntil(at: string): string {
    return new Date(Date.parse(at) + this.retentionMs).toISOString();
  }

  /** The retention of deleted records, in milliseconds. */
  get retentionMs(): number {
    return (this.deps.deletedRetentionDays ?? DEFAULT_DELETED_RETENTION_DAYS) * 24 * 3600 * 1000;
  }

  event(
    ctx: RequestContext,
    op: string,
    outcome: AuditEvent['outcome'],
    target: { id?: string; display?: string },
    reason?: string,
  ): AuditEvent {
    return {
      id: this.deps.newEventId(),
      at: this.now(),
      actor: ctx.actor,
      action: `${this.deps.kind.toLowerCase()}.${op}`,
      target: { type: this.deps.kind, ...target },
      outcome,
      ...(reason ? { reason } : {}),
    };
  }

  notFound(id: string): ScimError {
    return ScimError.of(404, `${this.deps.kind} ${id} not found.`);
  }

  /** Runs `fn`, auditing a refusal (4xx) as a failure event before rethrowing it. */
  async audited<T>(ctx: RequestContext, op: string, target: { id?: string; display?: string }, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e: unknown) {
      if (e instanceof ScimError && e.status < 500)
        await this.deps.audit.record(this.event(ctx, op, 'failure', target, e.scimType ?? String(e.status)));
      throw e;
    }
  }

  /** Records a write that changed nothing (the request is still on record). */
  async recordUnchanged(ctx: RequestContext, op: string, id: string): Promise<void> {
    await this.deps.audit.record(this.event(ctx, op, 'success', { id }, 'unchanged'));
  }

  /** A domain error as the SCIM error a client gets; anything else as it is. */
  private translate(e: unknown, id: string | undefined, resource: Resource | undefined): unknown {
    if (e instanceof UniquenessError) {
      const value = resource?.[e.attribute];
      const shown = value === undefined ? '' : ` "${String(value)}"`;
      return ScimError.typed('uniqueness', `A ${this.deps.kind} with ${e.attribute}${shown} already exists.`, { cause: e });
    }
    if (e instanceof ResourceNotFoundError) return id === undefined ? e : this.notFound(id);
    return e;
  }

  private async backoff(attempt: number): Promise<void> {
    await this.sleep(Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 6)));
  }

  private busy(e: unknown): ScimError {
    return ScimError.busy(`The ${this.deps.kind} was changed by other requests at every one of ${WRITE_ATTEMPTS} attempts; retry later.`, {
      cause: e,
    });
  }

  /**
   * A create: `attempt` is tried again when it lost a race (a restore or create by another request
   * meanwhile). The caller audits (it also validates the input before).
   */
  async create<T>(ctx: RequestContext, resource: Resource, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        budgetOf(ctx).checkTime('creating the resource');
        return await attempt();
      } catch (e: unknown) {
        if (!(e instanceof VersionConflictError)) throw this.translate(e, undefined, resource);
        this.deps.onConflict?.(this.deps.kind);
        if (n >= WRITE_ATTEMPTS) throw this.busy(e);
        await this.backoff(n);
      }
    }
  }

  /** Read, check, change, write; again when the write lost a race (see the module comment). */
  async modify<C, T>(m: Modification<C, T>): Promise<T> {
    return this.audited(m.ctx, m.op, { id: m.id }, async () => {
      for (let n = 1; ; n++) {
        const current = await m.read();
        if (current === undefined) throw this.notFound(m.id);
        if (hasPreconditions(m.preconditions)) checkPreconditions(m.preconditions, await m.version(current));
        const change = await m.change(current);
        if ('unchanged' in change) {
          await this.recordUnchanged(m.ctx, m.op, m.id);
          return change.unchanged;
        }
        try {
          budgetOf(m.ctx).checkTime('writing the change');
          return await change.write();
        } catch (e: unknown) {
          if (!(e instanceof VersionConflictError)) throw this.translate(e, m.id, change.resource);
          this.deps.onConflict?.(this.deps.kind);
          if (hasPreconditions(m.preconditions) && e.resourceChanged)
            throw ScimError.of(412, 'The resource changed since the version in the request.', { cause: e });
          if (n >= WRITE_ATTEMPTS) throw this.busy(e);
          await this.backoff(n);
        }
      }
    });
  }
}
