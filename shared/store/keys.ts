/**
 * The key layout of the single table: every item's PK and SK, every index's keys, and the
 * builders the repositories use. Nothing else spells a key prefix (the IAM key conditions of the
 * stack read the same prefixes).
 *
 * | item                         | PK                                | SK                       | GSI1 (names, emails, memberships)    | GSI2 (externalId)          | GSI3 (creation)        | GSI4 (lastModified, keys only) |
 * | ---------------------------- | --------------------------------- | ------------------------ | ------------------------------------ | -------------------------- | ---------------------- | ------------------------------ |
 * | user / group                 | USER#<id> / GROUP#<id>            | USER / GROUP             | USERNAMES / <folded userName>        | USEREXTS / <externalId>    | USERS / <created>#<id> | USERS / <lastModified>         |
 * | a user's email address       | USER#<id>                         | EMAIL#<folded address>   | USEREMAILS / <folded address>        |                            |                        |                                |
 * | name guard                   | USERNAME#<unique name key>        | UNIQUE                   |                                      |                            |                        |                                |
 * | externalId guard (optional)  | USEREXT#<externalId>              | UNIQUE                   |                                      |                            |                        |                                |
 * | counter                      | COUNT                             | USER / GROUP             |                                      |                            |                        |                                |
 * | list position (startIndex)   | PAGE#USER#<list key>              | <startIndex>             |                                      |                            |                        |                                |
 * | membership                   | GROUP#<gid>                       | MEMBER#<U|G>#<member id> | MEMBEROF#<member id> / GROUP#<gid>   |                            |                        |                                |
 * | pending membership cleanup   | PURGE                             | <User|Group>#<id>        |                                      |                            |                        |                                |
 * | SCIM token                   | TOKEN                             | <token id>               |                                      |                            |                        |                                |
 * | provisioning settings        | CONFIG                            | PROVISIONING             |                                      |                            |                        |                                |
 * | audit event                  | AUDIT#<yyyy-mm-dd>                | <at>#<event id>          |                                      |                            | AUDIT / <at>#<event id> |                               |
 * | change event, in the log     | EVENTLOG#<yyyy-mm-dd>             | <logged at>#<event id>   |                                      |                            |                        |                                |
 * | change event, by resource    | EVENTS#<resource id>              | <sequence, 12 digits>    |                                      |                            |                        |                                |
 * | webhook                      | WEBHOOK                           | <webhook id>             |                                      |                            |                        |                                |
 * | webhooks' count              | WEBHOOK                           | #COUNT                   |                                      |                            |                        |                                |
 * | webhook delivery             | WEBHOOK#<webhook id>              | DELIVERY#<event time>#<event id> |                              |                            |                        |                                |
 *
 * Folded: NFC and lower case, as filters compare case-insensitive strings, so `eq` and `sw` are
 * key conditions; index values are cut to 1,000 bytes (an index sort key holds 1,024), which makes
 * an index answer a superset that the filter, evaluated on every item read, narrows.
 * (Groups use GROUP, GROUPNAMES, GROUPNAME#, GROUPEXTS, GROUPEXT#, GROUPS in the same places.) A
 * deleted user or group keeps its item until its `ttl`: without GSI1, GSI3 and GSI4 keys, and in
 * GSI2 under USEREXTS#DELETED (where a restore by the same identity finds it).
 */
import type { MemberType, ResourceKind } from '../scim/ports';
import { uniqueNameKey } from '../scim/resource/names';
import { TABLE } from './table';

export const KEYS = {
  pk: TABLE.partitionKey.name,
  sk: TABLE.sortKey.name,
  ttl: TABLE.timeToLiveAttribute,
} as const;

type IndexName = 'GSI1' | 'GSI2' | 'GSI3' | 'GSI4';

const indexKeys = (name: IndexName): { name: IndexName; pk: string; sk: string } => {
  const index = TABLE.globalSecondaryIndexes.find((i) => i.indexName === name);
  if (!index) throw new Error(`The table has no index ${name}`);
  return { name, pk: index.partitionKey.name, sk: index.sortKey.name };
};

/** The indexes by what they serve. */
export const INDEX = {
  /** Resources in order of their unique name (userName, displayName), users' email addresses, and the inverted membership index (a member's groups). */
  names: indexKeys('GSI1'),
  /** Resources in order of externalId (live ones; deleted records apart). */
  externalIds: indexKeys('GSI2'),
  /** Listings in creation order: users, groups, the audit log. */
  listings: indexKeys('GSI3'),
  /** Resources in order of lastModified (keys only). */
  changes: indexKeys('GSI4'),
} as const;

/** The longest value an index sort key holds here (bytes; DynamoDB allows 1,024 with the rest of the key). */
export const INDEX_VALUE_BYTES = 1000;

