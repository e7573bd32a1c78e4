/**
 * The ports the SCIM engine needs from storage; shared/store implements them on DynamoDB.
 * A stored resource is the SCIM resource without `id` and `meta` (the engine builds those).
 */
import type { ActorType, AuditEvent } from '../audit/events';

export type ResourceKind = 'User' | 'Group';
export type Resource = Record<string, unknown>;

export interface StoredResource {
  id: string;
  resource: Resource;
  /** Increases with every change: part of the ETag. For a group, membership changes count too. */
  version: number;
  created: string;
  /** For a group, also moved by every membership change. */
  lastModified: string;
  /** Salted hash of the password (User only); carried through replaces, never returned. */
  passwordHash?: string;
  /** Groups: how many members (kept on the group's own item, in every membership change's transaction). */
  memberCount?: number;
}

/** A deleted resource's record, kept (personal data included) until `retainUntil`, then erased. */
export interface DeletedResource extends StoredResource {
  deletedAt: string;
  retainUntil?: string;
}

/** Where a page of a listing ended: the next page starts after it. Opaque to the engine. */
export type ListPosition = Record<string, string>;

/**
 * The orders a repository keeps its resources in, each an index: creation, the unique name
 * (userName, displayName), externalId, lastModified, and for users their email addresses (any of
 * them). A walk along one reads a range of it from a position, a page at a time.
 */
export type ResourceOrder = 'created' | 'name' | 'externalId' | 'lastModified' | 'email';

/**
 * A range of an order, in the values a filter compares (the repository folds case-insensitive ones
 * as it stores them): every entry, one value, a prefix, or inclusive bounds. An order's answer is a
 * superset of what the range names (index values are cut to size), never less: the caller evaluates
 * its filter on every resource it gets.
 */
export type OrderRange =
  | { readonly kind: 'all' }
  | { readonly kind: 'eq'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'between'; readonly lower?: string; readonly upper?: string };

export interface WalkOptions {
  order: ResourceOrder;
  range?: OrderRange;
  after?: ListPosition;
  /** The most index entries to read. */
  limit: number;
  descending?: boolean;
}

export interface WalkPage {
  /** The live resources of the entries read, in the order's order (each once, also when several of its email addresses are in range). */
  items: StoredResource[];
  /** Where each item stands in the order: a page cut after items[i] resumes from positions[i]. */
  positions: ListPosition[];
  /** How many index entries were read (what a read budget counts). */
  read: number;
  /** Where the walk stopped, when entries remain. */
  last?: ListPosition;
}

/** How many live resources a type has, and a generation that moves with every create, restore and delete. */
export interface ListState {
  count: number;
  generation: number;
}

/**
 * What a write leaves on the resource it changes, for the change events derived from committed
 * data (shared/scim/events): which operation, who, which request, and for a group the members
 * that write added and removed. Every versioned write of a resource item carries one.
 */
export interface ChangeNote {
  /** The SCIM operation, or `members` for a later part of a large membership change. */
  op: 'create' | 'replace' | 'patch' | 'delete' | 'restore' | 'members';
  actor: { type: ActorType; id: string };
  /** The request's audit event id. */
  txn?: string;
  members?: { added: string[]; removed: string[] };
}

export interface WriteOptions {
  at: string;
  audit?: AuditEvent;
  /** What the write is, for its change event (default: from `audit`, else the system). */
  change?: ChangeNote;
  /** Salted hash of a password sent with the resource (writeOnly; never returned). */
  passwordHash?: string;
}

