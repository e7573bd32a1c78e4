/**
 * The Lambda functions: where each entry lives and exactly which items of the table it may touch.
 * The CDK stack turns each function's table grants into IAM statements limited by
 * `dynamodb:LeadingKeys` (infra/constructs/project-function.ts); the local stack loads the same
 * entries and can check its requests against the same grants. Plain data: no aws-cdk-lib here.
 *
 * How IAM reads these grants (Amazon DynamoDB Developer Guide, "Using IAM policy conditions for
 * fine-grained access control" and "Using IAM with DynamoDB transactions"):
 *  - `dynamodb:LeadingKeys` is the partition key value of every item a request names: one for
 *    GetItem, PutItem, UpdateItem, DeleteItem and Query; all of them for BatchGetItem and
 *    BatchWriteItem, which is why it is tested with `ForAllValues`. Every value of one request must
 *    match one statement, so a batch that mixes partitions (the SCIM function's BatchGetItem of
 *    USER# and GROUP# items) needs one grant that names all of them.
 *  - A Query on an index is authorized on the index's ARN, and its leading key is the index's
 *    partition key value (MEMBEROF#…, USERNAME#…, USERS, AUDIT), not the table's.
 *  - TransactWriteItems has no action of its own: each Put, Update and Delete in it is authorized
 *    as PutItem, UpdateItem or DeleteItem on that item's key (ConditionCheck as ConditionCheckItem,
 *    which no function uses).
 *  - `dynamodb:Attributes` must list the table's key attributes besides the attributes written or
 *    named in a condition; ReturnValues is then held to NONE, UPDATED_OLD or UPDATED_NEW so that an
 *    update cannot read the item's other attributes back.
 *  - No condition key restricts a sort key, an expression, or BatchWriteItem to deletes only, and
 *    PutItem always may replace a whole item: what a grant below allows on a partition, it allows
 *    on every item of that partition.
 */
import {
  AUDIT_PREFIX,
  auditKeys,
  DELIVERIES_PREFIX,
  EVENT_LOG_PREFIX,
  INDEX,
  KEYS,
  membershipKeys,
  PAGE_PREFIX,
  RESOURCE_EVENTS_PREFIX,
  resourceKeys,
  SINGLETON_PK,
  WEBHOOK_PK,
} from '../shared/store/keys';

/** The item-level DynamoDB actions a grant may name (never Scan: it has no leading key to limit). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

export type IndexName = (typeof INDEX)[keyof typeof INDEX]['name'];

/** What a function may do with the items of some partitions (one IAM statement). */
export interface TableGrant {
  /** The statement's Sid: what the grant is for (letters and digits). */
  readonly sid: string;
  readonly actions: readonly TableAction[];
  /** Query this index (by its partition key); without it, the table's items (by PK). */
  readonly index?: IndexName;
  /** Partition key values: exact (`COUNT`) or a prefix followed by `*` (`USER#*`). */
  readonly partitions: readonly string[];
  /**
   * Only these attributes may be written or named in a condition (the table's key attributes are
   * added): for a function that may update a few attributes of items it must not otherwise change.
   */
  readonly attributes?: readonly string[];
  /** The function writes these items but never reads them: a write may not return the old item. */
  readonly writeOnly?: true;
}

