/** Reading a SCIM request: body (content type, size, JSON), query parameters, headers, caller. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Actor } from '../audit/events';
import { ScimError } from '../scim/errors';
import { parseAttributeList } from '../scim/resource';
import { MAX_PAYLOAD_BYTES } from '../scim/service-provider-config';
import type { ListQuery } from '../scim/service/list';
import { parseEtags } from '../scim/service/meta';
import { lowerCaseHeaders } from './request';

const JSON_TYPES = ['application/scim+json', 'application/json'];

/** The JSON body of a SCIM write: 415 for other content types, 413 over the limit, 400 invalidSyntax for bad JSON. */
export function scimBody(event: APIGatewayProxyEvent): unknown {
  const type = lowerCaseHeaders(event.headers)['content-type'];
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType && !JSON_TYPES.includes(mediaType)) {
    throw ScimError.of(415, `Send the body as application/scim+json or application/json, not ${mediaType}.`);
  }
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8')) : Buffer.alloc(0);
  if (raw.length > MAX_PAYLOAD_BYTES) {
    throw ScimError.of(413, `The request body is ${raw.length} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes.`);
  }
  if (raw.length === 0) throw ScimError.typed('invalidSyntax', 'The request needs a JSON body.');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw ScimError.typed('invalidSyntax', 'The request body is not valid JSON.');
  }
}

function integerParam(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw ScimError.typed('invalidValue', `${name} must be an integer, not "${raw}".`);
  return n;
}

export interface ReadOptions {
  attributes?: string[];
  excludedAttributes?: string[];
}

export function readOptions(params: Record<string, string | undefined>): ReadOptions {
  const attributes = parseAttributeList(params.attributes);
  const excludedAttributes = parseAttributeList(params.excludedAttributes);
  return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) };
}

function sortOrder(raw: string | undefined): ListQuery['sortOrder'] {
  if (raw === undefined || raw === '') return undefined;
  const v = raw.toLowerCase();
  if (v !== 'ascending' && v !== 'descending')
    throw ScimError.typed('invalidValue', `sortOrder must be ascending or descending, not "${raw}".`);
  return v;
}

/** A list query from query parameters (GET) or a SearchRequest body (POST .search). */
export function listQuery(params: Record<string, string | undefined>): ListQuery {
  const startIndex = integerParam('startIndex', params.startIndex);
  const count = integerParam('count', params.count);
  const order = sortOrder(params.sortOrder);
  return {
    ...(params.filter !== undefined ? { filter: params.filter } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(params.sortBy ? { sortBy: params.sortBy } : {}),
    ...(order ? { sortOrder: order } : {}),
    ...(params.cursor !== undefined ? { cursor: params.cursor } : {}),
  };
}

export const queryParams = (event: APIGatewayProxyEvent): Record<string, string | undefined> => event.queryStringParameters ?? {};

/** The parameters of a SearchRequest body (RFC 7644 section 3.4.3), as strings like query parameters. */
export function searchParams(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw ScimError.typed('invalidSyntax', 'A search needs a JSON object body.');
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'schemas' || v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

export const ifMatch = (event: APIGatewayProxyEvent): string[] | undefined => parseEtags(lowerCaseHeaders(event.headers)['if-match']);
export const ifNoneMatch = (event: APIGatewayProxyEvent): string[] | undefined =>
  parseEtags(lowerCaseHeaders(event.headers)['if-none-match']);

/** The SCIM token (from the authorizer's context) and the client, for audit events. */
export function scimActor(event: APIGatewayProxyEvent): Actor {
  const tokenId = event.requestContext.authorizer?.tokenId;
  const headers = lowerCaseHeaders(event.headers);
  return {
    type: 'scimToken',
    id: typeof tokenId === 'string' ? tokenId : 'unknown',
    ...(event.requestContext.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}),
    ...(headers['user-agent'] ? { userAgent: headers['user-agent'].slice(0, 200) } : {}),
  };
}
