/**
 * The SCIM operations on one resource type (Users; Groups reuse it): create, read, replace,
 * delete, list. Pure domain code on the ResourceRepository port; every write is audited in
 * the write's own transaction, every refused write by a separate event.
 */
import type { Actor, AuditEvent } from '../../audit/events';
import type { Clock } from '../../clock';
import { ScimError } from '../errors';
import {
  UniquenessError,
  VersionConflictError,
  type MembershipRepository,
  type Resource,
  type ResourceKind,
  type ResourceRepository,
  type StoredResource,
  type WriteOptions,
} from '../ports';
import { applyPatch } from '../patch/apply';
import { normalizeResource } from '../resource';
import type { ResourceSchema } from '../schemas/registry';
import { listResources, type ListDeps, type ListQuery, type ListResult } from './list';
import { userGroups } from './memberships';
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
  /** Users: memberships (for `groups`, and to leave no membership behind on delete) and the groups' repository. */
  memberships?: MembershipRepository;
  groupRepo?: ResourceRepository;
  /** Told of every write that lost a race with another (for the WriteConflicts metric). */
  onConflict?: (kind: ResourceKind) => void;
}

/** What a response needs beyond the stored resource. */
export interface Needs {
  /** Users: derive `groups` (one index query, more for nested groups). */
  groups?: boolean;
  /** Groups: read the members. */
  members?: boolean;
}

/** Who is calling and where the API lives: for audit events and `meta.location`. */
export interface RequestContext {
  actor: Actor;
  baseUrl: string;
}

export interface Written {
  resource: ScimResource;
  /** What the ETag is made of: the resource's version (for groups, with its membership version). */
  version: number | string;
  /** 201 for a new or restored resource on POST. */
  created?: boolean;
}

/** What one resource may weigh in storage: a DynamoDB item holds 400 KB, with room left for keys and indexes. */
export const MAX_RESOURCE_BYTES = 300_000;
/** Unique names and externalIds are part of index keys (2 KB at most). */
export const MAX_KEY_VALUE_BYTES = 1024;

