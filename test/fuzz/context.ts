/**
 * What the generators know about the stack under test: where the APIs are, the credentials, the
 * fuzzer's own resources (which requests may change and delete) and real cursors and ETags to
 * mutate. The watched resources of the integrity check are deliberately not in here: a generator
 * cannot name what it never sees.
 */

export interface Credentials {
  /** The SCIM bearer token. */
  readonly scim: string;
  /** An admin JWT of a role that may manage provisioning (Owner). */
  readonly admin: string;
  /** An admin JWT of a role that may not (Viewer): the admin API answers it 403. */
  readonly viewer: string;
}

export interface OwnedPool {
  /** Ids that requests may read and change but never delete. */
  readonly stable: readonly string[];
  /** Ids that requests may also delete. */
  readonly deletable: readonly string[];
}

export interface FuzzContext {
  /** The path of the SCIM API, e.g. /api/scim/v2. */
  readonly scimPath: string;
  /** The path of the admin API, e.g. /api/admin/v1. */
  readonly adminPath: string;
  readonly credentials: Credentials;
  readonly users: OwnedPool;
  readonly groups: OwnedPool;
  /** The ETag each owned resource had when it was created. */
  readonly etags: Readonly<Record<string, string>>;
  /** Real cursors from list responses (users, groups, filtered, sorted) and from the audit log. */
  readonly cursors: { readonly scim: readonly string[]; readonly audit: readonly string[] };
}

/** A request as it goes on the wire. */
export interface FuzzRequest {
  readonly index: number;
  readonly method: string;
  /** Path and query as sent on the request line (ASCII). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  /** What the generator aimed at, e.g. `scim.patch-owned`. */
  readonly category: string;
  /** The hostile input shape, e.g. `id:over-long(10240)`, `body:nested(10000)`. */
  readonly shape: string;
  /** Statuses the request must get (a bad credential: 401 and nothing else). */
  readonly expectStatus?: readonly number[];
  /**
   * Traits that may explain a failure whatever the route, e.g. `query-key:hasOwnProperty` (a query
   * parameter or header named like an Object.prototype member) or `url:oversized`.
   */
  readonly tags?: readonly string[];
}

export const allOwnedIds = (ctx: FuzzContext): string[] => [
  ...ctx.users.stable,
  ...ctx.users.deletable,
  ...ctx.groups.stable,
  ...ctx.groups.deletable,
];
