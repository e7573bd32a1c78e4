/**
 * Groups and their members (RFC 7643 section 4.2) as Okta's group push and Entra ID's group
 * provisioning drive them. Members live in items of their own (MembershipRepository): adding or
 * removing k members writes k items whatever the group's size, and reading a group without its
 * members reads no member item.
 *
 * A PATCH is applied in one transaction when it fits DynamoDB's 100 items; a larger one in
 * chunks, the group's own change first, each chunk idempotent (adds skip existing members,
 * removes skip absent ones), so retrying the same request after a failure part-way converges.
 */
import type { AuditEvent } from '../../audit/events';
import { ScimError } from '../errors';
import { matchesFilter, parsePatchPath } from '../filter';
import { readOperations } from '../patch/apply';
import { applyPatch } from '../patch/apply';
import {
  ResourceNotFoundError,
  UniquenessError,
  VersionConflictError,
  type Member,
  type MemberStats,
  type MembershipRepository,
  type Resource,
  type StoredResource,
} from '../ports';
import { MAX_MEMBERS_RETURNED } from '../limits';
import { normalizeResource } from '../resource';
import { isObject } from '../resource/types';
import { checkIfMatch, etagOf } from './meta';
import { checkNoCycle, memberRefs } from './memberships';
import type { ListQuery, ListResult } from './list';
import { checkStorable, ResourceService, type Needs, type RequestContext, type ResourceServiceDeps, type Written } from './resources';

/** Memberships a delete removes at once; the rest are removed by the cleanup job. */
export const INLINE_PURGE_LIMIT = 1000;
const WRITE_ATTEMPTS = 3;

export interface GroupServiceDeps extends ResourceServiceDeps {
  memberships: MembershipRepository;
}

/** The version a group's ETag is made of: the group item's and its memberships'. */
const groupVersion = (stored: StoredResource, stats: MemberStats): string => `${stored.version}-${stats.version}`;

type MemberPlan = { replaceAll?: Map<string, Member>; add: Map<string, Member>; remove: Set<string> };

function memberValues(value: unknown, where: string): { id: string; type?: Member['type'] }[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((m, i) => {
    const v = isObject(m) ? m.value : m;
    if (typeof v !== 'string' || v.trim() === '') throw ScimError.typed('invalidValue', `${where}[${i}].value must be a member id.`);
    const type = isObject(m) && typeof m.type === 'string' ? m.type.toLowerCase() : undefined;
    return { id: v, ...(type === 'user' ? { type: 'User' as const } : type === 'group' ? { type: 'Group' as const } : {}) };
  });
}

export class GroupService extends ResourceService {
  private readonly memberships: MembershipRepository;

  constructor(deps: GroupServiceDeps) {
    super(deps);
    this.memberships = deps.memberships;
  }

  /** The group as SCIM returns it: members (unless not needed, or too many), ETag over the group and its memberships. */
  private async present(stored: StoredResource, ctx: RequestContext, needs: Needs): Promise<Written> {
    const stats = await this.memberships.stats(stored.id);
    return this.presentWith(stored, ctx, stats, needs.members !== false && stats.count <= MAX_MEMBERS_RETURNED);
  }

  private async presentWith(stored: StoredResource, ctx: RequestContext, stats: MemberStats, withMembers: boolean): Promise<Written> {
    const version = groupVersion(stored, stats);
    const base = this.scim(stored, ctx);
    const meta = { ...(base.meta as Record<string, unknown>), version: etagOf(version) };
    let members: Record<string, string>[] | undefined;
    if (withMembers) {
      members = stats.count === 0 ? [] : memberRefs(await this.memberships.listMembers(stored.id, MAX_MEMBERS_RETURNED), ctx.baseUrl);
    }
    const { meta: _old, ...attributes } = base;
    return { resource: { ...attributes, ...(members ? { members } : {}), meta }, version };
  }

  /** The members a request names: they must exist (400 invalidValue otherwise), with their real type. */
  private async resolveMembers(groupId: string | undefined, wanted: { id: string }[]): Promise<Member[]> {
    if (wanted.length === 0) return [];
    const found = await this.memberships.resolve(wanted.map((m) => m.id));
    const unknown = [...new Set(wanted.map((m) => m.id).filter((id) => !found.has(id)))];
    if (unknown.length > 0) {
      throw ScimError.typed(
        'invalidValue',
        `No user or group with id ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`,
      );
    }
    const members = [...new Map(wanted.map((m) => [m.id, { id: m.id, type: found.get(m.id) ?? 'User' }])).values()];
    if (groupId !== undefined) for (const m of members) if (m.type === 'Group') await checkNoCycle(groupId, m.id, this.memberships);
    return members;
  }

