/**
 * The schemas each resource type uses (core + extensions), and attribute resolution by path.
 * Names are matched case-insensitively (RFC 7644 section 3.10); an attribute path may be
 * qualified by its schema URN ("urn:…:enterprise:2.0:User:manager.value").
 */
import { COMMON_ATTRIBUTES, ENTERPRISE_USER, GROUP, GROUP_SCHEMA, USER, USER_SCHEMA } from './core';
import { MAX_MEMBERS_RETURNED } from '../limits';
import defaultExtensions from './extensions.json';
import { attr, type AttributeDefinition, type AttributeType, type ResourceTypeDefinition, type SchemaDefinition } from './types';

export interface ResourceSchema {
  readonly resourceType: ResourceTypeDefinition;
  readonly core: SchemaDefinition;
  readonly extensions: readonly SchemaDefinition[];
}

/** A path to an attribute: optional schema URN, attribute name, optional sub-attribute name. */
export interface AttrPath {
  readonly uri?: string;
  readonly name: string;
  readonly sub?: string;
}

export interface ResolvedAttribute {
  /** The schema that defines the attribute (core or an extension). */
  readonly schema: SchemaDefinition;
  /** True when the attribute lives under its extension's URN key in a resource. */
  readonly inExtension: boolean;
  readonly attribute: AttributeDefinition;
  /** The sub-attribute, when the path names one. */
  readonly subAttribute?: AttributeDefinition;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function findAttribute(list: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  return list?.find((a) => same(a.name, name));
}

/** Resolves a path against a resource type's schemas; undefined when no such attribute exists. */
export function resolveAttribute(rs: ResourceSchema, path: AttrPath): ResolvedAttribute | undefined {
  const candidates: { schema: SchemaDefinition; inExtension: boolean; attributes: readonly AttributeDefinition[] }[] = [];
  if (path.uri !== undefined) {
    if (same(path.uri, rs.core.id))
      candidates.push({ schema: rs.core, inExtension: false, attributes: [...COMMON_ATTRIBUTES, ...rs.core.attributes] });
    for (const ext of rs.extensions)
      if (same(path.uri, ext.id)) candidates.push({ schema: ext, inExtension: true, attributes: ext.attributes });
  } else {
    candidates.push({ schema: rs.core, inExtension: false, attributes: [...COMMON_ATTRIBUTES, ...rs.core.attributes] });
    // Tolerance: clients send extension attributes unqualified ("manager", "department");
    // the core schema wins, then the first extension that defines the name.
    for (const ext of rs.extensions) candidates.push({ schema: ext, inExtension: true, attributes: ext.attributes });
  }
  for (const c of candidates) {
    const attribute = findAttribute(c.attributes, path.name);
    if (!attribute) continue;
    if (path.sub === undefined) return { schema: c.schema, inExtension: c.inExtension, attribute };
    const subAttribute = findAttribute(attribute.subAttributes, path.sub);
    if (!subAttribute) return undefined;
    return { schema: c.schema, inExtension: c.inExtension, attribute, subAttribute };
  }
  return undefined;
}

/** The schema (core or extension) whose id matches a URN, case-insensitively. */
export function schemaByUrn(rs: ResourceSchema, urn: string): SchemaDefinition | undefined {
  return [rs.core, ...rs.extensions].find((s) => same(s.id, urn));
}

// ---- extensions added by configuration ----

interface ExtensionAttributeConfig {
  name: string;
  type: AttributeType;
  multiValued?: boolean;
  description?: string;
  required?: boolean;
  caseExact?: boolean;
  mutability?: AttributeDefinition['mutability'];
  returned?: AttributeDefinition['returned'];
  uniqueness?: AttributeDefinition['uniqueness'];
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: ExtensionAttributeConfig[];
}

export interface ExtensionConfig {
  resourceTypes: string[];
  required?: boolean;
  schema: { id: string; name: string; description?: string; attributes: ExtensionAttributeConfig[] };
}

const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'];

function attributeFromConfig(c: ExtensionAttributeConfig, where: string): AttributeDefinition {
  if (typeof c.name !== 'string' || !/^[A-Za-z][\w$-]*$/.test(c.name))
    throw new Error(`${where}: invalid attribute name ${String(c.name)}`);
  if (!ATTRIBUTE_TYPES.includes(c.type)) throw new Error(`${where}.${c.name}: invalid type ${String(c.type)}`);
  const { subAttributes, ...rest } = c;
  if (c.type === 'complex' && (!subAttributes || subAttributes.length === 0))
    throw new Error(`${where}.${c.name}: complex needs subAttributes`);
  return attr(c.name, c.type, {
    ...rest,
    description: c.description ?? '',
    ...(subAttributes ? { subAttributes: subAttributes.map((s) => attributeFromConfig(s, `${where}.${c.name}`)) } : {}),
  });
}

/** Validates extension configuration and turns it into schema definitions; throws on bad config (at cold start). */
export function extensionsFromConfig(config: {
  extensions?: ExtensionConfig[];
}): { schema: SchemaDefinition; resourceTypes: string[]; required: boolean }[] {
  return (config.extensions ?? []).map((e, i) => {
    const where = `extensions[${i}]`;
    if (!e.schema || typeof e.schema.id !== 'string' || !e.schema.id.startsWith('urn:'))
      throw new Error(`${where}: schema.id must be a URN`);
    if (!Array.isArray(e.schema.attributes)) throw new Error(`${where}: schema.attributes must be a list`);
    return {
      schema: {
        id: e.schema.id,
        name: e.schema.name ?? e.schema.id,
        description: e.schema.description ?? '',
        attributes: e.schema.attributes.map((a) => attributeFromConfig(a, where)),
      },
      resourceTypes: e.resourceTypes ?? [],
      required: e.required === true,
    };
  });
}

/**
 * The extension configuration in effect: SCIM_EXTENSIONS_JSON when set — the CDK stack writes a
 * configured file into the bundle at build time (esbuild `define` replaces this exact expression),
 * and a local run may set it in the environment — else shared/scim/schemas/extensions.json.
 */
export function configuredExtensions(raw: string | undefined = process.env.SCIM_EXTENSIONS_JSON): ReturnType<typeof extensionsFromConfig> {
  return extensionsFromConfig(
    raw ? (JSON.parse(raw) as { extensions?: ExtensionConfig[] }) : (defaultExtensions as { extensions?: ExtensionConfig[] }),
  );
}

export interface SchemaRegistry {
  readonly user: ResourceSchema;
  readonly group: ResourceSchema;
  readonly schemas: readonly SchemaDefinition[];
  readonly resourceTypes: readonly ResourceTypeDefinition[];
}

export function buildRegistry(extensions = configuredExtensions()): SchemaRegistry {
  const forType = (name: string): typeof extensions => extensions.filter((e) => e.resourceTypes.includes(name));
  const userExtensions = [{ schema: ENTERPRISE_USER, resourceTypes: ['User'], required: false }, ...forType('User')];
  const groupExtensions = forType('Group');
  const resourceType = (
    id: string,
    endpoint: string,
    description: string,
    schema: string,
    exts: typeof extensions,
  ): ResourceTypeDefinition => ({
    id,
    name: id,
    endpoint,
    description,
    schema,
    schemaExtensions: exts.map((e) => ({ schema: e.schema.id, required: e.required })),
  });
  const user: ResourceSchema = {
    resourceType: resourceType('User', '/Users', 'User Account', USER_SCHEMA, userExtensions),
    core: USER,
    extensions: userExtensions.map((e) => e.schema),
  };
  const group: ResourceSchema = {
    resourceType: resourceType(
      'Group',
      '/Groups',
      `Group. A group of more than ${MAX_MEMBERS_RETURNED} members is returned without "members", and a list page includes members only while its total stays within ${MAX_MEMBERS_RETURNED} (response size limit); ask for one member with filter=members[value eq "<id>"].`,
      GROUP_SCHEMA,
      groupExtensions,
    ),
    core: GROUP,
    extensions: groupExtensions.map((e) => e.schema),
  };
  const schemas = [USER, GROUP, ...new Map([...user.extensions, ...group.extensions].map((s) => [s.id, s])).values()];
  return { user, group, schemas, resourceTypes: [user.resourceType, group.resourceType] };
}
