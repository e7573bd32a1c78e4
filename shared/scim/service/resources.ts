/**
 * The SCIM operations on one resource type (Users; Groups reuse it): create, read, replace,
 * delete, list. Pure domain code on the ResourceRepository port; every write is audited in
 * the write's own transaction, every refused write by a separate event.
 */
import type { Actor, AuditEvent } from '../../audit/events';
import type { Clock } from '../../clock';
import { ScimError } from '../errors';
import {
  ResourceNotFoundError,
  UniquenessError,
  VersionConflictError,
  type Resource,
  type ResourceKind,
  type ResourceRepository,
  type StoredResource,
  type WriteOptions,
} from '../ports';
import { applyPatch } from '../patch/apply';
import { normalizeResource } from '../resource';
import type { ResourceSchema } from '../schemas/registry';
import { listResources, type ListQuery, type ListResult } from './list';
import { checkIfMatch, toScim, type ScimResource } from './meta';

export interface ResourceServiceDeps {
  kind: ResourceKind;
  rs: ResourceSchema;
  repo: ResourceRepository;
  clock: Clock;
  newId: () => string;
  newEventId: () => string;
  hashPassword?: (plain: string) => Promise<string>;
  /** Audit events that are not part of a write (refusals). */
  audit: { record(event: AuditEvent): Promise<void> };
}

/** Who is calling and where the API lives: for audit events and `meta.location`. */
export interface RequestContext {
  actor: Actor;
  baseUrl: string;
}

export interface Written {
  resource: ScimResource;
  version: number;
  /** 201 for a new or restored resource on POST. */
  created?: boolean;
}

/** A read-modify-write that lost a race is retried this many times (without If-Match). */
const WRITE_ATTEMPTS = 3;

export class ResourceService {
  private readonly nameAttribute: string;

  constructor(private readonly deps: ResourceServiceDeps) {
    this.nameAttribute = deps.kind === 'User' ? 'userName' : 'displayName';
  }

  private get action(): string {
    return this.deps.kind.toLowerCase();
  }

  private event(
    ctx: RequestContext,
    op: string,
    outcome: AuditEvent['outcome'],
    target: { id?: string; display?: string },
    reason?: string,
  ): AuditEvent {
    return {
      id: this.deps.newEventId(),
      at: this.deps.clock.now().toISOString(),
      actor: ctx.actor,
      action: `${this.action}.${op}`,
      target: { type: this.deps.kind, ...target },
      outcome,
      ...(reason ? { reason } : {}),
    };
  }

  private scim(stored: StoredResource, ctx: RequestContext): ScimResource {
    return toScim(stored, this.deps.kind, this.deps.rs, ctx.baseUrl);
  }

  private notFound(id: string): ScimError {
    return ScimError.of(404, `${this.deps.kind} ${id} not found.`);
  }

  private uniquenessError(e: UniquenessError, resource: Resource): ScimError {
    const value = e.attribute === 'externalId' ? resource.externalId : resource[e.attribute];
    return ScimError.typed('uniqueness', `A ${this.deps.kind} with ${e.attribute} "${String(value)}" already exists.`, { cause: e });
  }