export interface FunctionSpec {
  /** Path of the handler module from the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Everything the function may do with the table; nothing else is granted. */
  readonly table: readonly TableGrant[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

const prefix = (value: string): string => {
  if (/[*?]/.test(value)) throw new Error(`A key prefix may not hold an IAM wildcard: ${value}`);
  return `${value}*`;
};

/**
 * The partition key values of the key layout (shared/store/keys.ts), as IAM patterns. The builders
 * are called with an empty id to get the prefix they put before it.
 */
export const PARTITIONS = {
  users: prefix(resourceKeys.itemPkPrefix('User')),
  groups: prefix(resourceKeys.itemPkPrefix('Group')),
  userNames: prefix(resourceKeys.nameValue('User', '')),
  groupNames: prefix(resourceKeys.nameValue('Group', '')),
  userExternalIds: prefix(resourceKeys.externalIdValue('User', '')),
  groupExternalIds: prefix(resourceKeys.externalIdValue('Group', '')),
  /** GSI1: users and groups in order of name, users' email addresses. */
  userNameOrder: resourceKeys.namesPk('User'),
  groupNameOrder: resourceKeys.namesPk('Group'),
  userEmails: resourceKeys.emailsPk,
  /** GSI2: in order of externalId, live resources and (apart) deleted records. */
  userExternalIdOrder: resourceKeys.externalIdsPk('User'),
  groupExternalIdOrder: resourceKeys.externalIdsPk('Group'),
  deletedUserExternalIds: resourceKeys.deletedExternalIdsPk('User'),
  deletedGroupExternalIds: resourceKeys.deletedExternalIdsPk('Group'),
  counters: SINGLETON_PK.counter,
  listPositions: prefix(PAGE_PREFIX),
  purgeMarks: SINGLETON_PK.purge,
  nesting: SINGLETON_PK.nesting,
  tokens: SINGLETON_PK.token,
  settings: SINGLETON_PK.config,
  auditEvents: prefix(AUDIT_PREFIX),
  /** GSI1: the groups of a member. */
  memberOf: prefix(membershipKeys.memberOfValue('')),
  /** GSI3 (creation) and GSI4 (lastModified): the listings. */
  userListing: resourceKeys.listingPk('User'),
  groupListing: resourceKeys.listingPk('Group'),
  auditListing: auditKeys.listingPk,
  /** The change events: the log (a partition a day), each resource's events, the webhooks and their deliveries. */
  eventLog: prefix(EVENT_LOG_PREFIX),
  resourceEvents: prefix(RESOURCE_EVENTS_PREFIX),
  webhooks: WEBHOOK_PK,
  deliveries: prefix(DELIVERIES_PREFIX),
} as const;

/**
 * Attributes of token and settings items that functions other than the admin function update
 * (spelled in shared/store/token-repository.ts).
 */
export const TOKEN_ATTRIBUTES = {
  lastUsedAt: 'lastUsedAt',
  status: 'status',
  expiryWarning: 'expiryWarning',
  /** On the settings item: the count of Active tokens, and of Active SCIM clients. */
  activeTokens: 'activeTokens',
  activeClients: 'activeClients',
} as const;

const P = PARTITIONS;

export const FUNCTIONS = {
  scim: {
    entry: 'functions/scim/handler.ts',
    description: 'SCIM 2.0 service provider (/api/scim/v2)',
    table: [
      // Users and groups: read by id (one or a batch that mixes both), created, replaced, deleted
      // (kept as a record) and restored, in transactions with what follows.
      { sid: 'ScimResources', actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'], partitions: [P.users, P.groups] },
      // A user's email address entries live in the user's partition: put and deleted with the user's writes.
      { sid: 'ScimEmailEntries', actions: ['DeleteItem'], partitions: [P.users] },
      // Memberships live in their group's partition: listed, added and removed one by one, purged in batches.
      { sid: 'ScimMemberships', actions: ['Query', 'DeleteItem', 'BatchWriteItem'], partitions: [P.groups] },
      // Uniqueness guards of names (always) and externalIds (when unique): claimed and freed, never read.
      {
        sid: 'ScimUniquenessGuards',
        actions: ['PutItem', 'DeleteItem'],
        partitions: [P.userNames, P.groupNames, P.userExternalIds, P.groupExternalIds],
        writeOnly: true,
      },
      // totalResults and the listing generation (read), moved in the write transactions.
      { sid: 'ScimCounters', actions: ['GetItem', 'UpdateItem'], partitions: [P.counters] },
      // The version of the nesting of groups: read by the cycle check, moved by writes that nest.
      { sid: 'ScimNesting', actions: ['GetItem', 'UpdateItem'], partitions: [P.nesting] },
      // Remembered startIndex positions of list pages.
      { sid: 'ScimListPositions', actions: ['GetItem', 'PutItem'], partitions: [P.listPositions] },
      // The mark that leaves a deleted resource's remaining memberships to the cleanup job.
      { sid: 'ScimPurgeMarks', actions: ['PutItem'], partitions: [P.purgeMarks], writeOnly: true },
      // Audit events: new ones only (in the write's transaction, or alone for a refusal); never read.
      { sid: 'ScimAuditEvents', actions: ['PutItem'], partitions: [P.auditEvents], writeOnly: true },
      // userName / displayName eq, sw, pr and sortBy; emails.value eq, sw, pr; a member's groups.
      {
        sid: 'ScimNameIndex',
        actions: ['Query'],
        index: INDEX.names.name,
        partitions: [P.userNameOrder, P.groupNameOrder, P.userEmails, P.memberOf],
      },
      // externalId eq, sw, pr; deleted records by externalId (restores).
      {
        sid: 'ScimExternalIdIndex',
        actions: ['Query'],
        index: INDEX.externalIds.name,
        partitions: [P.userExternalIdOrder, P.groupExternalIdOrder, P.deletedUserExternalIds, P.deletedGroupExternalIds],
      },
      // Listings in creation order.
      { sid: 'ScimListingIndex', actions: ['Query'], index: INDEX.listings.name, partitions: [P.userListing, P.groupListing] },
      // In order of lastModified (delta sync: meta.lastModified gt, sortBy meta.lastModified).
      { sid: 'ScimChangesIndex', actions: ['Query'], index: INDEX.changes.name, partitions: [P.userListing, P.groupListing] },
    ],
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  scimAuthorizer: {
    entry: 'functions/scim-authorizer/handler.ts',
    description: 'Validates SCIM bearer tokens',
    table: [
      { sid: 'AuthorizerReadTokens', actions: ['GetItem'], partitions: [P.tokens] },
      // A token's last use, and nothing else of it.
      {
        sid: 'AuthorizerRecordTokenUse',
        actions: ['UpdateItem'],
        partitions: [P.tokens],
        attributes: [TOKEN_ATTRIBUTES.lastUsedAt],
      },
      // Refused authentications, counted into one audit item per minute, address and reason (ADD count).
      { sid: 'AuthorizerRefusalEvents', actions: ['UpdateItem'], partitions: [P.auditEvents], writeOnly: true },
    ],
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  admin: {
    entry: 'functions/admin/handler.ts',
    description: 'Provisioning admin API (/api/admin/v1)',
    table: [
      // Tokens: listed, generated, deleted, marked Expired when the clock says so.
      { sid: 'AdminTokens', actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], partitions: [P.tokens] },
      // The provisioning switch and the count of Active tokens.
      { sid: 'AdminSettings', actions: ['GetItem', 'UpdateItem'], partitions: [P.settings] },
      // Every change and read is audited (in the change's transaction, or alone).
      { sid: 'AdminAuditEvents', actions: ['PutItem'], partitions: [P.auditEvents], writeOnly: true },
      // The audit log, newest first.
      { sid: 'AdminAuditLog', actions: ['Query'], index: INDEX.listings.name, partitions: [P.auditListing] },
      // Erasing a deleted user's kept record (only if it is a deleted record: a condition of the delete).
      { sid: 'AdminEraseUsers', actions: ['GetItem', 'DeleteItem'], partitions: [P.users] },
      // Webhooks: registered (with their count), listed, deleted.
      { sid: 'AdminWebhooks', actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], partitions: [P.webhooks] },
      // Each webhook's deliveries, newest first.
      { sid: 'AdminWebhookDeliveries', actions: ['Query'], partitions: [P.deliveries] },
      // The event log, oldest first, and one resource's events.
      { sid: 'AdminEventLog', actions: ['Query'], partitions: [P.eventLog, P.resourceEvents] },
      // The console's read-only views of users and groups, searched and paged as SCIM does (the same
      // services): the resources (a user's groups, a group's members and count), totalResults, the
      // remembered startIndex positions (the one write of a read), and the orders a filter or sort walks.
      { sid: 'AdminReadResources', actions: ['GetItem', 'BatchGetItem'], partitions: [P.users, P.groups, P.counters] },
      { sid: 'AdminReadMemberships', actions: ['Query'], partitions: [P.groups] },
      { sid: 'AdminListPositions', actions: ['GetItem', 'PutItem'], partitions: [P.listPositions] },
      {
        sid: 'AdminNameIndex',
        actions: ['Query'],
        index: INDEX.names.name,
        partitions: [P.userNameOrder, P.groupNameOrder, P.userEmails, P.memberOf],
      },
      {
        sid: 'AdminExternalIdIndex',
        actions: ['Query'],
        index: INDEX.externalIds.name,
        partitions: [P.userExternalIdOrder, P.groupExternalIdOrder],
      },
      { sid: 'AdminListingIndex', actions: ['Query'], index: INDEX.listings.name, partitions: [P.userListing, P.groupListing] },
      { sid: 'AdminChangesIndex', actions: ['Query'], index: INDEX.changes.name, partitions: [P.userListing, P.groupListing] },
    ],
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  token: {
    entry: 'functions/oauth-token/handler.ts',
    description: 'OAuth 2.0 token endpoint for SCIM clients (/api/oauth2/token)',
    table: [
      // A client's record (its secret's hash, status, expiry): read (or, for a federated assertion, the
      // clients listed to find the one trusting its issuer), never written but for its last use.
      { sid: 'TokenEndpointReadClients', actions: ['GetItem', 'Query'], partitions: [P.tokens] },
      { sid: 'TokenEndpointRecordUse', actions: ['UpdateItem'], partitions: [P.tokens], attributes: [TOKEN_ATTRIBUTES.lastUsedAt] },
      // Issued tokens (a new event each) and refusals (counted into one event per minute, address and reason).
      { sid: 'TokenEndpointAuditEvents', actions: ['PutItem', 'UpdateItem'], partitions: [P.auditEvents], writeOnly: true },
    ],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  membershipCleanup: {
    entry: 'functions/membership-cleanup/handler.ts',
    description: 'Removes the memberships of deleted users and groups in the background',
    table: [
      { sid: 'CleanupPurgeMarks', actions: ['Query', 'DeleteItem'], partitions: [P.purgeMarks] },
      // Is the resource of a mark still there?
      { sid: 'CleanupResources', actions: ['GetItem'], partitions: [P.users, P.groups] },
      // A group's memberships (read, removed one by one or in batches) and its member count.
      {
        sid: 'CleanupMemberships',
        actions: ['Query', 'BatchGetItem', 'DeleteItem', 'UpdateItem', 'BatchWriteItem'],
        partitions: [P.groups],
      },
      // The groups a deleted member still belongs to.
      { sid: 'CleanupMemberOfIndex', actions: ['Query'], index: INDEX.names.name, partitions: [P.memberOf] },
    ],
    memoryMb: 512,
    timeoutSeconds: 300,
  },
  tokenExpiry: {
    entry: 'functions/token-expiry/handler.ts',
    description: 'Marks expired SCIM tokens Expired and warns before expiry',
    table: [
      { sid: 'ExpiryListTokens', actions: ['Query'], partitions: [P.tokens] },
      // Expired (status and ttl), warned (expiryWarning); never the hash, name or expiry.
      {
        sid: 'ExpiryMarkTokens',
        actions: ['UpdateItem'],
        partitions: [P.tokens],
        attributes: [TOKEN_ATTRIBUTES.status, KEYS.ttl, TOKEN_ATTRIBUTES.expiryWarning],
      },
      // One fewer Active token (or client), in the transaction that marks it Expired; never the switch.
      {
        sid: 'ExpiryTokenCount',
        actions: ['UpdateItem'],
        partitions: [P.settings],
        attributes: [TOKEN_ATTRIBUTES.activeTokens, TOKEN_ATTRIBUTES.activeClients],
      },
    ],
    memoryMb: 256,
    timeoutSeconds: 60,
  },
  events: {
    entry: 'functions/events/handler.ts',
    description: 'Turns committed changes (the table stream) into change events: the log, the bus, the webhooks',
    table: [
      // Each event once: in its resource's partition (the guard: a condition of the put) and in the log's day.
      { sid: 'EventsLog', actions: ['PutItem'], partitions: [P.eventLog, P.resourceEvents], writeOnly: true },
      // Which webhooks receive which types.
      { sid: 'EventsWebhooks', actions: ['Query'], partitions: [P.webhooks] },
    ],
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  webhookSender: {
    entry: 'functions/webhook-sender/handler.ts',
    description: 'Delivers change events to webhooks (signed, retried with backoff)',
    table: [
      // The webhook (its URL and signing secret), its health, and disabling it.
      { sid: 'SenderWebhooks', actions: ['GetItem', 'UpdateItem'], partitions: [P.webhooks] },
      // The event to deliver.
      { sid: 'SenderEvents', actions: ['GetItem'], partitions: [P.resourceEvents] },
      // Each delivery's record: status, attempts, last answer.
      { sid: 'SenderDeliveries', actions: ['GetItem', 'UpdateItem'], partitions: [P.deliveries] },
      // Disabling an endpoint that keeps failing is audited.
      { sid: 'SenderAuditEvents', actions: ['PutItem'], partitions: [P.auditEvents], writeOnly: true },
    ],
    memoryMb: 256,
    timeoutSeconds: 60,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof FUNCTIONS;
