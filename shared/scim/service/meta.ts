/** Building the SCIM representation of a stored resource: id, meta, ETag. */
import type { ResourceKind, StoredResource } from '../ports';
import type { ResourceSchema } from '../schemas/registry';
import { ScimError } from '../errors';

export type ScimResource = Record<string, unknown>;

export const etagOf = (version: number | string): string => `W/"${version}"`;

const ENDPOINTS: Record<ResourceKind, string> = { User: 'Users', Group: 'Groups' };

export function locationOf(baseUrl: string, kind: ResourceKind, id: string): string {
  return `${baseUrl}/${ENDPOINTS[kind]}/${encodeURIComponent(id)}`;
}

/** The full resource as SCIM returns it (before attribute projection): schemas, id, attributes, meta. */
export function toScim(stored: StoredResource, kind: ResourceKind, rs: ResourceSchema, baseUrl: string): ScimResource {
  const { schemas, ...attributes } = stored.resource;
  return {
    schemas: Array.isArray(schemas) && schemas.length > 0 ? schemas : [rs.core.id],
    id: stored.id,
    ...inSchemaOrder(attributes, rs),
    meta: {
      resourceType: kind,
      created: stored.created,
      lastModified: stored.lastModified,
      location: locationOf(baseUrl, kind, stored.id),
      version: etagOf(stored.version),
    },
  };
}

/** The attributes in the order the schemas define them (DynamoDB maps keep no order), others after. */
function inSchemaOrder(attributes: Record<string, unknown>, rs: ResourceSchema): Record<string, unknown> {
  const order = ['externalId', ...rs.core.attributes.map((a) => a.name), ...rs.extensions.map((e) => e.id)];
  const rank = (k: string): number => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
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

/** If-Match on a write: 412 when the resource's version is not among the tags. */
export function checkIfMatch(ifMatch: readonly string[] | undefined, version: number | string): void {
  if (ifMatch && !etagMatches(ifMatch, version)) {
    throw ScimError.of(412, `The resource has version ${etagOf(version)}, not the one in If-Match (${ifMatch.join(', ')}).`);
  }
}
