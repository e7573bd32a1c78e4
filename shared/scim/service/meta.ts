/** Building the SCIM representation of a stored resource: id, meta, ETag; and HTTP preconditions on it. */
import { createHash } from 'node:crypto';
import { ScimError } from '../messages/error';
import type { ResourceKind, StoredResource } from '../ports';
import type { ScimResource } from '../resource/types';
import type { ResourceSchema } from '../schemas/registry';

export type { ScimResource };

export const etagOf = (version: number | string): string => `W/"${version}"`;

const ENDPOINTS: Record<ResourceKind, string> = { User: 'Users', Group: 'Groups' };

export function locationOf(baseUrl: string, kind: ResourceKind, id: string): string {
  return `${baseUrl}/${ENDPOINTS[kind]}/${encodeURIComponent(id)}`;
}

/**
 * The version of a representation that holds derived values (a user's `groups`): the stored
 * version, and a digest of what was derived, so that the ETag moves when they do.
 */
export function versionWith(stored: number, derived: readonly unknown[]): string {
  if (derived.length === 0) return String(stored);
  return `${stored}-${createHash('sha256').update(JSON.stringify(derived)).digest('base64url').slice(0, 12)}`;
}

/**
 * The full resource as SCIM returns it (before attribute projection): schemas, id, attributes,
 * `extra` (derived attributes: groups, members), meta with the given version (default: the stored one).
 */
export function toScim(
  stored: StoredResource,
  kind: ResourceKind,
  rs: ResourceSchema,
  baseUrl: string,
  extra: ScimResource = {},
  version: number | string = stored.version,
): ScimResource {
  const { schemas, ...attributes } = stored.resource;
  return {
    schemas: Array.isArray(schemas) && schemas.length > 0 ? schemas : [rs.core.id],
    id: stored.id,
    ...inSchemaOrder({ ...attributes, ...extra }, rs),
    meta: {
      resourceType: kind,
      created: stored.created,
      lastModified: stored.lastModified,
      location: locationOf(baseUrl, kind, stored.id),
      version: etagOf(version),
    },
  };
}

/** The attributes in the order the schemas define them (DynamoDB maps keep no order), others after. */
const RANKS = new WeakMap<ResourceSchema, Map<string, number>>();

function inSchemaOrder(attributes: Record<string, unknown>, rs: ResourceSchema): Record<string, unknown> {
  let ranks = RANKS.get(rs);
  if (!ranks) {
    const order = ['externalId', ...rs.core.attributes.map((a) => a.name), ...rs.extensions.map((e) => e.id)];
    ranks = new Map(order.map((name, i) => [name, i] as const).reverse());
    RANKS.set(rs, ranks);
  }
  const known = ranks;
  const rank = (k: string): number => known.get(k) ?? known.size + 1;
  return Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => rank(a) - rank(b)));
}

/** Parses an If-Match / If-None-Match header into entity tags ("*" matches any). */
export function parseEtags(header: string | undefined): string[] | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  return header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Weak comparison (RFC 9110 section 8.8.3.2): W/"3" matches "3" and W/"3". */
export function etagMatches(tags: readonly string[], version: number | string): boolean {
  const opaque = (t: string): string => t.replace(/^W\//, '');
  return tags.some((t) => t === '*' || opaque(t) === opaque(etagOf(version)));
}

/** The preconditions of a write (RFC 7644 section 3.14, RFC 9110 section 13). */
export interface Preconditions {
  readonly ifMatch?: readonly string[];
  readonly ifNoneMatch?: readonly string[];
}

export const hasPreconditions = (p: Preconditions): boolean => p.ifMatch !== undefined || p.ifNoneMatch !== undefined;

/** 412 when If-Match names none of the resource's version, or If-None-Match names it (or is "*"). */
export function checkPreconditions(p: Preconditions, version: number | string): void {
  if (p.ifMatch && !etagMatches(p.ifMatch, version)) {
    throw ScimError.of(412, `The resource has version ${etagOf(version)}, not the one in If-Match (${p.ifMatch.join(', ')}).`);
  }
  if (p.ifNoneMatch && etagMatches(p.ifNoneMatch, version)) {
    throw ScimError.of(412, `The resource has version ${etagOf(version)}, which If-None-Match (${p.ifNoneMatch.join(', ')}) excludes.`);
  }
}
