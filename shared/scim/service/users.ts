/**
 * Users (RFC 7643 section 4.1) as Okta and Entra ID provision them: create (or restore the same
 * person), read, replace, PATCH, delete, list. Every write goes through the one write loop
 * (writer.ts) and is audited in its own transaction.
 *
 * A user's `groups` is derived from memberships (the group is where a membership lives); it is
 * part of the user's representation everywhere (reads, writes, lists), and so of its version: the
 * ETag is the stored version plus a digest of the derived groups, and moves when they do.
 *
 * Restore: a user deleted earlier comes back under its old id only when the returning user is the
 * same identity (the same externalId and the same userName, case-insensitively) and the deleted
 * record is still kept (the retention window); otherwise a POST creates a new id, so an id never
 * goes to a different person.
 */
import type { Actor, AuditEvent } from '../../audit/events';
import { changeNote } from '../events/change-note';
import type { Clock } from '../../clock';
import type { PatchOp } from '../messages/patch-op';
import type { SearchRequest } from '../messages/search-request';
import { applyPatch, canonical } from '../patch/apply';
import type { DeletedResource, MembershipRepository, Resource, ResourceKind, ResourceRepository, Sealer, StoredResource } from '../ports';
import { normalizeResource, verifyPassword } from '../resource';
import { uniqueNameKey } from '../resource/names';
import { checkStorable } from '../resource/storable';
import type { ResourceSchema } from '../schemas/registry';
import { listResources, pageOf, type ResourcePage, type TermIndex } from './list';
import { usersInGroup, userGroups, type UserGroups } from './memberships';
import { toScim, versionWith, type Preconditions, type ScimResource } from './meta';
import { mapLimit } from './parallel';
import { budgetOf, ResourceWriter, type RequestContext } from './writer';

export interface UserServiceDeps {
  rs: ResourceSchema;
  repo: ResourceRepository;
  /** The groups (their display names, for `groups`). */
  groups: ResourceRepository;
  memberships: MembershipRepository;
  clock: Clock;
  newId: () => string;
  newEventId: () => string;
  audit: { record(event: AuditEvent): Promise<void> };
  hashPassword: (plain: string) => Promise<string>;
  onConflict?: (kind: ResourceKind) => void;
  onCleanupDeferred?: (kind: ResourceKind, error: unknown) => void;
  /** The sealer of list cursors (made once, on first use). */
  sealer: () => Promise<Sealer>;
  sleep?: (ms: number) => Promise<void>;
  /** How long a deleted user's record is kept for a restore (then erased). */
  deletedRetentionDays?: number;
}

/** A resource as a response carries it (before projection), its ETag value, and whether a POST made it. */
export interface Written {
  resource: ScimResource;
  version: string;
  created?: boolean;
}

/** Users whose groups a list page reads at the same time. */
const GROUP_READS_IN_PARALLEL = 32;

/** What of a derived group the version covers (a rename of the group changes the user's representation). */

export class UserService {
  private readonly writer: ResourceWriter;

  constructor(private readonly deps: UserServiceDeps) {
    this.writer = new ResourceWriter({ ...deps, kind: 'User' });
  }

  /** The user's groups; `afterWrite` for the answer of a write that has committed (counted, never refused: see budget.ts). */
  private groupsOf(id: string, ctx: RequestContext, afterWrite = false): Promise<UserGroups> {
    const budget = afterWrite ? budgetOf(ctx).afterWrite() : budgetOf(ctx);
    return userGroups(id, { memberships: this.deps.memberships, groups: this.deps.groups, baseUrl: ctx.baseUrl, budget });
  }

  /** The user as SCIM returns it: with its groups, and the version that covers them. */
  private present(stored: StoredResource, ctx: RequestContext, groups: UserGroups): Written {
    const version = versionWith(stored.version, groups.digest);
    const refs = groups.refs ?? [];
    return { resource: toScim(stored, 'User', this.deps.rs, ctx.baseUrl, refs.length > 0 ? { groups: refs } : {}, version), version };
  }

