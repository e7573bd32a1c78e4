/**
 * The SearchRequest message (RFC 7644 section 3.4.3), and the same parameters as a GET's query
 * (section 3.4.2): filter (parsed here), sortBy/sortOrder, startIndex/count, cursor (RFC 9865),
 * attributes/excludedAttributes. Query parameters no RFC defines are ignored (Entra ID adds its
 * own, e.g. `aadOptscim062020`); a parameter with a wrong value is 400 invalidValue.
 */
import { parseAttrPath, parseFilter, type Filter } from '../filter';
import { isObject, propertyOf } from '../resource/types';
import { ScimError } from './error';

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export type SortOrder = 'ascending' | 'descending';

export interface SearchRequest {
  readonly filter?: Filter;
  readonly sortBy?: string;
  readonly sortOrder?: SortOrder;
  readonly startIndex?: number;
  readonly count?: number;
  /** RFC 9865: '' asks for the first page by cursor. */
  readonly cursor?: string;
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
}

/** What a response with these options returns (`attributes` / `excludedAttributes`). */
export type ReadOptions = Pick<SearchRequest, 'attributes' | 'excludedAttributes'>;

/** `attributes=a,b` as a list of trimmed paths; undefined when absent or empty. */
export function attributeList(raw: string | readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const paths = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((p) => p.trim()).filter((p) => p.length > 0);
  return paths.length > 0 ? paths : undefined;
}

function integer(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw ScimError.typed('invalidValue', `${name} must be an integer, not ${JSON.stringify(raw)}.`);
  return n;
}

function text(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw ScimError.typed('invalidValue', `${name} must be a string, not ${JSON.stringify(raw)}.`);
  return raw;
}

function sortOrder(raw: unknown): SortOrder | undefined {
  const v = text('sortOrder', raw);
  if (v === undefined || v === '') return undefined;
  const lower = v.toLowerCase();
  if (lower !== 'ascending' && lower !== 'descending') {
    throw ScimError.typed('invalidValue', `sortOrder must be ascending or descending, not "${v}".`);
  }
  return lower;
}

function paths(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return attributeList(raw);
  if (Array.isArray(raw) && raw.every((p) => typeof p === 'string')) return attributeList(raw);
  throw ScimError.typed('invalidValue', `${name} must be a list of attribute paths.`);
}

function build(get: (name: string) => unknown): SearchRequest {
  const filterText = text('filter', get('filter'));
  const sortBy = text('sortBy', get('sortBy'))?.trim();
  if (sortBy) parseAttrPath(sortBy, 'invalidValue');
  const startIndex = integer('startIndex', get('startIndex'));
  const count = integer('count', get('count'));
  const order = sortOrder(get('sortOrder'));
  const cursor = text('cursor', get('cursor'));
  const attributes = paths('attributes', get('attributes'));
  const excludedAttributes = paths('excludedAttributes', get('excludedAttributes'));
  return {
    ...(filterText !== undefined && filterText.trim() !== '' ? { filter: parseFilter(filterText) } : {}),
    ...(sortBy ? { sortBy } : {}),
    ...(order ? { sortOrder: order } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  };
}

/** The search a GET's query parameters ask for. */
export function searchFromQuery(params: Readonly<Record<string, string | undefined>>): SearchRequest {
  return build((name) => params[name]);
}

/** Only `attributes` and `excludedAttributes` of a GET of one resource or of a write's query. */
export function readOptionsFromQuery(params: Readonly<Record<string, string | undefined>>): ReadOptions {
  const attributes = attributeList(params.attributes);
  const excludedAttributes = attributeList(params.excludedAttributes);
  return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) };
}

/** A SearchRequest body (POST …/.search); keys matched case-insensitively. */
export function searchFromBody(body: unknown): SearchRequest {
  if (!isObject(body)) throw ScimError.typed('invalidSyntax', 'A search needs a JSON object body.');
  const get = (name: string): unknown => propertyOf(body, name);
  const schemas = get('schemas');
  if (
    schemas !== undefined &&
    !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase()))
  ) {
    throw ScimError.typed('invalidSyntax', `A search body's schemas must include "${SEARCH_REQUEST_SCHEMA}".`);
  }
  return build(get);
}