  private split(resource: Resource): { attributes: Resource; members: unknown } {
    const { members, ...attributes } = resource;
    return { attributes, members };
  }

  override async create(input: unknown, ctx: RequestContext): Promise<Written> {
    return this.audited(ctx, 'create', {}, async () => {
      const { attributes, members } = this.split(normalizeResource(input, this.deps.rs).resource);
      checkStorable(attributes, 'displayName');
      const display = String(attributes.displayName ?? '');
      const id = this.deps.newId();
      const add = await this.resolveMembers(id, memberValues(members, 'members'));
      const at = this.deps.clock.now().toISOString();
      const { plan, result } = this.deps.repo.planCreate(id, attributes, { at });
      try {
        await this.memberships.change(
          id,
          { add, remove: [] },
          { at, audit: this.event(ctx, 'create', 'success', { id, display }), groupWrite: plan },
        );
      } catch (e: unknown) {
        if (e instanceof UniquenessError) throw this.uniquenessError(e, attributes);
        // More than one transaction (over ~95 members) and a later one failed: take the group away
        // again, so that the client's retry creates it whole instead of meeting a half-made group.
        await this.discard(id).catch(() => undefined);
        throw e;
      }
      return { ...(await this.present(result, ctx, { members: true })), created: true };
    });
  }

  /** Removes a group and its memberships (to undo a create that failed part-way). */
  private async discard(id: string): Promise<void> {
    const current = await this.deps.repo.get(id);
    if (current) await this.remove(current);
  }

  /** If-Match on a group: its ETag covers the group and its memberships. */
  private async checkIfMatch(current: StoredResource, ifMatch: readonly string[] | undefined): Promise<void> {
    if (ifMatch) checkIfMatch(ifMatch, groupVersion(current, await this.memberships.stats(current.id)));
  }

  /** Marks the cleanup, removes the group from SCIM, then its memberships (see `purge`). */
  private async remove(current: StoredResource, audit?: AuditEvent): Promise<void> {
    const self = { id: current.id, type: 'Group' as const };
    const at = this.deps.clock.now().toISOString();
    await this.memberships.markPurgePending(self, at);
    await this.deps.repo.remove(current, { at, ...(audit ? { audit } : {}) });
    await this.purge(self);
  }

  /**
   * A deleted group's memberships: inline up to a limit; the rest, and anything a racing request
   * adds, by the cleanup job, which drops the mark once it has settled.
   */
  private async purge(self: { id: string; type: 'Group' }): Promise<void> {
    await this.memberships.removeEverywhere(self);
    await this.memberships.purgeGroup(self.id, INLINE_PURGE_LIMIT);
  }

  override async get(id: string, ctx: RequestContext, needs: Needs = {}): Promise<Written> {
    const stored = await this.deps.repo.get(id);
    if (!stored) throw this.notFound(id);
    return this.present(stored, ctx, needs);
  }