/** Refuses a resource that could not be stored (400 invalidValue), before anything is written. */
export function checkStorable(resource: Resource, nameAttribute: string): void {
  for (const attribute of [nameAttribute, 'externalId']) {
    const value = resource[attribute];
    if (typeof value === 'string' && Buffer.byteLength(value.toLowerCase()) > MAX_KEY_VALUE_BYTES) {
      throw ScimError.typed('invalidValue', `${attribute} is longer than ${MAX_KEY_VALUE_BYTES} bytes.`);
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  if (bytes > MAX_RESOURCE_BYTES) {
    throw ScimError.typed('invalidValue', `The resource would take ${bytes} bytes; at most ${MAX_RESOURCE_BYTES} can be stored.`);
  }
}

/** A read-modify-write that lost a race is retried this many times (without If-Match). */
const WRITE_ATTEMPTS = 3;

export class ResourceService {
  protected readonly nameAttribute: string;

  constructor(protected readonly deps: ResourceServiceDeps) {
    this.nameAttribute = deps.kind === 'User' ? 'userName' : 'displayName';
  }

  private get action(): string {
    return this.deps.kind.toLowerCase();
  }

  protected event(
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

  protected scim(stored: StoredResource, ctx: RequestContext): ScimResource {
    return toScim(stored, this.deps.kind, this.deps.rs, ctx.baseUrl);
  }

  protected notFound(id: string): ScimError {
    return ScimError.of(404, `${this.deps.kind} ${id} not found.`);
  }

  protected uniquenessError(e: UniquenessError, resource: Resource): ScimError {
    const value = e.attribute === 'externalId' ? resource.externalId : resource[e.attribute];
    return ScimError.typed('uniqueness', `A ${this.deps.kind} with ${e.attribute} "${String(value)}" already exists.`, { cause: e });
  }

  /** Runs a write, auditing a refusal (4xx) as a failure event before rethrowing. */
  protected async audited<T>(
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

  protected async writeOptions(
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
      checkStorable(resource, this.nameAttribute);
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

  async get(id: string, ctx: RequestContext, needs: Needs = {}): Promise<Written> {
    const stored = await this.deps.repo.get(id);
    if (!stored) throw this.notFound(id);
    return { resource: await this.withGroups(this.scim(stored, ctx), ctx, needs), version: stored.version };
  }

  /** Adds the derived `groups` of a user when the response returns it. */
  protected async withGroups(resource: ScimResource, ctx: RequestContext, needs: Needs): Promise<ScimResource> {
    const { memberships, groupRepo } = this.deps;
    if (this.deps.kind !== 'User' || !needs.groups || !memberships || !groupRepo) return resource;
    const groups = await userGroups(String(resource.id), { memberships, groups: groupRepo, baseUrl: ctx.baseUrl });
    if (groups.length === 0) return resource;
    const { meta, ...rest } = resource;
    return { ...rest, groups, meta };
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
    needs: Needs = {},
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
          return { resource: await this.withGroups(this.scim(current, ctx), ctx, needs), version: current.version };
        }
        checkStorable(next.resource, this.nameAttribute);
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
          this.deps.onConflict?.(this.deps.kind);
          if (ifMatch) throw ScimError.of(412, 'The resource changed since the version in If-Match.', { cause: e });
          if (attempt >= WRITE_ATTEMPTS)
            throw ScimError.of(409, 'The resource is being changed by other requests; try again.', { cause: e });
        }
      }
    });
  }

  async replace(id: string, input: unknown, ctx: RequestContext, ifMatch?: readonly string[], needs: Needs = {}): Promise<Written> {
    return this.modify(id, ctx, 'replace', ifMatch, async () => normalizeResource(input, this.deps.rs), needs);
  }

  async patch(id: string, body: unknown, ctx: RequestContext, ifMatch?: readonly string[], needs: Needs = {}): Promise<Written> {
    return this.modify(
      id,
      ctx,
      'patch',
      ifMatch,
      async (current) => {
        const result = applyPatch(current.resource, body, this.deps.rs, id);
        if (!result.changed) return undefined;
        return { resource: result.resource, ...(result.password !== undefined ? { password: result.password } : {}) };
      },
      needs,
    );
  }

  async delete(id: string, ctx: RequestContext, ifMatch?: readonly string[]): Promise<void> {
    await this.audited(ctx, 'delete', { id }, async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.deps.repo.get(id);
        if (!current) throw this.notFound(id);
        checkIfMatch(ifMatch, current.version);
        const self = { id, type: this.deps.kind };
        // Marked first, cleared last: if this stops in between, the cleanup job finishes the job.
        await this.deps.memberships?.markPurgePending(self, this.deps.clock.now().toISOString());
        try {
          await this.deps.repo.remove(current, {
            at: this.deps.clock.now().toISOString(),
            audit: this.event(ctx, 'delete', 'success', { id, display: String(current.resource[this.nameAttribute] ?? '') }),
          });
          await this.afterRemove(self);
          return;
        } catch (e: unknown) {
          if (!(e instanceof VersionConflictError)) throw e;
          this.deps.onConflict?.(this.deps.kind);
          if (ifMatch) throw ScimError.of(412, 'The resource changed since the version in If-Match.', { cause: e });
          if (attempt >= WRITE_ATTEMPTS) throw e;
        }
      }
    });
  }

  /**
   * A deleted user leaves no membership behind: removed now, and once more by the cleanup job
   * after its mark settles (a group PATCH racing this delete may still add one).
   */
  protected async afterRemove(self: { id: string; type: ResourceKind }): Promise<void> {
    await this.deps.memberships?.removeEverywhere(self);
  }

  async list(query: ListQuery, ctx: RequestContext, needs: Needs = {}): Promise<ListResult> {
    const result = await this.listStored(query, ctx);
    if (!needs.groups) return result;
    return { ...result, resources: await Promise.all(result.resources.map((r) => this.withGroups(r, ctx, needs))) };
  }

  protected async listStored(query: ListQuery, ctx: RequestContext, memberLookup?: ListDeps['memberLookup']): Promise<ListResult> {
    return listResources(query, {
      ...(memberLookup ? { memberLookup } : {}),
      kind: this.deps.kind,
      rs: this.deps.rs,
      repo: this.deps.repo,
      baseUrl: ctx.baseUrl,
      now: this.deps.clock.now(),
      indexed: ['id', this.nameAttribute, 'externalId'],
    });
  }
}
