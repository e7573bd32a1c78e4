/**
 * The key layout of the single table: every item's PK and SK, every index's keys, and the
 * builders the repositories use. Nothing else spells a key prefix (the IAM key conditions of the
 * stack read the same prefixes).
 *
 * | item                         | PK                                | SK                       | GSI1 (names, memberships)            | GSI2 (externalId)          | GSI3 (listings)                 |
 * | ---------------------------- | --------------------------------- | ------------------------ | ------------------------------------ | -------------------------- | ------------------------------- |
 * | user / group                 | USER#<id> / GROUP#<id>            | USER / GROUP             | USERNAME#<lower(userName)> / USER …  | USEREXT#<externalId> / USER | USERS / <created>#<id>           |
 * | name guard                   | USERNAME#<lower(name)>            | UNIQUE                   |                                      |                            |                                 |
 * | externalId guard (optional)  | USEREXT#<externalId>              | UNIQUE                   |                                      |                            |                                 |
 * | counter                      | COUNT                             | USER / GROUP             |                                      |                            |                                 |
 * | list position (startIndex)   | PAGE#USER#<list key>              | <startIndex>             |                                      |                            |                                 |
 * | membership                   | GROUP#<gid>                       | MEMBER#<U|G>#<member id> | MEMBEROF#<member id> / GROUP#<gid>   |                            |                                 |
 * | pending membership cleanup   | PURGE                             | <User|Group>#<id>        |                                      |                            |                                 |
 * | SCIM token                   | TOKEN                             | <token id>               |                                      |                            |                                 |
 * | provisioning settings        | CONFIG                            | PROVISIONING             |                                      |                            |                                 |
 * | audit event                  | AUDIT#<yyyy-mm-dd>                | <at>#<event id>          |                                      |                            | AUDIT / <at>#<event id>          |
 *
 * (Groups use GROUP, GROUPNAME#, GROUPEXT#, GROUPS in the same places.) A deleted user or group
 * keeps its item (deleted, without GSI1 and GSI3 keys) until its `ttl`.
 */
import type { MemberType, ResourceKind } from '../scim/ports';
import { uniqueNameKey } from '../scim/resource/names';
import { TABLE } from './table';

export const KEYS = {
  pk: TABLE.partitionKey.name,
  sk: TABLE.sortKey.name,
  ttl: TABLE.timeToLiveAttribute,
} as const;

type IndexName = 'GSI1' | 'GSI2' | 'GSI3';

const indexKeys = (name: IndexName): { name: IndexName; pk: string; sk: string } => {
  const index = TABLE.globalSecondaryIndexes.find((i) => i.indexName === name);
  if (!index) throw new Error(`The table has no index ${name}`);
  return { name, pk: index.partitionKey.name, sk: index.sortKey.name };
};

/** The indexes by what they serve. */
export const INDEX = {
  /** Unique names (userName, displayName) and the inverted membership index (a member's groups). */
  names: indexKeys('GSI1'),
  /** externalId. */
  externalIds: indexKeys('GSI2'),
  /** Listings in creation order: users, groups, the audit log. */
  listings: indexKeys('GSI3'),
} as const;

export type Key = Record<string, string>;
const key = (pk: string, sk: string): Key => ({ [KEYS.pk]: pk, [KEYS.sk]: sk });

/** The key prefixes, by item kind (also what IAM's dynamodb:LeadingKeys conditions name). */
export const PREFIX: Record<ResourceKind, string> = { User: 'USER', Group: 'GROUP' };
export const SINGLETON_PK = { counter: 'COUNT', purge: 'PURGE', nesting: 'NESTING', token: 'TOKEN', config: 'CONFIG' } as const;
export const AUDIT_PREFIX = 'AUDIT#';
export const PAGE_PREFIX = 'PAGE#';
const UNIQUE = 'UNIQUE';

export const resourceKeys = {
  item: (kind: ResourceKind, id: string): Key => key(`${PREFIX[kind]}#${id}`, PREFIX[kind]),
  /** The id of a resource item's key (what positionOf/isPosition check). */
  itemPkPrefix: (kind: ResourceKind): string => `${PREFIX[kind]}#`,
  nameGuard: (kind: ResourceKind, name: string): Key => key(resourceKeys.nameValue(kind, name), UNIQUE),
  externalIdGuard: (kind: ResourceKind, externalId: string): Key => key(resourceKeys.externalIdValue(kind, externalId), UNIQUE),
  /** GSI1PK of a resource by its unique name (names are unique after NFC, trimming and case folding). */
  nameValue: (kind: ResourceKind, name: string): string => `${PREFIX[kind]}NAME#${uniqueNameKey(name)}`,
  /** GSI2PK of a resource by its externalId (exact: RFC 7643 makes externalId case-exact). */
  externalIdValue: (kind: ResourceKind, externalId: string): string => `${PREFIX[kind]}EXT#${externalId}`,
  /** GSI3 of a live resource: its place in the listing of its type. */
  listingPk: (kind: ResourceKind): string => `${PREFIX[kind]}S`,
  listingSk: (created: string, id: string): string => `${created}#${id}`,
  counter: (kind: ResourceKind): Key => key(SINGLETON_PK.counter, PREFIX[kind]),
  marker: (kind: ResourceKind, listKey: string, startIndex: number): Key =>
    key(`${PAGE_PREFIX}${PREFIX[kind]}#${listKey}`, String(startIndex)),
  /** The index attributes of a resource item (what a delete takes away). */
  indexAttributes: [INDEX.names.pk, INDEX.names.sk, INDEX.listings.pk, INDEX.listings.sk] as const,
};

const typeCode = (t: MemberType): string => (t === 'User' ? 'U' : 'G');

export const membershipKeys = {
  item: (groupId: string, member: { id: string; type: MemberType }): Key =>
    key(resourceKeys.item('Group', groupId)[KEYS.pk] ?? '', `${membershipKeys.memberPrefix}${typeCode(member.type)}#${member.id}`),
  group: (groupId: string): string => resourceKeys.item('Group', groupId)[KEYS.pk] ?? '',
  memberPrefix: 'MEMBER#',
  nestedGroupPrefix: 'MEMBER#G#',
  /** GSI1 of a membership: the groups of a member. */
  memberOfValue: (memberId: string): string => `MEMBEROF#${memberId}`,
  memberOfSk: (groupId: string): string => resourceKeys.item('Group', groupId)[KEYS.pk] ?? '',
  memberOfSkPrefix: `${PREFIX.Group}#`,
  purgeMark: (resource: { id: string; type: MemberType }): Key => key(SINGLETON_PK.purge, `${resource.type}#${resource.id}`),
  /** The version of the nesting of groups: every write that makes a group a member moves it (cycle checks race on it). */
  nesting: key(SINGLETON_PK.nesting, 'GROUPS'),
};

export const tokenKeys = {
  item: (id: string): Key => key(SINGLETON_PK.token, id),
  settings: key(SINGLETON_PK.config, 'PROVISIONING'),
};

export const auditKeys = {
  /** Audit events by day (spreads writes), listed newest first through GSI3. */
  item: (at: string, id: string): Key => key(`${AUDIT_PREFIX}${at.slice(0, 10)}`, `${at}#${id}`),
  listingPk: 'AUDIT',
  listingSk: (at: string, id: string): string => `${at}#${id}`,
};

/**
 * Ids this service issues are UUIDs; anything longer than 128 characters or outside these
 * characters cannot name a stored item (and would overflow a 2 KB key), so it is never looked up.
 */
export function isStorableId(id: string): boolean {
  return /^[A-Za-z0-9._~:-]{1,128}$/.test(id);
}