  /** Read, plan, write; a lost race is retried (412 with If-Match). `plan` returns the new attributes (or none) and member changes. */
  private async write(
    id: string,
    ctx: RequestContext,
    op: string,
    ifMatch: readonly string[] | undefined,
    needs: Needs,
    plan: (current: StoredResource) => Promise<{ attributes?: Resource; members: MemberPlan }>,
  ): Promise<Written> {
    return this.audited(ctx, op, { id }, async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.deps.repo.get(id);
        if (!current) throw this.notFound(id);
        await this.checkIfMatch(current, ifMatch);
        const { attributes, members } = await plan(current);
        if (attributes) checkStorable(attributes, 'displayName');
        const change = await this.memberChange(id, members);
        const at = this.deps.clock.now().toISOString();
        const display = String((attributes ?? current.resource).displayName ?? '');
        const planned = attributes ? this.deps.repo.planReplace(current, attributes, { at }) : undefined;
        try {
          await this.memberships.change(id, change, {
            at,
            audit: this.event(ctx, op, 'success', { id, display }),
            ...(planned ? { groupWrite: planned.plan } : {}),
          });
          return this.present(planned?.result ?? current, ctx, needs);
        } catch (e: unknown) {
          if (e instanceof UniquenessError) throw this.uniquenessError(e, attributes ?? current.resource);
          if (e instanceof ResourceNotFoundError) throw this.notFound(id);
          if (!(e instanceof VersionConflictError)) throw e;
          this.deps.onConflict?.('Group');
          if (ifMatch) throw ScimError.of(412, 'The group changed since the version in If-Match.', { cause: e });
          if (attempt >= WRITE_ATTEMPTS) throw ScimError.of(409, 'The group is being changed by other requests; try again.', { cause: e });
        }
      }
    });
  }

  /** Turns the requested member changes into exact adds and removes against the current memberships. */
  private async memberChange(id: string, plan: MemberPlan): Promise<{ add: Member[]; remove: Member[] }> {
    if (plan.replaceAll) {
      const wanted = new Map(plan.replaceAll);
      for (const [k, m] of plan.add) wanted.set(k, m);
      for (const k of plan.remove) wanted.delete(k);
      const current = await this.memberships.listMembers(id, Number.MAX_SAFE_INTEGER);
      const currentIds = new Set(current.map((m) => m.id));
      return { add: [...wanted.values()].filter((m) => !currentIds.has(m.id)), remove: current.filter((m) => !wanted.has(m.id)) };
    }
    const present = await this.memberships.membersAmong(id, [...plan.add.values(), ...[...plan.remove].map((m) => ({ id: m }))]);
    const presentIds = new Set(present.map((m) => m.id));
    return {
      add: [...plan.add.values()].filter((m) => !presentIds.has(m.id)), // adding an existing member is a no-op
      remove: present.filter((m) => plan.remove.has(m.id)), // removing an absent one too
    };
  }

  override async replace(
    id: string,
    input: unknown,
    ctx: RequestContext,
    ifMatch?: readonly string[],
    needs: Needs = {},
  ): Promise<Written> {
    return this.write(id, ctx, 'replace', ifMatch, needs, async () => {
      const { attributes, members } = this.split(normalizeResource(input, this.deps.rs).resource);
      const resolved = await this.resolveMembers(id, memberValues(members, 'members'));
      return { attributes, members: { replaceAll: new Map(resolved.map((m) => [m.id, m])), add: new Map(), remove: new Set() } };
    });
  }

  override async patch(id: string, body: unknown, ctx: RequestContext, ifMatch?: readonly string[], needs: Needs = {}): Promise<Written> {
    const operations = readOperations(body);
    return this.write(id, ctx, 'patch', ifMatch, needs, async (current) => {
      const members: MemberPlan = { add: new Map(), remove: new Set() };
      const attributeOps: unknown[] = [];
      for (const operation of operations) {
        await this.planOperation(id, operation, members, attributeOps);
      }
      let attributes: Resource | undefined;
      if (attributeOps.length > 0) {
        const result = applyPatch(current.resource, { Operations: attributeOps }, this.deps.rs, id);
        if (result.changed) attributes = this.split(result.resource).attributes;
      }
      return { ...(attributes ? { attributes } : {}), members };
    });
  }

  /** Sorts one PATCH operation into member changes (kept in order) and attribute operations. */
  private async planOperation(
    id: string,
    operation: { op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown },
    members: MemberPlan,
    attributeOps: unknown[],
  ): Promise<void> {
    const add = async (values: unknown, where: string): Promise<void> => {
      for (const m of await this.resolveMembers(id, memberValues(values, where))) {
        members.remove.delete(m.id);
        members.add.set(m.id, m);
      }
    };
    const remove = (ids: string[]): void => {
      for (const m of ids) {
        members.add.delete(m);
        members.remove.add(m);
      }
    };
    const replaceAll = async (values: unknown): Promise<void> => {
      const resolved = await this.resolveMembers(id, memberValues(values, 'members'));
      members.replaceAll = new Map(resolved.map((m) => [m.id, m]));
      members.add.clear();
      members.remove.clear();
    };

    if (operation.path === undefined) {
      // Path-less add/replace (Okta): a "members" key is a member change, the rest are attributes.
      if (!isObject(operation.value)) {
        attributeOps.push(operation);
        return;
      }
      const key = Object.keys(operation.value).find((k) => k.toLowerCase() === 'members');
      if (key !== undefined) {
        if (operation.op === 'replace') await replaceAll(operation.value[key]);
        else await add(operation.value[key], 'members');
        const { [key]: _members, ...rest } = operation.value;
        if (Object.keys(rest).length > 0) attributeOps.push({ ...operation, value: rest });
      } else {
        attributeOps.push(operation);
      }
      return;
    }

    const path = parsePatchPath(operation.path);
    if (path.attr.name.toLowerCase() !== 'members' || path.attr.sub !== undefined) {
      attributeOps.push(operation);
      return;
    }
    if (path.subAfterFilter !== undefined) {
      throw ScimError.typed('mutability', `Members cannot be changed through "${operation.path}"; add or remove the member.`);
    }
    if (operation.op === 'add') return add(operation.value, 'members');
    if (operation.op === 'replace') {
      if (path.filter) throw ScimError.typed('invalidPath', 'Replace the members list as a whole, or add and remove members.');
      return replaceAll(operation.value);
    }
    // remove
    if (path.filter) {
      // members[value eq "x"] names one member; any other filter is checked against every member.
      const f = path.filter;
      if (f.kind === 'compare' && f.op === 'eq' && f.path.name.toLowerCase() === 'value' && !f.path.sub && typeof f.value === 'string') {
        return remove([f.value]);
      }
      const all = await this.memberships.listMembers(id, Number.MAX_SAFE_INTEGER);
      const filter = path.filter;
      return remove(
        all
          .filter((m) =>
            matchesFilter({ kind: 'valuePath', path: path.attr, filter }, { members: [{ value: m.id, type: m.type }] }, this.deps.rs),
          )
          .map((m) => m.id),
      );
    }
    // Entra's legacy form: remove "members" with a value list removes exactly those (not all).
    if (operation.value !== undefined && operation.value !== null) return remove(memberValues(operation.value, 'value').map((m) => m.id));
    members.replaceAll = new Map();
    members.add.clear();
    members.remove.clear();
  }

  override async delete(id: string, ctx: RequestContext, ifMatch?: readonly string[]): Promise<void> {
    await this.audited(ctx, 'delete', { id }, async () => {
      const current = await this.deps.repo.get(id);
      if (!current) throw this.notFound(id);
      await this.checkIfMatch(current, ifMatch);
      // Gone from SCIM at once; its memberships go now if few, else in the background (cleanup job).
      try {
        await this.remove(current, this.event(ctx, 'delete', 'success', { id, display: String(current.resource.displayName ?? '') }));
      } catch (e: unknown) {
        if (e instanceof VersionConflictError) {
          this.deps.onConflict?.('Group');
          throw ScimError.of(ifMatch ? 412 : 409, 'The group changed while it was being deleted; try again.', { cause: e });
        }
        throw e;
      }
    });
  }

  /**
   * A list page returns members while the page's total stays within MAX_MEMBERS_RETURNED (the
   * same 6 MB bound as one group); groups past that budget come without `members`.
   */
  override async list(query: ListQuery, ctx: RequestContext, needs: Needs = {}): Promise<ListResult> {
    const result = await this.listStored(query, ctx, async (memberId) => this.deps.repo.getMany(await this.memberships.groupsOf(memberId)));
    const stored = result.resources.map((r): StoredResource => {
      const meta = r.meta as { version: string; created: string; lastModified: string };
      return {
        id: String(r.id),
        resource: r,
        version: Number(meta.version.replace(/\D/g, '')),
        created: meta.created,
        lastModified: meta.lastModified,
      };
    });
    const stats = await Promise.all(stored.map((g) => this.memberships.stats(g.id)));
    let budget = needs.members === false ? 0 : MAX_MEMBERS_RETURNED;
    const withMembers = stats.map((s) => {
      const fits = s.count <= budget;
      if (fits) budget -= s.count;
      return fits && needs.members !== false;
    });
    const resources = await Promise.all(
      stored.map(async (g, i) => ({
        ...g.resource,
        ...(await this.presentWith(g, ctx, stats[i] ?? { count: 0, version: 0 }, withMembers[i] ?? false)).resource,
      })),
    );
    return { ...result, resources };
  }
}
