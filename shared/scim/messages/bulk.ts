/**
 * The BulkRequest and BulkResponse messages (RFC 7644 section 3.7), parsed once. Tolerant where the
 * other messages are (keys in any case, `method` in any case, no `schemas` at all, a path with or
 * without its leading slash and in any case: `/users/{id}`), strict about what would make the run
 * ambiguous: an operation that names no method, no resource path, no data, or a bulkId another
 * operation has too, refuses the whole request (400, nothing run), because an operation cannot be
 * run (or referred to) without it. What the data says is checked by the run, operation by operation,
 * as a single request's body would be.
 */
import { MAX_BULK_OPERATIONS } from '../limits';
import { isObject, propertyOf } from '../resource/types';
import { ScimError, type ScimErrorBody } from './error';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** How a value refers to the resource a POST of the same request creates: "bulkId:<its bulkId>" (section 3.7.2). */
export const BULK_ID_REFERENCE = 'bulkId:';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The resource type endpoints an operation's path may name. */
export type BulkEndpoint = 'Users' | 'Groups';

export interface BulkOperation {
  /** Where it stands in Operations (0-based), for error details. */
  readonly index: number;
  readonly method: BulkMethod;
  readonly endpoint: BulkEndpoint;
  /** The resource the path names (PUT, PATCH, DELETE), decoded: an id, or a "bulkId:…" reference. */
  readonly id?: string;
  /** The client's name for what a POST creates (required for POST; echoed in the result). */
  readonly bulkId?: string;
  /** The version the client has (an ETag): the operation's If-Match. */
  readonly version?: string;
  /** The resource (POST, PUT) or the PatchOp (PATCH), as sent. */
  readonly data?: unknown;
}

export interface BulkRequest {
  /** How many errors the client accepts before the rest is not run; undefined: every operation runs. */
  readonly failOnErrors?: number;
  readonly operations: readonly BulkOperation[];
}

/** One operation's outcome, as section 3.7.3 spells it (`status` a string; `response` only for errors). */
export interface BulkOperationResult {
  method: BulkMethod;
  bulkId?: string;
  /** The resource's ETag after the operation. */
  version?: string;
  /** The resource's URL (every result has one but a POST's that failed, and one whose path named an unknown bulkId). */
  location?: string;
  status: string;
  response?: ScimErrorBody;
}

export interface BulkResponse {
  schemas: [typeof BULK_RESPONSE_SCHEMA];
  Operations: BulkOperationResult[];
}

export const bulkResponse = (results: BulkOperationResult[]): BulkResponse => ({ schemas: [BULK_RESPONSE_SCHEMA], Operations: results });

const METHODS: ReadonlySet<string> = new Set<BulkMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
const ENDPOINTS: ReadonlyMap<string, BulkEndpoint> = new Map([
  ['users', 'Users'],
  ['groups', 'Groups'],
]);

/** A value as an error detail shows it: short, JSON-quoted. */
const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 60);

/** JSON's null is an absent value (RFC 7643 section 2.5). */
const given = (value: unknown): boolean => value !== undefined && value !== null;

const invalid = (detail: string): ScimError => ScimError.typed('invalidValue', detail);

/**
 * Parses a BulkRequest body: 400 invalidSyntax or invalidValue (naming the operation) when it is not
 * one, 413 when it has more than MAX_BULK_OPERATIONS operations (section 3.7.4).
 */