/** A value cut to at most INDEX_VALUE_BYTES of UTF-8, on a code point boundary. */
export function indexValue(value: string): string {
  if (Buffer.byteLength(value) <= INDEX_VALUE_BYTES) return value;
  let out = '';
  let bytes = 0;
  for (const ch of value) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > INDEX_VALUE_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** How a case-insensitive string is held in an index: as filters compare it (NFC, lower case), cut to size. */
export const foldedIndexValue = (value: string): string => indexValue(value.normalize('NFC').toLowerCase());

/** The attribute of a user or group item that says what its last write was (ChangeNote): its change event reads it from the stream. */
export const CHANGE_ATTRIBUTE = 'change';

export type Key = Record<string, string>;
const key = (pk: string, sk: string): Key => ({ [KEYS.pk]: pk, [KEYS.sk]: sk });

/** The key prefixes, by item kind (also what IAM's dynamodb:LeadingKeys conditions name). */
export const PREFIX: Record<ResourceKind, string> = { User: 'USER', Group: 'GROUP' };
export const SINGLETON_PK = { counter: 'COUNT', purge: 'PURGE', nesting: 'NESTING', token: 'TOKEN', config: 'CONFIG' } as const;
export const AUDIT_PREFIX = 'AUDIT#';
export const EVENT_LOG_PREFIX = 'EVENTLOG#';
export const RESOURCE_EVENTS_PREFIX = 'EVENTS#';
export const WEBHOOK_PK = 'WEBHOOK';
export const DELIVERIES_PREFIX = 'WEBHOOK#';
export const PAGE_PREFIX = 'PAGE#';
const UNIQUE = 'UNIQUE';

export const resourceKeys = {
  item: (kind: ResourceKind, id: string): Key => key(`${PREFIX[kind]}#${id}`, PREFIX[kind]),
  /** The id of a resource item's key (what positionOf/isPosition check). */
  itemPkPrefix: (kind: ResourceKind): string => `${PREFIX[kind]}#`,
  nameGuard: (kind: ResourceKind, name: string): Key => key(resourceKeys.nameValue(kind, name), UNIQUE),
  externalIdGuard: (kind: ResourceKind, externalId: string): Key => key(resourceKeys.externalIdValue(kind, externalId), UNIQUE),
  /** The name guard's partition (names are unique after NFC, trimming and case folding). */
  nameValue: (kind: ResourceKind, name: string): string => `${PREFIX[kind]}NAME#${uniqueNameKey(name)}`,
  /** The externalId guard's partition (exact: RFC 7643 makes externalId case-exact). */
  externalIdValue: (kind: ResourceKind, externalId: string): string => `${PREFIX[kind]}EXT#${externalId}`,
  /** GSI1 of a live resource: the partition of its type, in order of the folded unique name. */
  namesPk: (kind: ResourceKind): string => `${PREFIX[kind]}NAMES`,
  /** GSI2 of a live resource (and, apart, of the deleted records kept for a restore). */
  externalIdsPk: (kind: ResourceKind): string => `${PREFIX[kind]}EXTS`,
  deletedExternalIdsPk: (kind: ResourceKind): string => `${PREFIX[kind]}EXTS#DELETED`,
  /** An email address of a user: an item beside the user's own, so that any of its addresses is found. */
  email: (userId: string, folded: string): Key => key(`${PREFIX.User}#${userId}`, `EMAIL#${folded}`),
  emailsPk: `${PREFIX.User}EMAILS`,
  /** GSI3 (and GSI4) of a live resource: its place in the listing of its type. */
  listingPk: (kind: ResourceKind): string => `${PREFIX[kind]}S`,
  listingSk: (created: string, id: string): string => `${created}#${id}`,
  counter: (kind: ResourceKind): Key => key(SINGLETON_PK.counter, PREFIX[kind]),
  marker: (kind: ResourceKind, listKey: string, startIndex: number): Key =>
    key(`${PAGE_PREFIX}${PREFIX[kind]}#${listKey}`, String(startIndex)),
  /** The index attributes of a resource item that a delete takes away (GSI2 moves to the deleted records). */
  indexAttributes: [INDEX.names.pk, INDEX.names.sk, INDEX.listings.pk, INDEX.listings.sk, INDEX.changes.pk, INDEX.changes.sk] as const,
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

export const eventKeys = {
  /** The log, a partition per day of logging (read oldest first, strongly consistent). */
  logDay: (day: string): string => `${EVENT_LOG_PREFIX}${day}`,
  log: (loggedAt: string, eventId: string): Key => key(eventKeys.logDay(loggedAt.slice(0, 10)), `${loggedAt}#${eventId}`),
  /** One resource's events in order (and the guard that logs each event once). */
  resource: (resourceId: string, sequence: number): Key => key(eventKeys.resourcePk(resourceId), eventKeys.sequenceSk(sequence)),
  resourcePk: (resourceId: string): string => `${RESOURCE_EVENTS_PREFIX}${resourceId}`,
  sequenceSk: (sequence: number): string => String(sequence).padStart(12, '0'),
};

export const webhookKeys = {
  item: (id: string): Key => key(WEBHOOK_PK, id),
  count: key(WEBHOOK_PK, '#COUNT'),
  deliveriesPk: (webhookId: string): string => `${DELIVERIES_PREFIX}${webhookId}`,
  deliveryPrefix: 'DELIVERY#',
  delivery: (webhookId: string, eventTime: string, eventId: string): Key =>
    key(webhookKeys.deliveriesPk(webhookId), `${webhookKeys.deliveryPrefix}${eventTime}#${eventId}`),
};

/**
 * Ids this service issues are UUIDs; anything longer than 128 characters or outside these
 * characters cannot name a stored item (and would overflow a 2 KB key), so it is never looked up.
 */
export function isStorableId(id: string): boolean {
  return /^[A-Za-z0-9._~:-]{1,128}$/.test(id);
}