  private display(resource: Resource): string {
    return String(resource.userName ?? '');
  }

  /** Whether a password sent is new (anything but the one stored). */
  private async passwordChanges(password: string | undefined, current: StoredResource): Promise<boolean> {
    if (password === undefined) return false;
    return !(current.passwordHash && (await verifyPassword(password, current.passwordHash)));
  }

  /** A deleted record of the same identity, still kept: same externalId, same userName (case-insensitively). */
  private async restorable(resource: Resource): Promise<DeletedResource | undefined> {
    const externalId = typeof resource.externalId === 'string' ? resource.externalId : undefined;
    if (!externalId) return undefined;
    const now = this.deps.clock.now().getTime();
    const name = uniqueNameKey(this.display(resource));
    return (await this.deps.repo.findDeletedByExternalId(externalId)).find((d) => {
      const until = Date.parse(d.retainUntil ?? this.writer.retainUntil(d.deletedAt));
      return uniqueNameKey(this.display(d.resource)) === name && now < until;
    });
  }

  async create(input: unknown, ctx: RequestContext): Promise<Written> {
    return this.writer.audited(ctx, 'create', {}, async () => {
      const { resource, password } = normalizeResource(input, this.deps.rs);
      checkStorable(resource, 'userName');
      const passwordHash = password !== undefined ? await this.deps.hashPassword(password) : undefined;
      return this.writer.create(ctx, resource, async () => {
        const at = this.writer.now();
        const twin = await this.restorable(resource);
        if (twin) {
          const audit = this.writer.event(ctx, 'restore', 'success', { id: twin.id });
          const stored = await this.deps.repo.restore(twin, resource, { at, audit, ...(passwordHash ? { passwordHash } : {}) });
          return { ...this.present(stored, ctx, await this.groupsOf(stored.id, ctx, true)), created: true };
        }
        const id = this.deps.newId();
        const audit = this.writer.event(ctx, 'create', 'success', { id });
        const stored = await this.deps.repo.create(id, resource, { at, audit, ...(passwordHash ? { passwordHash } : {}) });
        // A new id is in no group yet.
        return { ...this.present(stored, ctx, { refs: [], digest: [] }), created: true };
      });
    });
  }

  async get(id: string, ctx: RequestContext): Promise<Written> {
    const stored = await this.deps.repo.get(id);
    if (!stored) throw this.writer.notFound(id);
    return this.present(stored, ctx, await this.groupsOf(id, ctx));
  }

  /**
   * A change of the user's own attributes. The groups read for the preconditions (read again on
   * every attempt) give the version compared and a no-op's answer; a write's answer reads them
   * after the write, so that a membership changed meanwhile is in the representation and its ETag.
   */
  private async write(
    id: string,
    ctx: RequestContext,
    op: 'replace' | 'patch',
    preconditions: Preconditions,
    next: (current: StoredResource) => Promise<{ resource: Resource; password?: string }>,
  ): Promise<Written> {
    let groups: UserGroups | undefined;
    const groupsNow = async (): Promise<UserGroups> => (groups ??= await this.groupsOf(id, ctx));
    return this.writer.modify<StoredResource, Written>({
      id,
      ctx,
      op,
      preconditions,
      read: () => {
        groups = undefined;
        return this.deps.repo.get(id);
      },
      version: async (current) => this.present(current, ctx, await groupsNow()).version,
      change: async (current) => {
        const { resource, password } = await next(current);
        const passwordChanges = await this.passwordChanges(password, current);
        if (!passwordChanges && canonical(resource) === canonical(current.resource)) {
          return { unchanged: this.present(current, ctx, await groupsNow()) };
        }
        checkStorable(resource, 'userName');
        return {
          resource,
          write: async () => {
            const passwordHash = passwordChanges && password !== undefined ? await this.deps.hashPassword(password) : undefined;
            const audit = this.writer.event(ctx, op, 'success', { id });
            const stored = await this.deps.repo.replace(current, resource, {
              at: this.writer.now(),
              audit,
              ...(passwordHash ? { passwordHash } : {}),
            });
            return this.present(stored, ctx, await this.groupsOf(id, ctx, true));
          },
        };
      },
    });
  }

