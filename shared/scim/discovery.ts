/** /Schemas and /ResourceTypes (RFC 7643 sections 6 and 7), generated from the schema definitions. */
import { ScimError } from './messages/error';
import { listResponse, type ListResponse } from './messages/list-response';
import type { SchemaRegistry } from './schemas/registry';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './schemas/types';

export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

function attributeRepresentation(a: AttributeDefinition): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues && a.canonicalValues.length > 0 ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.type === 'reference' ? { referenceTypes: a.referenceTypes ?? ['external'] } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeRepresentation) } : {}),
  };
}

export function schemaRepresentation(s: SchemaDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.attributes.map(attributeRepresentation),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` },
  };
}

export function resourceTypeRepresentation(r: ResourceTypeDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: r.id,
    name: r.name,
    endpoint: r.endpoint,
    description: r.description,
    schema: r.schema,
    schemaExtensions: r.schemaExtensions,
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${r.id}` },
  };
}

export function schemas(registry: SchemaRegistry, baseUrl: string): ListResponse {
  return listResponse(registry.schemas.map((s) => schemaRepresentation(s, baseUrl)));
}

export function schemaById(registry: SchemaRegistry, id: string, baseUrl: string): Record<string, unknown> {
  const s = registry.schemas.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!s) throw ScimError.of(404, `No schema ${id}.`);
  return schemaRepresentation(s, baseUrl);
}

export function resourceTypes(registry: SchemaRegistry, baseUrl: string): ListResponse {
  return listResponse(registry.resourceTypes.map((r) => resourceTypeRepresentation(r, baseUrl)));
}

export function resourceTypeById(registry: SchemaRegistry, id: string, baseUrl: string): Record<string, unknown> {
  const r = registry.resourceTypes.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!r) throw ScimError.of(404, `No resource type ${id}.`);
  return resourceTypeRepresentation(r, baseUrl);
}
