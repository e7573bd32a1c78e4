/** Reading a SCIM request: body (content type, size, JSON), preconditions, caller. The messages are in shared/scim/messages. */
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { Actor } from '../audit/events';
import { ScimError } from '../scim/messages/error';
import { MAX_BULK_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES } from '../scim/limits';
import { parseEtags } from '../scim/service/meta';
import { JsonBodyError, parseJsonBody } from './json';
import type { AccessTokenAudience } from '../tokens/authorize';
import { lowerCaseHeaders, publicBaseUrl } from './request';
import { SCIM_BASE_PATH, TOKEN_ENDPOINT_PATH } from './routes';

const JSON_TYPES = ['application/scim+json', 'application/json'];

/** How large a body may be, and what a 413 says of a larger one. */
export interface BodyLimit {
  readonly bytes: number;
  readonly detail: (bytes: number) => string;
}

const ANY_BODY: BodyLimit = {
  bytes: MAX_PAYLOAD_BYTES,
  detail: (bytes) => `The request body is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes.`,
};

/** A bulk request's: bulk.maxPayloadSize, named as RFC 7644 section 3.7.4's example does. */
const BULK_BODY: BodyLimit = {
  bytes: MAX_BULK_PAYLOAD_BYTES,
  detail: (bytes) =>
    `The size of the bulk request (${bytes} bytes) exceeds the maxPayloadSize (${MAX_BULK_PAYLOAD_BYTES}): send fewer operations per request.`,
};

/** The JSON body of a SCIM write: 415 for other content types, 413 over the limit, 400 invalidSyntax for bad JSON. */
export function scimBody(event: APIGatewayProxyEvent, limit: BodyLimit = ANY_BODY): unknown {
  const type = lowerCaseHeaders(event.headers)['content-type'];
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType && !JSON_TYPES.includes(mediaType)) {
    throw ScimError.of(415, `Send the body as application/scim+json or application/json, not ${mediaType}.`);
  }
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8')) : Buffer.alloc(0);
  if (raw.length > limit.bytes) throw ScimError.of(413, limit.detail(raw.length));
  if (raw.length === 0) throw ScimError.typed('invalidSyntax', 'The request needs a JSON body.');
  try {
    return parseJsonBody(raw.toString('utf8'));
  } catch (e: unknown) {
    if (e instanceof JsonBodyError) throw ScimError.typed('invalidSyntax', e.message, { cause: e });
    throw e;
  }
}

/** The JSON body of a BulkRequest (its own 413 detail, RFC 7644 section 3.7.4). */
export const bulkBody = (event: APIGatewayProxyEvent): unknown => scimBody(event, BULK_BODY);

export const queryParams = (event: APIGatewayProxyEvent): Record<string, string | undefined> => event.queryStringParameters ?? {};

export const ifMatch = (event: APIGatewayProxyEvent): string[] | undefined => parseEtags(lowerCaseHeaders(event.headers)['if-match']);
export const ifNoneMatch = (event: APIGatewayProxyEvent): string[] | undefined =>
  parseEtags(lowerCaseHeaders(event.headers)['if-none-match']);

/** The SCIM token or SCIM client (from the authorizer's context) and the caller, for audit events. */
export function scimActor(event: APIGatewayProxyEvent): Actor {
  const tokenId = event.requestContext.authorizer?.tokenId;
  const headers = lowerCaseHeaders(event.headers);
  return {
    type: event.requestContext.authorizer?.credential === 'client' ? 'scimClient' : 'scimToken',
    id: typeof tokenId === 'string' ? tokenId : 'unknown',
    ...(event.requestContext.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}),
    ...(headers['user-agent'] ? { userAgent: headers['user-agent'].slice(0, 200) } : {}),
  };
}

/**
 * What an access token on this request must say: the configured issuer and audience (the stack
 * sets both: its APIs have hosts of their own), else the token endpoint and SCIM API of the
 * request's own origin (the local gateway serves both). An authorizer's REQUEST event carries the
 * same host, path and request context fields as a proxy event.
 */
export function accessTokenAudience(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'path' | 'requestContext'>,
  configured: { issuer?: string | undefined; audience?: string | undefined },
): AccessTokenAudience {
  const asProxy = { ...event, headers: event.headers ?? {} } as unknown as APIGatewayProxyEvent;
  return {
    issuer: configured.issuer || publicBaseUrl(asProxy, TOKEN_ENDPOINT_PATH),
    audience: configured.audience || publicBaseUrl(asProxy, SCIM_BASE_PATH),
  };
}