  async replace(id: string, input: unknown, ctx: RequestContext, preconditions: Preconditions = {}): Promise<Written> {
    return this.write(id, ctx, 'replace', preconditions, async () => normalizeResource(input, this.deps.rs));
  }

  async patch(id: string, patch: PatchOp, ctx: RequestContext, preconditions: Preconditions = {}): Promise<Written> {
    return this.write(id, ctx, 'patch', preconditions, async (current) => {
      const result = applyPatch(current.resource, patch, this.deps.rs, id, budgetOf(ctx));
      return { resource: result.resource, ...(result.password !== undefined ? { password: result.password } : {}) };
    });
  }

  async delete(id: string, ctx: RequestContext, preconditions: Preconditions = {}): Promise<void> {
    await this.writer.modify<StoredResource, void>({
      id,
      ctx,
      op: 'delete',
      preconditions,
      read: () => this.deps.repo.get(id),
      version: async (current) => this.present(current, ctx, await this.groupsOf(id, ctx)).version,
      change: async (current) => ({
        write: async () => {
          const at = this.writer.now();
          const self = { id, type: 'User' as const };
          // Marked first, cleared by the cleanup job after a last pass: a crash in between loses nothing.
          await this.deps.memberships.markPurgePending(self, at);
          const audit = this.writer.event(ctx, 'delete', 'success', { id });
          await this.deps.repo.remove(current, { at, audit, retainUntil: this.writer.retainUntil(at) });
          await this.writer.afterDelete(() => this.deps.memberships.removeEverywhere(self, at, changeNote('members', { audit })));
        },
      }),
    });
  }

  /** A page of users; `withGroups` false when the response returns neither `groups` nor `meta` (no membership read). */
  async list(search: SearchRequest, ctx: RequestContext, withGroups = true, acrossTypes = false): Promise<ResourcePage> {
    const terms: TermIndex = {
      idsFor: async (term) =>
        term.kind === 'inGroup' ? usersInGroup(term.groupId, term.how, this.deps.memberships, budgetOf(ctx)) : new Set(),
      holds: () => false,
    };
    const page = await listResources(search, {
      kind: 'User',
      rs: this.deps.rs,
      repo: this.deps.repo,
      baseUrl: ctx.baseUrl,
      now: this.deps.clock.now(),
      sealer: await this.deps.sealer(),
      terms,
      budget: budgetOf(ctx),
      ...(acrossTypes ? { unknownAttributes: 'absent' as const } : {}),
    });
    const resources = await mapLimit(page.items, GROUP_READS_IN_PARALLEL, async (item) =>
      withGroups ? this.present(item, ctx, await this.groupsOf(item.id, ctx)).resource : toScim(item, 'User', this.deps.rs, ctx.baseUrl),
    );
    return pageOf(page, resources);
  }
}

export class NotDeletedError extends Error {
  override readonly name = 'NotDeletedError';
}

/**
 * Erases a deleted user's record at once (its personal data with it), before the retention ends;
 * audited. False when there is no such record; NotDeletedError when the user is still provisioned.
 */
export async function eraseDeletedUser(
  deps: { repo: ResourceRepository; clock: Clock; newEventId: () => string },
  id: string,
  actor: Actor,
): Promise<boolean> {
  if (await deps.repo.get(id)) throw new NotDeletedError(`User ${id} is still provisioned`);
  const audit: AuditEvent = {
    id: deps.newEventId(),
    at: deps.clock.now().toISOString(),
    actor,
    action: 'user.erase',
    target: { type: 'User', id },
    outcome: 'success',
  };
  return deps.repo.erase(id, { audit });
}
