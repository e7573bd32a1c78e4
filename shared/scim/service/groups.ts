/**
 * Groups and their members (RFC 7643 section 4.2) as Okta's group push and Entra ID's group
 * provisioning drive them. Members live in items of their own (MembershipRepository): adding or
 * removing k members writes k items whatever the group's size, and reading a group without its
 * members reads no member item. Every write goes through the one write loop (writer.ts).
 *
 * A membership change moves the group's version, `meta.lastModified` and member count in the same
 * transaction (so its ETag and `meta.lastModified gt …` follow its members). A PATCH is applied in
 * one transaction when it fits DynamoDB's 100 items; a larger one in chunks, the group's own change
 * first (conditional on the version read), each chunk idempotent (adds skip existing members,
 * removes skip absent ones), so retrying the same request after a failure part-way converges.
 */
import type { AuditEvent } from '../../audit/events';
import type { Clock } from '../../clock';
import { changeNote } from '../events/change-note';
import { compileFilter } from '../filter';
import { INLINE_PURGE_LIMIT, MAX_MEMBERS_RETURNED, READ_WORK } from '../limits';
import { ScimError } from '../messages/error';
import type { PatchOp } from '../messages/patch-op';
import type { SearchRequest } from '../messages/search-request';
import { applyPatch, canonical } from '../patch/apply';
import { memberRefs as requestedMembers, planMemberChanges, type MemberIntent, type MemberRef } from '../patch/members';
import type {
  MembershipChunk,
  Member,
  MembershipChange,
  MembershipRepository,
  Resource,
  ResourceKind,
  ResourceRepository,
  Sealer,
  StoredResource,
  WritePlan,
} from '../ports';
import { normalizeResource } from '../resource';
import { checkStorable } from '../resource/storable';
import type { ResourceSchema } from '../schemas/registry';
import { listResources, pageOf, type ResourcePage, type TermIndex } from './list';
import { checkNoCycles, groupsWithMember, memberRefs } from './memberships';
import { toScim, type Preconditions, type ScimResource } from './meta';
import { mapLimit } from './parallel';
import type { Written } from './users';
import { budgetOf, ResourceWriter, type RequestContext } from './writer';

export { INLINE_PURGE_LIMIT };

export interface GroupServiceDeps {
  rs: ResourceSchema;
  repo: ResourceRepository;
  memberships: MembershipRepository;
  clock: Clock;
  newId: () => string;
  newEventId: () => string;
  audit: { record(event: AuditEvent): Promise<void> };
  onConflict?: (kind: ResourceKind) => void;
  onCleanupDeferred?: (kind: ResourceKind, error: unknown) => void;
  /** The sealer of list cursors (made once, on first use). */
  sealer: () => Promise<Sealer>;
  sleep?: (ms: number) => Promise<void>;
  /** How long a deleted group's record is kept (then erased). */
  deletedRetentionDays?: number;
}

/** Groups whose members a list page reads at the same time. */
const MEMBER_READS_IN_PARALLEL = 16;

/** The member changes a write makes, in the order the request gave them. */
interface MemberState {
  add: Map<string, Member>;
  remove: Set<string>;
  replaceAll?: Map<string, Member>;
  /** Read before the cycle check of the groups among the members named (none named: undefined). */
  nestingVersion?: number;
}

/** The members a request names, as they are, and the nesting version their cycle check read. */
interface Resolved {
  members: Map<string, Member>;
  nestingVersion?: number;
}

/** A change that nests a group carries the nesting version its cycle check read (see MembershipChange). */
const guarded = (change: MembershipChange, nestingVersion: number | undefined): MembershipChange =>
  nestingVersion !== undefined && change.add.some((m) => m.type === 'Group') ? { ...change, nestingVersion } : change;

export class GroupService {
  private readonly writer: ResourceWriter;

  constructor(private readonly deps: GroupServiceDeps) {
    this.writer = new ResourceWriter({ ...deps, kind: 'Group' });
  }

  private get memberships(): MembershipRepository {
    return this.deps.memberships;
  }

  /** The group as SCIM returns it: members (when wanted and not too many; none when it has none). */
  private async present(stored: StoredResource, ctx: RequestContext, withMembers: boolean): Promise<Written> {
    const count = stored.memberCount ?? 0;
    const members =
      withMembers && count > 0 && count <= MAX_MEMBERS_RETURNED
        ? memberRefs(await this.memberships.listMembers(stored.id, MAX_MEMBERS_RETURNED), ctx.baseUrl)
        : [];
    const extra = members.length > 0 ? { members } : {};
    return { resource: toScim(stored, 'Group', this.deps.rs, ctx.baseUrl, extra), version: String(stored.version) };
  }

