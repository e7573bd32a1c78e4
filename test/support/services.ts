/**
 * The SCIM services wired as functions/scim/handler.ts wires them, on a test table: users and
 * groups sharing one membership repository, writes with instant backoff. And small helpers to
 * call them as the HTTP layer does (a search from query parameters, a PatchOp from a body).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../shared/clock';
import { cursorSealer } from '../../shared/crypto/cursor-key';
import { parsePatchOp, type PatchOp } from '../../shared/scim/messages/patch-op';
import { searchFromQuery, type SearchRequest } from '../../shared/scim/messages/search-request';
import type { MembershipRepository, ResourceRepository } from '../../shared/scim/ports';
import { hashPassword } from '../../shared/scim/resource';
import { buildRegistry } from '../../shared/scim/schemas/registry';
import { GroupService } from '../../shared/scim/service/groups';
import { UserService } from '../../shared/scim/service/users';
import type { RequestContext } from '../../shared/scim/service/writer';
import { DynamoAuditLog } from '../../shared/store/audit-repository';
import { DynamoMembershipRepository } from '../../shared/store/membership-repository';
import { DynamoResourceRepository } from '../../shared/store/resource-repository';

export const registry = buildRegistry();
/** One cursor key for the test file (as one deployment has one): a cursor from one wiring opens in another. */
const sealer = cursorSealer({});
export const BASE = 'https://scim.example/api/scim/v2';
export const ctx: RequestContext = { actor: { type: 'scimToken', id: 'tok1' }, baseUrl: BASE };

export interface Services {
  users: UserService;
  groups: GroupService;
  userRepo: ResourceRepository;
  groupRepo: ResourceRepository;
  memberships: MembershipRepository;
  audit: DynamoAuditLog;
}

export interface WireOptions {
  userRepo?: ResourceRepository;
  groupRepo?: ResourceRepository;
  memberships?: MembershipRepository;
  uniqueExternalId?: boolean;
  deletedRetentionDays?: number;
  onConflict?: (kind: 'User' | 'Group') => void;
  onCleanupDeferred?: (kind: 'User' | 'Group', error: unknown) => void;
}

export function wireServices(db: DynamoDBDocumentClient, tableName: string, clock: Clock, options: WireOptions = {}): Services {
  const repoOptions = { uniqueExternalId: options.uniqueExternalId === true };
  const userRepo = options.userRepo ?? new DynamoResourceRepository(db, tableName, 'User', repoOptions);
  const groupRepo = options.groupRepo ?? new DynamoResourceRepository(db, tableName, 'Group', repoOptions);
  const memberships = options.memberships ?? new DynamoMembershipRepository(db, tableName);
  const audit = new DynamoAuditLog(db, tableName);
  const common = {
    memberships,
    clock,
    newId: randomUUID,
    newEventId: randomUUID,
    audit,
    sleep: async () => undefined,
    sealer,
    ...(options.onConflict ? { onConflict: options.onConflict } : {}),
    ...(options.onCleanupDeferred ? { onCleanupDeferred: options.onCleanupDeferred } : {}),
    ...(options.deletedRetentionDays !== undefined ? { deletedRetentionDays: options.deletedRetentionDays } : {}),
  };
  return {
    users: new UserService({ ...common, rs: registry.user, repo: userRepo, groups: groupRepo, hashPassword }),
    groups: new GroupService({ ...common, rs: registry.group, repo: groupRepo }),
    userRepo,
    groupRepo,
    memberships,
    audit,
  };
}

/** A search as GET query parameters give it (numbers and lists as the client writes them). */
export const search = (params: Record<string, string | number | undefined> = {}): SearchRequest =>
  searchFromQuery(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === undefined ? undefined : String(v)])));

/** A PatchOp from its operations. */
export const patchOp = (...Operations: unknown[]): PatchOp =>
  parsePatchOp({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