export function parseBulkRequest(body: unknown): BulkRequest {
  if (!isObject(body)) throw ScimError.typed('invalidSyntax', 'A bulk request must be a JSON object with "Operations".');
  const schemas = propertyOf(body, 'schemas');
  if (
    given(schemas) &&
    !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase()))
  ) {
    throw ScimError.typed('invalidSyntax', `A bulk request's schemas must include "${BULK_REQUEST_SCHEMA}".`);
  }
  const ops = propertyOf(body, 'operations');
  if (!Array.isArray(ops) || ops.length === 0)
    throw ScimError.typed('invalidSyntax', 'A bulk request needs a non-empty "Operations" list.');
  if (ops.length > MAX_BULK_OPERATIONS) {
    throw ScimError.of(
      413,
      `The bulk request has ${ops.length} operations, more than the maxOperations (${MAX_BULK_OPERATIONS}): send them in several requests.`,
    );
  }
  const failOnErrors = propertyOf(body, 'failOnErrors');
  if (given(failOnErrors) && !(typeof failOnErrors === 'number' && Number.isSafeInteger(failOnErrors) && failOnErrors >= 1)) {
    throw invalid(
      `failOnErrors must be a whole number of 1 or more (the errors accepted before the rest is not run), not ${shown(failOnErrors)}.`,
    );
  }
  const operations = ops.map(parseOperation);
  const owners = new Map<string, number>();
  for (const op of operations) {
    if (op.bulkId === undefined) continue;
    const first = owners.get(op.bulkId);
    if (first !== undefined) {
      throw invalid(
        `Operations[${op.index}].bulkId ${shown(op.bulkId)} is Operations[${first}]'s too: a bulkId must be unique within a bulk request.`,
      );
    }
    owners.set(op.bulkId, op.index);
  }
  return { ...(typeof failOnErrors === 'number' ? { failOnErrors } : {}), operations };
}

function parseOperation(raw: unknown, index: number): BulkOperation {
  const at = `Operations[${index}]`;
  if (!isObject(raw)) throw ScimError.typed('invalidSyntax', `${at} must be an object.`);
  const sent = propertyOf(raw, 'method');
  const method = typeof sent === 'string' ? sent.trim().toUpperCase() : '';
  if (!METHODS.has(method)) {
    throw invalid(`${at}.method ${given(sent) ? shown(sent) : 'is missing; it'} must be POST, PUT, PATCH or DELETE.`);
  }
  const verb = method as BulkMethod;
  const bulkId = propertyOf(raw, 'bulkId');
  if (given(bulkId) && (typeof bulkId !== 'string' || bulkId.trim() === '')) {
    throw invalid(`${at}.bulkId must be a non-empty string, not ${shown(bulkId)}.`);
  }
  if (verb === 'POST' && !given(bulkId)) {
    throw invalid(`${at} is a POST without a bulkId: a POST needs one (RFC 7644 section 3.7), to tell its result and to be referred to.`);
  }
  const version = propertyOf(raw, 'version');
  if (given(version) && (typeof version !== 'string' || version.trim() === '')) {
    throw invalid(`${at}.version must be an ETag string such as W/"3", not ${shown(version)}.`);
  }
  const data = propertyOf(raw, 'data');
  if (verb !== 'DELETE' && !given(data)) {
    throw invalid(`${at} (${verb}) needs data: ${verb === 'PATCH' ? 'the PatchOp' : 'the resource'}.`);
  }
  const { endpoint, id } = parsePath(propertyOf(raw, 'path'), verb, at);
  return {
    index,
    method: verb,
    endpoint,
    ...(id !== undefined ? { id } : {}),
    ...(typeof bulkId === 'string' ? { bulkId } : {}),
    ...(typeof version === 'string' ? { version: version.trim() } : {}),
    ...(verb !== 'DELETE' ? { data } : {}),
  };
}

/** `/Users`, `/Groups` for a POST; `/Users/{id}`, `/Groups/{id}` otherwise (the id percent-decoded). */
function parsePath(raw: unknown, method: BulkMethod, at: string): { endpoint: BulkEndpoint; id?: string } {
  const expected = method === 'POST' ? '"/Users" or "/Groups"' : '"/Users/{id}" or "/Groups/{id}"';
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid(`${at}.path must be ${expected}, not ${shown(raw)}.`);
  const text = raw.trim();
  if (/[?#]/.test(text)) throw invalid(`${at}.path ${shown(text)} may not have a query or fragment; it must be ${expected}.`);
  const [type = '', id, ...rest] = text.replace(/^\//, '').replace(/\/$/, '').split('/');
  const endpoint = ENDPOINTS.get(type.toLowerCase());
  if (!endpoint || rest.length > 0 || (method === 'POST') !== (id === undefined) || id === '') {
    throw invalid(`${at}.path ${shown(text)} is not a path a ${method} takes: ${expected}.`);
  }
  if (id === undefined) return { endpoint };
  try {
    return { endpoint, id: decodeURIComponent(id) };
  } catch {
    throw invalid(`${at}.path ${shown(text)} has a malformed percent-encoding.`);
  }
}
