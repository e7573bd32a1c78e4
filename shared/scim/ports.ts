/**
 * The ports the SCIM engine needs from storage; shared/store implements them on DynamoDB.
 * A stored resource is the SCIM resource without `id` and `meta` (the engine builds those).
 */
import type { AuditEvent } from '../audit/events';

export type ResourceKind = 'User' | 'Group';
export type Resource = Record<string, unknown>;

export interface StoredResource {
  id: string;
  resource: Resource;
  /** Increases with every change: the ETag is W/"<version>". */
  version: number;
  created: string;
  lastModified: string;
  /** Salted hash of the password (User only); carried through replaces, never returned. */
  passwordHash?: string;
}

/** Where a page of a listing ended: the next page starts after it. Opaque to the engine. */
export type ListPosition = Record<string, string>;

export interface WriteOptions {
  at: string;
  audit?: AuditEvent;
  /** Salted hash of a password sent with the resource (writeOnly; never returned). */
  passwordHash?: string;
}

export interface ResourceRepository {
  get(id: string): Promise<StoredResource | undefined>;
  /** The live resource whose unique name (userName, displayName) equals `name` case-insensitively. */
  findByName(name: string): Promise<StoredResource | undefined>;
  /** Live resources with this externalId (not unique: RFC 7643 does not require it). */
  findByExternalId(externalId: string): Promise<StoredResource[]>;
  /** A deleted resource kept for audit whose externalId is `externalId` (to restore it on POST). */
  findDeletedByExternalId(externalId: string): Promise<StoredResource | undefined>;
  create(id: string, resource: Resource, options: WriteOptions): Promise<StoredResource>;
  /** Brings a deleted resource back (same id) with new content. */
  restore(previous: StoredResource, resource: Resource, options: WriteOptions): Promise<StoredResource>;
  /** Replaces the resource if its version is still `previous.version`. */
  replace(previous: StoredResource, resource: Resource, options: WriteOptions): Promise<StoredResource>;
  /** Removes the resource from SCIM, keeping a deleted record; false when it was not there. */
  remove(previous: StoredResource, options: WriteOptions): Promise<void>;
  count(): Promise<number>;
  /** A page in creation order (or reverse), after `after`. */
  page(options: { after?: ListPosition; limit: number; descending?: boolean }): Promise<{ items: StoredResource[]; last?: ListPosition }>;
  positionOf(item: StoredResource): ListPosition;
  /** Remembered list positions (for startIndex paging without re-reading earlier pages). */
  getMarker(listKey: string, startIndex: number, now: Date): Promise<{ position: ListPosition; total: number } | undefined>;
  putMarker(listKey: string, startIndex: number, marker: { position: ListPosition; total: number }, at: string): Promise<void>;
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

/** The resource changed (or vanished) since it was read: 412 with If-Match, otherwise retry. */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
}

export class ResourceNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundError';
}
