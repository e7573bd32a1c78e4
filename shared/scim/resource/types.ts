/** Shared types and small helpers for SCIM resources as plain JSON objects. */
import type { ResourceSchema } from '../schemas/registry';
import type { SchemaDefinition } from '../schemas/types';

/**
 * A SCIM resource as stored and returned: core attributes at the top level under their canonical
 * names, extension attributes under the extension's schema URN, `schemas` listing the URNs in use.
 */
export type ScimResource = Record<string, unknown>;

/** The result of normalising a POST/PUT body: the resource, and the cleartext password split out. */
export interface NormalizedResource {
  readonly resource: ScimResource;
  /** The writeOnly `password`, when one was sent; the caller hashes it and never stores it as is. */
  readonly password?: string;
}

/** `attributes` / `excludedAttributes` of RFC 7644 section 3.4.2.5 and 3.9. */
export interface ProjectionOptions {
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A property of a message (PatchOp, SearchRequest, BulkRequest), its name matched case-insensitively. */
export function propertyOf(obj: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  return obj[Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name];
}

/** A key or path split into the schema it is qualified with and the rest (RFC 7644 section 3.10). */
export interface SchemaQualified {
  readonly schema: SchemaDefinition;
  /** The attribute path after `<urn>:`; undefined when the key is the schema URN alone. */
  readonly rest?: string;
}

/**
 * Splits a URN-qualified key or path (`urn:…:enterprise:2.0:User:manager.value`) into its schema
 * and the rest, matching the URN case-insensitively; undefined when no schema of `rs` qualifies it.
 */
export function splitSchemaUrn(rs: ResourceSchema, key: string): SchemaQualified | undefined {
  const lower = key.toLowerCase();
  const schemas = [rs.core, ...rs.extensions].sort((a, b) => b.id.length - a.id.length);
  for (const schema of schemas) {
    const id = schema.id.toLowerCase();
    if (lower === id) return { schema };
    if (lower.startsWith(`${id}:`)) return { schema, rest: key.slice(id.length + 1) };
  }
  return undefined;
}
