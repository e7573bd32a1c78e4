/** The filter grammar of RFC 7644 section 3.4.2.2 as data. Paths are as written (names not yet resolved). */
import type { AttrPath } from '../schemas/registry';

export type { AttrPath };

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompValue = string | number | boolean | null;

export type Filter =
  | { readonly kind: 'compare'; readonly path: AttrPath; readonly op: CompareOp; readonly value: CompValue }
  | { readonly kind: 'present'; readonly path: AttrPath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /** `emails[type eq "work" and value co "@x"]`: the inner filter's paths name sub-attributes of `path`. */
  | { readonly kind: 'valuePath'; readonly path: AttrPath; readonly filter: Filter }
  /**
   * A question the caller answers itself (never parsed): the query planner puts one in place of an
   * expression it answers through an index, e.g. `members[value eq "x"]` through the membership index.
   */
  | { readonly kind: 'term'; readonly id: number; readonly text: string };

/**
 * A PATCH operation's path (RFC 7644 section 3.5.2): an attribute, optionally a value filter
 * on a multi-valued attribute, optionally a sub-attribute after the filter, e.g.
 * `emails[type eq "work"].value`, `members[value eq "x"]`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
 */
export interface PatchPath {
  /** The attribute (with `sub` set for `name.givenName`-style paths without a filter). */
  readonly attr: AttrPath;
  readonly filter?: Filter;
  /** The sub-attribute after a value filter (`.value` in `emails[type eq "work"].value`). */
  readonly subAfterFilter?: string;
}