  /** Runs a write, auditing a refusal (4xx) as a failure event before rethrowing. */
  private async audited<T>(
    ctx: RequestContext,
    op: string,
    target: { id?: string; display?: string },
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } catch (e: unknown) {
      if (e instanceof ScimError && e.status < 500) {
        await this.deps.audit.record(this.event(ctx, op, 'failure', target, e.scimType ?? String(e.status)));
      }
      throw e;
    }
  }

  private async writeOptions(
    ctx: RequestContext,
    op: string,
    target: { id: string; display?: string },
    password?: string,
  ): Promise<WriteOptions> {
    const passwordHash = password !== undefined && this.deps.hashPassword ? await this.deps.hashPassword(password) : undefined;
    return {
      at: this.deps.clock.now().toISOString(),
      audit: this.event(ctx, op, 'success', target),
      ...(passwordHash ? { passwordHash } : {}),
    };
  }

  async create(input: unknown, ctx: RequestContext): Promise<Written> {
    return this.audited(ctx, 'create', {}, async () => {
      const { resource, password } = normalizeResource(input, this.deps.rs);
      const display = String(resource[this.nameAttribute] ?? '');
      const externalId = typeof resource.externalId === 'string' ? resource.externalId : undefined;
      try {
        // A resource deleted earlier comes back under its old id when its externalId is sent again.
        const deleted = externalId ? await this.deps.repo.findDeletedByExternalId(externalId) : undefined;
        if (deleted) {
          const stored = await this.deps.repo.restore(
            deleted,
            resource,
            await this.writeOptions(ctx, 'restore', { id: deleted.id, display }, password),
          );
          return { resource: this.scim(stored, ctx), version: stored.version, created: true };
        }
        const id = this.deps.newId();
        const stored = await this.deps.repo.create(id, resource, await this.writeOptions(ctx, 'create', { id, display }, password));
        return { resource: this.scim(stored, ctx), version: stored.version, created: true };
      } catch (e: unknown) {
        if (e instanceof UniquenessError) throw this.uniquenessError(e, resource);
        if (e instanceof VersionConflictError)
          throw ScimError.typed('uniqueness', `The ${this.deps.kind} was restored or created meanwhile; try again.`, { cause: e });
        throw e;
      }
    });
  }

  async get(id: string, ctx: RequestContext): Promise<Written> {
    const stored = await this.deps.repo.get(id);
    if (!stored) throw this.notFound(id);
    return { resource: this.scim(stored, ctx), version: stored.version };
  }

  /**
   * Read, change, write if unchanged meanwhile. With If-Match a lost race is 412; without, the
   * whole read-modify-write is retried, so two concurrent changes never overwrite each other.
   */
  async modify(
    id: string,
    ctx: RequestContext,
    op: string,
    ifMatch: readonly string[] | undefined,
    change: (current: StoredResource) => Promise<{ resource: Resource; password?: string } | undefined>,
  ): Promise<Written> {
    return this.audited(ctx, op, { id }, async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.deps.repo.get(id);
        if (!current) throw this.notFound(id);
        checkIfMatch(ifMatch, current.version);
        const next = await change(current);
        if (!next) {
          // Nothing to change: no write, but the request is still on record.
          await this.deps.audit.record(this.event(ctx, op, 'success', { id }, 'unchanged'));
          return { resource: this.scim(current, ctx), version: current.version };
        }
        const display = String(next.resource[this.nameAttribute] ?? '');
        try {
          const stored = await this.deps.repo.replace(
            current,
            next.resource,
            await this.writeOptions(ctx, op, { id, display }, next.password),
          );
          return { resource: this.scim(stored, ctx), version: stored.version };
        } catch (e: unknown) {
          if (e instanceof UniquenessError) throw this.uniquenessError(e, next.resource);
          if (!(e instanceof VersionConflictError)) throw e;
          if (ifMatch) throw ScimError.of(412, 'The resource changed since the version in If-Match.', { cause: e });
          if (attempt >= WRITE_ATTEMPTS)
            throw ScimError.of(409, 'The resource is being changed by other requests; try again.', { cause: e });
        }
      }
    });
  }

  async replace(id: string, input: unknown, ctx: RequestContext, ifMatch?: readonly string[]): Promise<Written> {
    return this.modify(id, ctx, 'replace', ifMatch, async () => normalizeResource(input, this.deps.rs));
  }

  async patch(id: string, body: unknown, ctx: RequestContext, ifMatch?: readonly string[]): Promise<Written> {
    return this.modify(id, ctx, 'patch', ifMatch, async (current) => {
      const result = applyPatch(current.resource, body, this.deps.rs, id);
      if (!result.changed) return undefined;
      return { resource: result.resource, ...(result.password !== undefined ? { password: result.password } : {}) };
    });
  }

  async delete(id: string, ctx: RequestContext, ifMatch?: readonly string[]): Promise<void> {
    await this.audited(ctx, 'delete', { id }, async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.deps.repo.get(id);
        if (!current) throw this.notFound(id);
        checkIfMatch(ifMatch, current.version);
        try {
          await this.deps.repo.remove(current, {
            at: this.deps.clock.now().toISOString(),
            audit: this.event(ctx, 'delete', 'success', { id, display: String(current.resource[this.nameAttribute] ?? '') }),
          });
          return;
        } catch (e: unknown) {
          if (!(e instanceof VersionConflictError || e instanceof ResourceNotFoundError)) throw e;
          if (ifMatch) throw ScimError.of(412, 'The resource changed since the version in If-Match.', { cause: e });
          if (attempt >= WRITE_ATTEMPTS) throw e;
        }
      }
    });
  }

  async list(query: ListQuery, ctx: RequestContext): Promise<ListResult> {
    return listResources(query, {
      kind: this.deps.kind,
      rs: this.deps.rs,
      repo: this.deps.repo,
      baseUrl: ctx.baseUrl,
      now: this.deps.clock.now(),
      indexed: ['id', this.nameAttribute, 'externalId'],
    });
  }
}
