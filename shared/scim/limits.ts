/**
 * Every limit of the SCIM API, in one place: the code that enforces a limit and
 * /ServiceProviderConfig, /ResourceTypes and the README that advertise it read it from here.
 */

/** Resources per page when `count` is not given, and the most a page holds. */
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

/**
 * The most resources a list built in memory may read: a page by `startIndex` of a filter that no
 * index answers exactly, or a sort by an attribute no index keeps. Beyond it, 400 tooMany (a
 * cursor pages such a filter at any size: see MAX_READS_PER_PAGE).
 */
export const MAX_SCAN = 10_000;

/**
 * The most index entries one cursor page reads for a filter an index answers only in part (`co`,
 * `ew`, `sw` with more conditions…): the page holds the matches found within them, possibly fewer
 * than `count` (RFC 9865), and its nextCursor goes on from where the reading stopped.
 */
export const MAX_READS_PER_PAGE = 2000;

/** The most email addresses one user may have (each is an index entry written with the user). */
export const MAX_EMAILS = 20;

/**
 * A group with more members than this is returned without `members`: a full member list would
 * outgrow Lambda's 6 MB response limit (about 150 bytes a member). Membership of one user is
 * still answered by `GET /Groups?filter=members[value eq "<user id>"]` and by the user's `groups`.
 */
export const MAX_MEMBERS_RETURNED = 10_000;

/**
 * A user in more groups than this (direct and indirect) is returned without `groups`, for the same
 * reason (about 1.2 KB a group with its display name), and its ETag then follows the first groups
 * only. Its groups are still answered by `GET /Groups?filter=members[value eq "<user id>"]`.
 */
export const MAX_GROUPS_RETURNED = 1000;

/** The most operations one PATCH request may carry (400 tooMany above). */
export const MAX_PATCH_OPERATIONS = 1000;

/** The largest request body the SCIM API accepts (413 above it). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * The most operations one bulk request may carry (/ServiceProviderConfig's bulk.maxOperations; 413
 * above it, RFC 7644 section 3.7.4). They run one after the other within one request's deadline
 * (REQUEST_DEADLINE_MS, 10 s) and work budget (WORK_BUDGET). The slowest common operation is a user
 * created with a password: scrypt is CPU-bound, and the function's 1,024 MB are about 0.6 of a
 * vCPU, so it should cost 60 to 80 ms there (an estimate; about 40 ms on a local core: 100 such
 * creates took 4 s locally, and 8 to 10 s on a loaded machine, where the last quarter met the
 * deadline). 50 keep that case near a third of the deadline, and leave each operation 4,000 work
 * units, twenty times what a user PATCH spends. Past the deadline the operations not run answer
 * 503 (send them again).
 */
export const MAX_BULK_OPERATIONS = 50;

/**
 * The largest bulk request body (/ServiceProviderConfig's bulk.maxPayloadSize; 413 above it, RFC
 * 7644 section 3.7.4): the same as any SCIM request's. API Gateway would take 10 MB, but the body
 * reaches the function inside Lambda's 6 MB invocation payload as an escaped JSON string (a quote
 * becomes two bytes, a control character six), and 1 MiB is 20 KB for each of MAX_BULK_OPERATIONS
 * (a user is about 1 KB).
 */
export const MAX_BULK_PAYLOAD_BYTES = MAX_PAYLOAD_BYTES;

/** How deep objects and arrays may nest in a request body (SCIM resources need 5 or 6 levels). */
export const MAX_JSON_DEPTH = 64;

/** The longest filter (characters) and its deepest nesting of parentheses and brackets. */
export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 50;

/** What one resource may weigh in storage: a DynamoDB item holds 400 KB, with room left for keys and indexes. */
export const MAX_RESOURCE_BYTES = 300_000;
/**
 * The longest value (characters) of a string attribute, and of a reference or binary one (a
 * photo's data: URI, a certificate): 400 invalidValue above them.
 */
export const MAX_STRING_LENGTH = 16_384;
export const MAX_BINARY_LENGTH = 65_536;
/** Unique names and externalIds are part of index keys (2 KB at most). */
export const MAX_KEY_VALUE_BYTES = 1024;

/**
 * What the resources of one list response may weigh, as they travel inside Lambda's response
 * (JSON in a JSON string, so escapes count): Lambda refuses a response over 6 MB, and a page stops
 * before it would pass this (with fewer than `count` resources, as RFC 7644 allows).
 */
export const MAX_RESPONSE_BYTES = 5_000_000;

/** How long a cursor (RFC 9865) and a remembered startIndex position stay valid. */
export const CURSOR_TIMEOUT_SECONDS = 3600;

/** Memberships a group delete removes at once; the rest are removed by the cleanup job. */
export const INLINE_PURGE_LIMIT = 1000;

/** How far nested groups are followed (for indirect groups and cycle checks). */
export const MAX_GROUP_NESTING_VISITS = 1000;

/**
 * How many times a write that lost a race with another is tried (without If-Match), with
 * jittered backoff: enough for 20 clients writing one resource at the same moment.
 */
export const WRITE_ATTEMPTS = 30;

/** Seconds a client is told to wait (Retry-After) when a resource kept changing under its write. */
export const RETRY_AFTER_SECONDS = 1;

/** Days a deleted user's record (and its personal data) is kept, for a restore by the same identity. */
export const DEFAULT_DELETED_RETENTION_DAYS = 30;

/**
 * Work units one request may spend (a value compared with a filter, a PATCH operation applied, a
 * member checked against a filter; a read a planner makes counts 100): a request that would spend
 * more is refused with 400 tooMany before it writes anything.
 */
export const WORK_BUDGET = 200_000;
/** What a DynamoDB read that a planner makes costs in work units. */
export const READ_WORK = 100;

/** Every request answers within this (well under the Lambda timeout); past it, nothing more is written. */
export const REQUEST_DEADLINE_MS = 10_000;
