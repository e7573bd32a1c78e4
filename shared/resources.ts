/**
 * The users' and groups' services over the table, composed once for every function that serves
 * them: the SCIM function (reads and writes), the admin function (the console's read-only views).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from './clock';
import { cursorSealer } from './crypto/cursor-key';
import { hashPassword } from './scim/resource';
import { buildRegistry, type SchemaRegistry } from './scim/schemas/registry';
import type { ResourceKind, Sealer } from './scim/ports';
import { GroupService } from './scim/service/groups';
import { UserService } from './scim/service/users';
import { DynamoAuditLog } from './store/audit-repository';
import { DynamoMembershipRepository } from './store/membership-repository';
import { DynamoResourceRepository } from './store/resource-repository';

export interface ResourceServiceOptions {
  uniqueExternalId?: boolean;
  deletedRetentionDays?: number;
  onConflict?: (kind: ResourceKind) => void;
  onCleanupDeferred?: (kind: ResourceKind, error: unknown) => void;
  /** The list cursors' sealer, when the function has one already. */
  sealer?: () => Promise<Sealer>;
}

export interface ResourceServices {
  registry: SchemaRegistry;
  users: UserService;
  groups: GroupService;
  /** The users' repository itself (the admin API erases a deleted user's record with it). */
  userRepo: DynamoResourceRepository;
}

export function resourceServices(db: DynamoDBDocumentClient, tableName: string, options: ResourceServiceOptions = {}): ResourceServices {
  const registry = buildRegistry();
  const repoOptions = { uniqueExternalId: options.uniqueExternalId === true };
  const userRepo = new DynamoResourceRepository(db, tableName, 'User', repoOptions);
  const groupRepo = new DynamoResourceRepository(db, tableName, 'Group', repoOptions);
  const common = {
    memberships: new DynamoMembershipRepository(db, tableName),
    clock: systemClock,
    newId: randomUUID,
    newEventId: randomUUID,
    audit: new DynamoAuditLog(db, tableName),
    sealer: options.sealer ?? cursorSealer(),
    ...(options.onConflict ? { onConflict: options.onConflict } : {}),
    ...(options.onCleanupDeferred ? { onCleanupDeferred: options.onCleanupDeferred } : {}),
    ...(options.deletedRetentionDays !== undefined ? { deletedRetentionDays: options.deletedRetentionDays } : {}),
  };
  return {
    registry,
    users: new UserService({ ...common, rs: registry.user, repo: userRepo, groups: groupRepo, hashPassword }),
    groups: new GroupService({ ...common, rs: registry.group, repo: groupRepo }),
    userRepo,
  };
}
