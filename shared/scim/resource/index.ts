/** SCIM resources as plain JSON: input normalisation, output projection, password hashing. */
export { coerceValue, normalizeResource } from './normalize';
export { parseAttributeList, projectResource } from './project';
export { hashPassword, verifyPassword } from './password';
export {
  isObject,
  splitSchemaUrn,
  type NormalizedResource,
  type ProjectionOptions,
  type SchemaQualified,
  type ScimResource,
} from './types';