export interface ResourceRepository {
  get(id: string): Promise<StoredResource | undefined>;
  /** Live resources among these ids (any order). */
  getMany(ids: readonly string[]): Promise<StoredResource[]>;
  /** The live resource whose unique name (userName, displayName) folds (NFC, lower case) to the same as `name`. */
  findByName(name: string): Promise<StoredResource | undefined>;
  /** Live resources with this externalId (not unique: RFC 7643 does not require it). */
  findByExternalId(externalId: string): Promise<StoredResource[]>;
  /** Reads a range of an order (see ResourceOrder): `userName eq`, `sw`, `pr`, `meta.lastModified gt`, sortBy userName… */
  walk(options: WalkOptions): Promise<WalkPage>;
  /** The orders this repository keeps (users: all; groups: all but email). */
  readonly orders: readonly ResourceOrder[];
  /** Whether a walk of this order reads its resources by key after the index (keys-only index, address entries): at most 100 a call. */
  readsByKey(order: ResourceOrder): boolean;
  /** Deleted records with this externalId that are still kept (candidates for a restore). */
  findDeletedByExternalId(externalId: string): Promise<DeletedResource[]>;
  /** A deleted record by id. */
  getDeleted(id: string): Promise<DeletedResource | undefined>;
  create(id: string, resource: Resource, options: WriteOptions): Promise<StoredResource>;
  /** Brings a deleted resource back (same id) with new content. */
  restore(previous: DeletedResource, resource: Resource, options: WriteOptions): Promise<StoredResource>;
  /** Replaces the resource if its version is still `previous.version`. */
  replace(previous: StoredResource, resource: Resource, options: WriteOptions): Promise<StoredResource>;
  /** Groups: a create as a plan, to run inside the membership transaction (audit not included). */
  planCreate(id: string, resource: Resource, options: WriteOptions & { memberCount: number }): { plan: WritePlan; result: StoredResource };
  /** Groups: a replace as a plan, with the membership change's count delta (audit not included). */
  planReplace(
    previous: StoredResource,
    resource: Resource,
    options: WriteOptions & { memberDelta: number },
  ): { plan: WritePlan; result: StoredResource };
  /** Groups: a membership change without attribute change moves version, lastModified and the count. */
  planTouch(
    previous: StoredResource,
    options: { at: string; memberDelta: number; change?: ChangeNote },
  ): { plan: WritePlan; result: StoredResource };
  /** Removes the resource from SCIM, keeping a deleted record until `retainUntil`. */
  remove(previous: StoredResource, options: WriteOptions & { retainUntil: string }): Promise<void>;
  /** Erases a deleted record at once (its personal data with it); false when there is none. */
  erase(id: string, options: { audit?: AuditEvent }): Promise<boolean>;
  listState(): Promise<ListState>;
  /** A page in creation order (or reverse), after `after`. */
  page(options: { after?: ListPosition; limit: number; descending?: boolean }): Promise<{ items: StoredResource[]; last?: ListPosition }>;
  /** Where a resource stands in an order that has one entry per resource (all but email; creation by default). */
  positionOf(item: StoredResource, order?: Exclude<ResourceOrder, 'email'>): ListPosition;
  /** Whether a position (from a client's cursor) is one this repository could have made in that order (creation by default). */
  isPosition(position: ListPosition, order?: ResourceOrder): boolean;
  /** Remembered list positions (for startIndex paging without re-reading earlier pages), valid for one generation. */
  getMarker(listKey: string, startIndex: number, generation: number, now: Date): Promise<ListPosition | undefined>;
  putMarker(listKey: string, startIndex: number, marker: { position: ListPosition; generation: number }, at: string): Promise<void>;
}

export class UniquenessError extends Error {
  override readonly name = 'UniquenessError';
  constructor(
    readonly attribute: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A write lost a race: the resource changed (or vanished) since it was read (412 with If-Match,
 * otherwise plan again), or something else it depends on did while the resource stayed as read
 * (`resourceChanged` false: the nesting of groups, a transaction that kept meeting others; plan
 * again even with If-Match, whose version still holds).
 */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  readonly resourceChanged: boolean;

  constructor(message: string, options?: { cause?: unknown; resourceChanged?: boolean }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.resourceChanged = options?.resourceChanged ?? true;
  }
}

export class ResourceNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundError';
}