  /**
   * The members a request names, resolved once however often it names them: they must exist
   * (400 invalidValue otherwise), with their real type, and no group among them may make a cycle.
   */
  private async resolveMembers(groupId: string, wanted: readonly MemberRef[], ctx: RequestContext): Promise<Resolved> {
    if (wanted.length === 0) return { members: new Map() };
    const budget = budgetOf(ctx);
    const ids = [...new Set(wanted.map((m) => m.id))];
    budget.spend(wanted.length + READ_WORK * Math.ceil(ids.length / 100), 'the members named');
    const found = await this.memberships.resolve(ids);
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length > 0) {
      throw ScimError.typed(
        'invalidValue',
        `No user or group with id ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`,
      );
    }
    const members = new Map(ids.map((id) => [id, { id, type: found.get(id) ?? 'User' } as Member]));
    const groups = [...members.values()].filter((m) => m.type === 'Group').map((m) => m.id);
    if (groups.length === 0) return { members };
    // Read before the check, guarded by the write: a concurrent nesting makes this write plan and check again.
    const nestingVersion = await this.memberships.nestingVersion();
    await checkNoCycles(groupId, groups, this.memberships, budget);
    return { members, nestingVersion };
  }

  private split(resource: Resource): { attributes: Resource; members: unknown } {
    const { members, ...attributes } = resource;
    return { attributes, members };
  }

  /** Turns member intents into the state they leave (ids resolved once; current members read only when a filter or replace needs them). */
  private async applyIntents(id: string, intents: readonly MemberIntent[], ctx: RequestContext): Promise<MemberState> {
    const budget = budgetOf(ctx);
    const resolved = await this.resolveMembers(
      id,
      intents.flatMap((i) => (i.kind === 'add' || i.kind === 'replaceAll' ? i.members : [])),
      ctx,
    );
    const named = (refs: readonly MemberRef[]): Member[] =>
      refs.map((r) => resolved.members.get(r.id)).filter((m): m is Member => m !== undefined);
    const state: MemberState = {
      add: new Map(),
      remove: new Set(),
      ...(resolved.nestingVersion !== undefined ? { nestingVersion: resolved.nestingVersion } : {}),
    };
    let current: Member[] | undefined;
    const currentMembers = async (): Promise<Member[]> => (current ??= await this.memberships.listMembers(id, Number.MAX_SAFE_INTEGER));
    for (const intent of intents) {
      if (intent.kind === 'add') {
        for (const m of named(intent.members)) {
          state.remove.delete(m.id);
          state.add.set(m.id, m);
        }
      } else if (intent.kind === 'remove') {
        budget.spend(intent.ids.length, 'the members removed');
        for (const m of intent.ids) {
          state.add.delete(m);
          state.remove.add(m);
        }
      } else if (intent.kind === 'replaceAll') {
        state.replaceAll = new Map(named(intent.members).map((m) => [m.id, m]));
        state.add.clear();
        state.remove.clear();
      } else {
        // Every member the filter selects, among the members as the operations so far leave them.
        const base = state.replaceAll ? [...state.replaceAll.values()] : await currentMembers();
        const members = [
          ...base.filter((m) => !state.remove.has(m.id)),
          ...[...state.add.values()].filter((m) => !base.some((b) => b.id === m.id)),
        ];
        budget.spend(members.length, `the filter of "${intent.text}" on every member`);
        const selects = compileFilter({ kind: 'valuePath', path: { name: 'members' }, filter: intent.filter }, this.deps.rs);
        for (const m of members) {
          if (selects({ members: [{ value: m.id, type: m.type }] })) {
            state.add.delete(m.id);
            state.remove.add(m.id);
          }
        }
      }
    }
    return state;
  }

  /** The exact additions and removals a state makes, against the members stored. */
  private async memberChange(id: string, state: MemberState): Promise<MembershipChange> {
    if (state.replaceAll) {
      const wanted = new Map(state.replaceAll);
      for (const [k, m] of state.add) wanted.set(k, m);
      for (const k of state.remove) wanted.delete(k);
      const current = await this.memberships.listMembers(id, Number.MAX_SAFE_INTEGER);
      const currentIds = new Set(current.map((m) => m.id));
      return guarded(
        { add: [...wanted.values()].filter((m) => !currentIds.has(m.id)), remove: current.filter((m) => !wanted.has(m.id)) },
        state.nestingVersion,
      );
    }
    const candidates = [...state.add.values(), ...[...state.remove].map((m) => ({ id: m }))];
    const present = candidates.length > 0 ? await this.memberships.membersAmong(id, candidates) : [];
    const presentIds = new Set(present.map((m) => m.id));
    return guarded(
      {
        add: [...state.add.values()].filter((m) => !presentIds.has(m.id)), // adding an existing member is a no-op
        remove: present.filter((m) => state.remove.has(m.id)), // removing an absent one too
      },
      state.nestingVersion,
    );
  }

  /** Writes a group's new attributes (or none) and member changes: one transaction when they fit, chunks otherwise. */
  private async writeGroup(
    current: StoredResource,
    ctx: RequestContext,
    op: string,
    attributes: Resource | undefined,
    change: MembershipChange,
  ): Promise<StoredResource> {
    const at = this.writer.now();
    const display = String((attributes ?? current.resource).displayName ?? '');
    let result: StoredResource | undefined;
    const audit = this.writer.event(ctx, op, 'success', { id: current.id, display });
    const note = changeNote(op === 'replace' ? 'replace' : 'patch', { audit });
    const head = (chunk: MembershipChunk): WritePlan => {
      const options = { at, memberDelta: chunk.delta, change: { ...note, members: { added: chunk.added, removed: chunk.removed } } };
      const planned = attributes ? this.deps.repo.planReplace(current, attributes, options) : this.deps.repo.planTouch(current, options);
      result = planned.result;
      return planned.plan;
    };
    const { transactions } = await this.memberships.change(current.id, change, {
      at,
      audit,
      change: note,
      head,
      beforeEachWrite: () => budgetOf(ctx).checkTime('writing the next members'),
    });
    // One transaction: the result is exact. Several: later ones moved the group again; read it.
    if (transactions === 1 && result) return result;
    return (await this.deps.repo.get(current.id)) ?? result ?? current;
  }

  async create(input: unknown, ctx: RequestContext): Promise<Written> {
    return this.writer.audited(ctx, 'create', {}, async () => {
      const { attributes, members } = this.split(normalizeResource(input, this.deps.rs).resource);
      checkStorable(attributes, 'displayName');
      const display = String(attributes.displayName ?? '');
      return this.writer.create(ctx, attributes, async () => {
        const id = this.deps.newId();
        const resolved = await this.resolveMembers(id, requestedMembers(members, 'members'), ctx);
        const at = this.writer.now();
        const createAudit = this.writer.event(ctx, 'create', 'success', { id, display });
        let result: StoredResource | undefined;
        let transactions: number;
        try {
          ({ transactions } = await this.memberships.change(
            id,
            guarded({ add: [...resolved.members.values()], remove: [] }, resolved.nestingVersion),
            {
              at,
              audit: createAudit,
              change: changeNote('create', { audit: createAudit }),
              head: (chunk) => {
                const planned = this.deps.repo.planCreate(id, attributes, {
                  at,
                  memberCount: chunk.delta,
                  change: { ...changeNote('create', { audit: createAudit }), members: { added: chunk.added, removed: chunk.removed } },
                });
                result = planned.result;
                return planned.plan;
              },
            },
          ));
        } catch (e: unknown) {
          // More than one transaction (over ~95 members) and a later one failed: take the group away
          // again, so that the client's retry creates it whole instead of meeting a half-made group.
          await this.discard(id).catch(() => undefined);
          throw e;
        }
        const stored = transactions === 1 && result ? result : ((await this.deps.repo.get(id)) ?? result);
        if (!stored) throw this.writer.notFound(id);
        return { ...(await this.present(stored, ctx, true)), created: true };
      });
    });
  }

  /** Removes a group and its memberships (to undo a create that failed part-way). */
  private async discard(id: string): Promise<void> {
    const current = await this.deps.repo.get(id);
    if (current) await this.remove(current);
  }

  /** Marks the cleanup, removes the group from SCIM, then its memberships: inline up to a limit, the rest by the cleanup job. */
  private async remove(current: StoredResource, audit?: AuditEvent): Promise<void> {
    const self = { id: current.id, type: 'Group' as const };
    const at = this.writer.now();
    await this.memberships.markPurgePending(self, at);
    await this.deps.repo.remove(current, {
      at,
      ...(audit ? { audit } : {}),
      retainUntil: this.writer.retainUntil(at),
    });
    await this.writer.afterDelete(async () => {
      await this.memberships.removeEverywhere(self, at, audit ? changeNote('members', { audit }) : undefined);
      await this.memberships.purgeGroup(self.id, INLINE_PURGE_LIMIT);
    });
  }

  async get(id: string, ctx: RequestContext, withMembers = true): Promise<Written> {
    const stored = await this.deps.repo.get(id);
    if (!stored) throw this.writer.notFound(id);
    return this.present(stored, ctx, withMembers);
  }

  private async modify(
    id: string,
    ctx: RequestContext,
    op: 'replace' | 'patch',
    preconditions: Preconditions,
    withMembers: boolean,
    plan: (current: StoredResource) => Promise<{ attributes: Resource; intents: readonly MemberIntent[] }>,
  ): Promise<Written> {
    return this.writer.modify<StoredResource, Written>({
      id,
      ctx,
      op,
      preconditions,
      read: () => this.deps.repo.get(id),
      version: async (current) => String(current.version),
      change: async (current) => {
        const { attributes, intents } = await plan(current);
        const attributesChange = canonical(attributes) !== canonical(current.resource);
        if (attributesChange) checkStorable(attributes, 'displayName');
        const change = await this.memberChange(id, await this.applyIntents(id, intents, ctx));
        if (!attributesChange && change.add.length === 0 && change.remove.length === 0) {
          return { unchanged: await this.present(current, ctx, withMembers) };
        }
        return {
          resource: attributes,
          write: async () =>
            this.present(await this.writeGroup(current, ctx, op, attributesChange ? attributes : undefined, change), ctx, withMembers),
        };
      },
    });
  }

  async replace(id: string, input: unknown, ctx: RequestContext, preconditions: Preconditions = {}, withMembers = true): Promise<Written> {
    return this.modify(id, ctx, 'replace', preconditions, withMembers, async () => {
      const { attributes, members } = this.split(normalizeResource(input, this.deps.rs).resource);
      return { attributes, intents: [{ kind: 'replaceAll', members: requestedMembers(members, 'members') }] };
    });
  }

  async patch(id: string, patch: PatchOp, ctx: RequestContext, preconditions: Preconditions = {}, withMembers = true): Promise<Written> {
    const { intents, attributeOperations } = planMemberChanges(patch.operations);
    return this.modify(id, ctx, 'patch', preconditions, withMembers, async (current) => {
      if (attributeOperations.length === 0) return { attributes: current.resource, intents };
      const result = applyPatch(current.resource, { operations: attributeOperations }, this.deps.rs, id, budgetOf(ctx));
      return { attributes: this.split(result.resource).attributes, intents };
    });
  }

  async delete(id: string, ctx: RequestContext, preconditions: Preconditions = {}): Promise<void> {
    await this.writer.modify<StoredResource, void>({
      id,
      ctx,
      op: 'delete',
      preconditions,
      read: () => this.deps.repo.get(id),
      version: async (current) => String(current.version),
      change: async (current) => ({
        write: () =>
          this.remove(current, this.writer.event(ctx, 'delete', 'success', { id, display: String(current.resource.displayName ?? '') })),
      }),
    });
  }

  /** A page of groups (with their members unless excluded). */
  /** How many members each of these live groups has (kept on the group's own item, no member read): the admin console's lists. */
  async memberCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const found = ids.length > 0 ? await this.deps.repo.getMany(ids) : [];
    return new Map(found.map((g) => [g.id, g.memberCount ?? 0]));
  }

  async list(search: SearchRequest, ctx: RequestContext, withMembers = true, acrossTypes = false): Promise<ResourcePage> {
    const terms: TermIndex = {
      idsFor: async (term) =>
        term.kind === 'hasMember'
          ? groupsWithMember(term.memberId, term.memberType, this.memberships)
          : term.kind === 'hasMembers'
            ? undefined
            : new Set(),
      holds: (term, item) => term.kind === 'hasMembers' && (item.memberCount ?? 0) > 0,
    };
    const page = await listResources(search, {
      kind: 'Group',
      rs: this.deps.rs,
      repo: this.deps.repo,
      baseUrl: ctx.baseUrl,
      now: this.deps.clock.now(),
      sealer: await this.deps.sealer(),
      terms,
      budget: budgetOf(ctx),
      ...(acrossTypes ? { unknownAttributes: 'absent' as const } : {}),
    });
    // Members come while the page's total stays within MAX_MEMBERS_RETURNED (the bound of one
    // group): the page stops before the group that would pass it (fewer than count, as RFC 7644
    // allows; the next page starts there). A group larger than the bound on its own comes without members.
    let budget = MAX_MEMBERS_RETURNED;
    let kept = page.items.length;
    if (withMembers) {
      for (const [i, item] of page.items.entries()) {
        const count = item.memberCount ?? 0;
        if (count > MAX_MEMBERS_RETURNED) continue;
        if (count > budget) {
          kept = i;
          break;
        }
        budget -= count;
      }
    }
    const items = page.items.slice(0, kept);
    const resources: ScimResource[] = await mapLimit(
      items,
      MEMBER_READS_IN_PARALLEL,
      async (item) => (await this.present(item, ctx, withMembers)).resource,
    );
    const whole = pageOf(page, resources);
    return kept < page.items.length ? whole.cut(kept) : whole;
  }
}