/** Writes a repository prepared but did not run, to be run inside another write's transaction. */
export interface WritePlan {
  readonly kind: 'write-plan';
  readonly items: readonly unknown[];
  /** Maps a failed condition at an index to the domain error to throw. */
  readonly onConditionFailed: (index: number, cause: unknown) => Error;
}

export type MemberType = 'User' | 'Group';

export interface Member {
  id: string;
  type: MemberType;
}

export interface MembershipChange {
  add: readonly Member[];
  remove: readonly Member[];
  /**
   * When the change makes a group a member: the nesting version read before its cycle check. The
   * change lands only if no other write nested a group since (else VersionConflictError, and the
   * write is planned and checked again), so two writes that together make a cycle cannot both land.
   */
  nestingVersion?: number;
}

/** The part of a membership change one transaction writes: the count's move and the member ids. */
export interface MembershipChunk {
  delta: number;
  added: string[];
  removed: string[];
}

/**
 * Group memberships: one item per membership (never a members list inside one item), and an
 * inverted index for the groups of a member. The count lives on the group's item.
 */
export interface MembershipRepository {
  /** Members in a stable order, at most `limit`. */
  listMembers(groupId: string, limit: number): Promise<Member[]>;
  /** The groups that are direct members of a group (for cycle checks). */
  nestedGroups(groupId: string): Promise<string[]>;
  /** The groups `memberId` is a direct member of. */
  groupsOf(memberId: string, limit?: number): Promise<string[]>;
  /** Of these candidates, the ones that are members of the group, with their type (an unknown type checks both). */
  membersAmong(groupId: string, candidates: readonly { id: string; type?: MemberType }[]): Promise<Member[]>;
  /** Which ids name existing users or groups, with their type. */
  resolve(ids: readonly string[]): Promise<Map<string, MemberType>>;
  /** The nesting version (see MembershipChange.nestingVersion), read strongly consistently; 0 before any nesting. */
  nestingVersion(): Promise<number>;
  /**
   * Applies a membership change to a live group: all of it in one transaction when it fits
   * (up to about 95 items), else in chunks, each idempotent, so a retry after a failure part-way
   * converges. The first chunk carries `head(delta of that chunk)`: the group's own write (create,
   * replace, or a touch of its version), conditional on the version read; later chunks move the
   * group's count, version and lastModified as they go. Resolves to the number of transactions.
   */
  change(
    groupId: string,
    change: MembershipChange,
    options: {
      at: string;
      audit?: AuditEvent;
      /** What the change is (each transaction's note adds the members it adds and removes). */
      change: ChangeNote;
      head: (firstChunk: MembershipChunk) => WritePlan;
      /** Called before each transaction (the request's deadline: throws to stop writing). */
      beforeEachWrite?: () => void;
    },
  ): Promise<{ transactions: number }>;
  /** Removes up to `limit` membership items of a deleted group; says whether any remain. */
  purgeGroup(groupId: string, limit: number): Promise<{ removed: number; more: boolean }>;
  /** Removes a deleted member from every group it was in (each group's count, version and lastModified move; `change` says who). */
  removeEverywhere(member: Member, at: string, change?: ChangeNote): Promise<void>;
  /** Resources being deleted whose memberships may remain (for the background cleanup), with when that was marked. */
  pendingPurges(): Promise<(Member & { at: string })[]>;
  /** Written before a delete, cleared after its memberships are gone: a crash in between loses nothing. */
  markPurgePending(resource: Member, at: string): Promise<void>;
  clearPurgePending(resource: Member): Promise<void>;
}

/**
 * Seals text into an opaque, tamper-evident token (list cursors) and opens it again: undefined
 * when the token is not one this deployment sealed for that purpose, or was edited.
 */
export interface Sealer {
  seal(purpose: string, text: string): string;
  open(purpose: string, token: string): string | undefined;
}
